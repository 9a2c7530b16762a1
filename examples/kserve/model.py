"""A tiny KServe model server for end-to-end tests: "doubler" doubles numbers, "echo" echoes tensors.

Runs under the KServe environment (``examples/requirements-kserve.txt``)::

    python3.11 -m venv .venv-kserve
    .venv-kserve/bin/pip install -r examples/requirements-kserve.txt
    .venv-kserve/bin/python examples/kserve/model.py --http_port 8080

Both protocols KServe's REST server speaks reach ``predict``:

* v1: ``POST /v1/models/doubler:predict`` with ``{"instances": [[1.0, 2.0], ...]}``
  answers ``{"predictions": [[2.0, 4.0], ...]}``;
* v2 (Open Inference Protocol): ``POST /v2/models/doubler/infer`` with one FP32
  tensor ``input-0`` answers one FP32 tensor ``output-0`` of the same shape.

"echo" (v2 only) answers every input tensor as an output of the same name,
datatype, shape and content, whatever the datatype (``BYTES`` and ``FP16``
included), over REST (JSON or the binary tensor data extension) and gRPC.

KServe 0.21.0 has no flag for the listen address (its REST server hard-codes
0.0.0.0 and its gRPC server ``[::]``), so this script binds both to ``--host``
(default 127.0.0.1) itself. gRPC is off unless ``--enable_grpc true`` is given;
its message limits default to 64 MiB here (KServe's own default is 8 MiB), so
16 MB tensors fit. Every other flag of ``kserve.model_server.parser`` is
accepted as usual.
"""

from __future__ import annotations

import argparse
import uuid
from typing import Any, Dict, List, Optional, Union

import numpy as np
from kserve import InferOutput, InferRequest, InferResponse, Model, ModelServer
from kserve import model_server
from kserve.errors import InvalidInput
from kserve.protocol.grpc import server as grpc_server
from kserve.protocol.rest.server import RESTServer

MODEL_NAME = "doubler"
ECHO_NAME = "echo"
#: gRPC message limit of this example (room for a 16 MB tensor and its answer).
GRPC_MESSAGE_BYTES = 64 * 1024 * 1024
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


class Echo(Model):
    """Answers each input tensor unchanged, as the output of the same name (v2 only)."""

    def __init__(self, name: str = ECHO_NAME) -> None:
        super().__init__(name)
        self.load()

    def load(self) -> bool:
        self.ready = True
        return self.ready

    def predict(
        self,
        payload: Union[Dict[str, Any], InferRequest],
        headers: Optional[Dict[str, str]] = None,
        response_headers: Optional[Dict[str, str]] = None,
    ) -> InferResponse:
        if not isinstance(payload, InferRequest):
            raise InvalidInput("echo answers Open Inference Protocol (v2) requests only")
        # Raw bytes for gRPC and for REST requests that ask for binary outputs (kserve 0.21's
        # gRPC answer cannot carry an output given as an array: it tests the array's truth).
        binary = bool(payload.from_grpc or payload.use_binary_outputs)
        outputs = []
        for tensor in payload.inputs:
            output = InferOutput(name=tensor.name, shape=list(tensor.shape), datatype=tensor.datatype)
            output.set_data_from_numpy(tensor.as_numpy(), binary_data=binary)
            outputs.append(output)
        return InferResponse(
            response_id=payload.id or str(uuid.uuid4()),
            model_name=self.name,
            infer_outputs=outputs,
            use_binary_outputs=payload.use_binary_outputs,
            requested_outputs=payload.request_outputs,
        )


def _bind_rest_server_to(host: str) -> None:
    """Make ``ModelServer`` listen on ``host`` instead of KServe's fixed 0.0.0.0."""

    class HostRESTServer(RESTServer):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.config.host = host

    model_server.RESTServer = HostRESTServer  # what ModelServer.start() builds


def _bind_grpc_server_to(host: str) -> None:
    """Make KServe's gRPC server listen on ``host`` instead of its fixed ``[::]``."""
    make_server = grpc_server.aio.server

    class HostAio:
        @staticmethod
        def server(*args: Any, **kwargs: Any) -> Any:
            made = make_server(*args, **kwargs)
            add_port = made.add_insecure_port
            made.add_insecure_port = lambda address: add_port(f"{host}:{address.rsplit(':', 1)[1]}")
            return made

    grpc_server.aio = HostAio  # what GRPCServer.start() calls


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], parents=[model_server.parser]
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.set_defaults(
        model_name=MODEL_NAME,
        enable_grpc=False,
        grpc_max_send_message_length=GRPC_MESSAGE_BYTES,
        grpc_max_receive_message_length=GRPC_MESSAGE_BYTES,
    )
    args = parser.parse_args(argv)
    if args.workers != 1:
        parser.error("--workers must be 1 (the listen address is set per process)")
    # GRPCServer reads its limits from the arguments kserve parsed itself at import.
    for limit in ("grpc_max_send_message_length", "grpc_max_receive_message_length"):
        setattr(model_server.args, limit, getattr(args, limit))
    _bind_rest_server_to(args.host)
    _bind_grpc_server_to(args.host)
    server = ModelServer(
        http_port=args.http_port,
        grpc_port=args.grpc_port,
        workers=1,
        enable_grpc=args.enable_grpc,
    )
    server.start([Doubler(args.model_name), Echo()])


if __name__ == "__main__":
    main()
