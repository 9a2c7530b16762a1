"""Stage 3: the intermediate representation that templates render."""

from .build import build_api
from .model import Api, Body, Operation, Param, Response

__all__ = ["Api", "Body", "Operation", "Param", "Response", "build_api"]
