"""The build step: what the commands do with generated packages beyond generating them.

In: a :class:`~svcgen.Config` (or a project's ``[tool.svcgen]`` clients,
:mod:`~svcgen.buildstep.project_config`, whose values :mod:`~svcgen.buildstep.validate` checks)
and the pipeline (:mod:`svcgen.pipeline`). Out: the drift between a generated tree and a folder
(:mod:`~svcgen.buildstep.check`), wheels and sdists of generated clients
(:mod:`~svcgen.buildstep.wheel`), and the typed surface of two documents' clients and the breaking
changes between them (:mod:`~svcgen.buildstep.api_surface`, :mod:`~svcgen.buildstep.api_diff`).
Imports the pipeline and every stage below it, never the CLI.
"""
