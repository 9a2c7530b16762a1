"""One client path of benchmarks/tensors.py, run in the environment that has that client.

    python tensors_worker.py PATH REST_URL GRPC_TARGET SIZES_JSON

PATH is one of ``svcgen-json``, ``svcgen-binary``, ``svcgen-grpc`` (the generated client,
installed with its grpc extra), ``kserve-rest-binary``, ``kserve-rest-json``, ``kserve-grpc``
(kserve's own clients, async-only, from the KServe environment) or ``memcpy`` (the floor).
Every call sends one FP32 tensor to the "echo" model and checks the answer equals it once;
then wall time and process CPU time (all threads) are measured over N calls per size.
Prints one JSON object: ``{size_label: {"wall_ms": .., "cpu_ms": .., "calls": N}}``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np

MODEL = "echo"
NAME = "input-0"
GRPC_LIMITS = [("grpc.max_send_message_length", 2**31 - 1), ("grpc.max_receive_message_length", 2**31 - 1)]


def measure(call: Callable[[], Any], calls: int) -> dict[str, float]:
    call()  # warm: connections open, caches filled (the correctness check already made one call)
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(calls):
        call()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"wall_ms": 1000 * wall / calls, "cpu_ms": 1000 * cpu / calls, "calls": calls}


def svcgen_calls(path: str, url: str, target: str) -> tuple[Callable[[Any], Any], Callable[[], None]]:
    from kserve_bench_client import Client, GrpcClient

    if path == "svcgen-grpc":
        grpc_client = GrpcClient(target)
        return (lambda x: grpc_client.infer_arrays(model_name=MODEL, inputs={NAME: x})[NAME]), grpc_client.close
    client = Client(url)
    binary = path == "svcgen-binary"
    client.binary_extension = None  # learned from the server's metadata on the first call
    return (lambda x: client.infer_arrays(model_name=MODEL, inputs={NAME: x}, binary=binary)[NAME]), client.close


def kserve_calls(path: str, url: str, target: str) -> tuple[Callable[[Any], Any], Callable[[], None]]:
    from kserve import InferenceGRPCClient, InferenceRESTClient, InferInput, InferRequest, RESTConfig

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # grpc.aio binds its channel to the loop current at construction
    binary = path != "kserve-rest-json"

    def request(x: Any) -> Any:
        tensor = InferInput(name=NAME, shape=list(x.shape), datatype="FP32")
        tensor.set_data_from_numpy(x, binary_data=binary)
        parameters = {"binary_data_output": True} if binary and path != "kserve-grpc" else None
        return InferRequest(model_name=MODEL, infer_inputs=[tensor], parameters=parameters)

    if path == "kserve-grpc":
        grpc_client = InferenceGRPCClient(target, channel_args=GRPC_LIMITS)
        send: Callable[[Any], Awaitable[Any]] = lambda x: grpc_client.infer(request(x))
    else:
        rest_client = InferenceRESTClient(RESTConfig(protocol="v2"))
        send = lambda x: rest_client.infer(url, request(x), model_name=MODEL)

    def call(x: Any) -> Any:
        return loop.run_until_complete(send(x)).outputs[0].as_numpy()

    return call, loop.close


def main() -> None:
    path, url, target, sizes = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    rng = np.random.default_rng(0)
    results: dict[str, dict[str, float]] = {}
    if path == "memcpy":
        for label, (shape, calls) in sizes.items():
            x = rng.standard_normal(shape).astype(np.float32)
            out = np.empty_like(x)
            # the bytes a call must move at the least: the tensor out, and the answer back
            results[label] = measure(lambda: (np.copyto(out, x), np.copyto(x, out)), calls * 20)
        print(json.dumps(results))
        return
    make = svcgen_calls if path.startswith("svcgen") else kserve_calls
    call, close = make(path, url, target)
    try:
        for label, (shape, calls) in sizes.items():
            x = rng.standard_normal(shape).astype(np.float32)
            answer = call(x)
            assert answer.dtype == np.float32 and np.array_equal(answer, x), f"{path}: wrong answer at {label}"
            results[label] = measure(lambda: call(x), calls)
    finally:
        close()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
