"""Stages 5–6, the output: the bound IR and the model module → the package's files, formatted, then on disk.

In: the :class:`~svcgen.ir.api.Api` with its types bound and the
:class:`~svcgen.models.module.ModelModule`. Out: a file tree (relative path → text) rendered from
the templates (:mod:`svcgen.output.render`: client, runtime for the chosen HTTP library, README,
pyproject, stubtest allowlists), with stubs (:mod:`svcgen.output.stubs`), formatted
(:mod:`svcgen.output.format`) and carrying its manifest (:mod:`svcgen.output.manifest`); then
written into a folder all or nothing, touching only svcgen's own files
(:mod:`svcgen.output.write`, :mod:`svcgen.output.transaction`, :mod:`svcgen.output.paths`).
Imports ``core``, ``ir`` and ``models``.
"""
