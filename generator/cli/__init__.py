"""The command line, the top layer: argument parsing only.

In: ``argv`` (flags, ``--config``, ``[tool.svcgen]``). Out: calls of the library
(:func:`svcgen.generate`, the build-step tools in :mod:`svcgen.buildstep`), their results printed,
one line on stderr for an error, and the exit code (0 success, 1 "different", 2 trouble).
:mod:`~svcgen.cli.app` holds the command group, ``generate`` and ``fetch``;
:mod:`~svcgen.cli.build`, :mod:`~svcgen.cli.check` and :mod:`~svcgen.cli.diff` one command each;
:mod:`~svcgen.cli.common` the options they share. Nothing imports this package but ``__main__``.
"""

from .app import cli, main

__all__ = ["cli", "main"]
