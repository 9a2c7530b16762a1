"""Stage 3: the intermediate representation that templates render."""

from .build import build_api
from .api import Api
from .model import Body, Operation, Param, Response

__all__ = ["Api", "Body", "Operation", "Param", "Response", "build_api"]
