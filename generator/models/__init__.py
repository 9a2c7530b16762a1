"""Stage 4, the models: the IR's schemas → one pydantic v2 model module, and the IR's types bound to it.

In: the :class:`~svcgen.ir.api.Api` (its schemas, scratch wrappers and parameter holders). Out: a
:class:`~svcgen.models.module.ModelModule` (the module text and what each class holds) from
:func:`~svcgen.models.generate.generate_models`, the only user of datamodel-code-generator, with
the fix-ups around it (schemas prepared before, the text mended after); then
:func:`~svcgen.models.bind.bind_types` fills the IR's annotations and plans the request models'
typed dicts (:mod:`svcgen.models.params`); :mod:`svcgen.models.split` cuts a large module into a
lazily loaded package. Imports ``core``, ``source`` (schema keywords) and ``ir``.
"""
