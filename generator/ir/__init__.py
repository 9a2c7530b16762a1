"""Stage 3: the intermediate representation that templates render.

In: the normalised, selected document (a dict, from :mod:`svcgen.source`). Out: an
:class:`~svcgen.ir.api.Api` (operations, parameters, bodies, responses, media kinds, security,
Python names from :mod:`svcgen.ir.naming`) and its diagnostics, from :func:`build_api`; its types
are placeholders until the models stage binds them. Imports ``core`` and ``source`` only.
"""

from .build import build_api
from .api import Api
from .model import Body, Operation, Param, Response

__all__ = ["Api", "Body", "Operation", "Param", "Response", "build_api"]
