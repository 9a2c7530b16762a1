"""A tiny KServe model server for end-to-end tests: "doubler" doubles numbers.

Runs under the KServe environment (``examples/requirements-kserve.txt``)::

    python3.11 -m venv .venv-kserve
    .venv-kserve/bin/pip install -r examples/requirements-kserve.txt
    .venv-kserve/bin/python examples/kserve/model.py --http_port 8080

Both protocols KServe's REST server speaks reach ``predict``:

* v1: ``POST /v1/models/doubler:predict`` with ``{"instances": [[1.0, 2.0], ...]}``
  answers ``{"predictions": [[2.0, 4.0], ...]}``;
* v2 (Open Inference Protocol): ``POST /v2/models/doubler/infer`` with one FP32
  tensor ``input-0`` answers one FP32 tensor ``output-0`` of the same shape.

KServe 0.21.0 has no flag for the listen address (its REST server hard-codes
0.0.0.0), so this script binds uvicorn to ``--host`` (default 127.0.0.1)
itself. gRPC is off unless ``--enable_grpc true`` is given. Every other flag
of ``kserve.model_server.parser`` is accepted as usual.
"""

from __future__ import annotations

import argparse
import uuid
from typing import Any, Dict, List, Optional, Union

import numpy as np
from kserve import InferOutput, InferRequest, InferResponse, Model, ModelServer
from kserve import model_server
from kserve.errors import InvalidInput
from kserve.protocol.rest.server import RESTServer

MODEL_NAME = "doubler"
INPUT_NAME = "input-0"
OUTPUT_NAME = "output-0"
DATATYPE = "FP32"


class Doubler(Model):
    """Doubles every number it is given (v1 instances or one v2 FP32 tensor)."""

    def __init__(self, name: str = MODEL_NAME) -> None:
        super().__init__(name)
        self.load()

    def load(self) -> bool:
        self.ready = True  # nothing to load: ready as soon as it exists
        return self.ready

    def get_input_types(self) -> List[Dict[str, Any]]:
        return [{"name": INPUT_NAME, "datatype": DATATYPE, "shape": [-1, -1]}]

    def get_output_types(self) -> List[Dict[str, Any]]:
        return [{"name": OUTPUT_NAME, "datatype": DATATYPE, "shape": [-1, -1]}]

    def predict(
        self,
        payload: Union[Dict[str, Any], InferRequest],
        headers: Optional[Dict[str, str]] = None,
        response_headers: Optional[Dict[str, str]] = None,
    ) -> Union[Dict[str, Any], InferResponse]:
        if isinstance(payload, InferRequest):
            return self._predict_v2(payload)
        return self._predict_v1(payload)

    @staticmethod
    def _predict_v1(payload: Any) -> Dict[str, Any]:
        if not isinstance(payload, dict) or "instances" not in payload:
            raise InvalidInput('Expected a JSON object with an "instances" list')
        instances = payload["instances"]
        if not isinstance(instances, list):
            raise InvalidInput('Expected "instances" to be a list')
        try:
            array = np.asarray(instances, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f'"instances" must be (nested lists of) numbers: {exc}')
        return {"predictions": (array * 2).tolist()}

    def _predict_v2(self, request: InferRequest) -> InferResponse:
        if len(request.inputs) != 1 or request.inputs[0].name != INPUT_NAME:
            names = [tensor.name for tensor in request.inputs]
            raise InvalidInput(f"Expected exactly one input {INPUT_NAME!r}, got {names}")
        tensor = request.inputs[0]
        if tensor.datatype != DATATYPE:
            raise InvalidInput(
                f"Input {INPUT_NAME!r} must have datatype {DATATYPE}, got {tensor.datatype}"
            )
        try:
            array = tensor.as_numpy()
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"Input {INPUT_NAME!r} does not match its shape: {exc}")
        doubled = (array * 2).astype(np.float32)
        output = InferOutput(
            name=OUTPUT_NAME, shape=list(doubled.shape), datatype=DATATYPE, data=doubled
        )
        return InferResponse(
            response_id=request.id or str(uuid.uuid4()),
            model_name=self.name,
            infer_outputs=[output],
            use_binary_outputs=request.use_binary_outputs,
            requested_outputs=request.request_outputs,
        )


def _bind_rest_server_to(host: str) -> None:
    """Make ``ModelServer`` listen on ``host`` instead of KServe's fixed 0.0.0.0."""

    class HostRESTServer(RESTServer):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.config.host = host

    model_server.RESTServer = HostRESTServer  # what ModelServer.start() builds


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], parents=[model_server.parser]
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.set_defaults(model_name=MODEL_NAME, enable_grpc=False)
    args = parser.parse_args(argv)
    if args.workers != 1:
        parser.error("--workers must be 1 (the listen address is set per process)")
    _bind_rest_server_to(args.host)
    server = ModelServer(
        http_port=args.http_port,
        grpc_port=args.grpc_port,
        workers=1,
        enable_grpc=args.enable_grpc,
    )
    server.start([Doubler(args.model_name)])


if __name__ == "__main__":
    main()
