"""Calls every operation of the client generated from a live KServe model server (ML clients venv).

The server is examples/kserve/model.py: the "doubler" model doubles every
number, through v1 ``:predict`` and v2 (Open Inference Protocol) ``/infer``;
it also serves "echo" (see kserve_tensors.py).
"""

from __future__ import annotations

import asyncio
import sys

import numpy as np

from kserve_client import (
    AsyncClient,
    BadRequestError,
    Client,
    InferenceRequest,
    InternalServerError,
    NotFoundError,
    RequestInput,
    tensor_array,
    tensor_input,
)

X = np.array([[1.0, 2.5, -3.0], [4.25, 0.0, 8.0]], dtype=np.float32)


def check_sync(url: str) -> int:
    calls = 0
    with Client(url) as client:
        client.wait_until_ready(30)
        assert client.is_live() and client.is_ready()
        assert client.live() == {"status": "alive"}
        assert client.live_v2_health().live is True
        assert client.ready().ready is True
        assert client.metadata().name
        assert sorted(client.models_v1()["models"]) == ["doubler", "echo"]
        assert sorted(client.models_v2().models or []) == ["doubler", "echo"]
        assert client.model_ready_v1(model_name="doubler") == {"name": "doubler", "ready": True}
        assert client.model_ready_v2(model_name="doubler").ready is True
        meta = client.model_metadata(model_name="doubler")
        assert meta.name == "doubler" and meta.inputs is not None and meta.inputs[0].datatype == "FP32"
        calls += 9

        # v1: an undeclared JSON body, passed through as is.
        answer = client.predict(model_name="doubler", body={"instances": X.tolist()})
        assert np.array_equal(np.asarray(answer["predictions"], dtype=np.float32), X * 2)
        # v2: numpy in, numpy out.
        request = InferenceRequest(inputs=[tensor_input(RequestInput, "input-0", X)])
        result = client.infer(model_name="doubler", body=request)
        output = tensor_array(result["outputs"][0])
        assert output.dtype == np.float32 and output.shape == X.shape and np.array_equal(output, X * 2)
        calls += 2

        metrics = client.metrics_handler()
        assert isinstance(metrics, str) and "# TYPE" in metrics
        calls += 1

        # The server's real errors, typed, with its own message.
        try:
            client.infer(model_name="nope", body=request)
            raise AssertionError("unknown model accepted")
        except NotFoundError as error:
            assert error.status_code == 404 and "nope does not exist" in str(error), error
        bad = InferenceRequest(inputs=[tensor_input(RequestInput, "input-0", X.astype(np.int32))])
        try:
            client.infer(model_name="doubler", body=bad)
            raise AssertionError("INT32 accepted")
        except BadRequestError as error:
            assert "must have datatype FP32" in str(error) and error.body == {"error": error.body["error"]}
        for versioned in (
            lambda: client.model_ready_v2_versions(model_name="doubler", model_version="1"),
            lambda: client.explain(model_name="doubler", body={"instances": [[1.0]]}),
        ):
            try:
                versioned()
                raise AssertionError("501 expected")
            except InternalServerError as error:
                assert error.status_code == 501, error
        try:
            client.unload(model_name="nope")
            raise AssertionError("unknown model unloaded")
        except NotFoundError:
            pass
        try:  # KServe answers 503 for a model it cannot load: retried by default, not here
            client.load(model_name="nope", max_retries=0)
            raise AssertionError("unknown model loaded")
        except InternalServerError as error:
            assert error.status_code == 503 and "nope is not ready" in str(error), error
        calls += 6
    return calls


async def check_async(url: str) -> int:
    async with AsyncClient(url) as client:
        await client.wait_until_ready(30)
        request = InferenceRequest(inputs=[tensor_input(RequestInput, "input-0", X[:1])])
        results = await asyncio.gather(*(client.infer(model_name="doubler", body=request) for _ in range(8)))
        for result in results:
            assert np.array_equal(tensor_array(result["outputs"][0]), X[:1] * 2)
        answer = await client.predict(model_name="doubler", body={"instances": [[0.5]]})
        assert answer == {"predictions": [[1.0]]}
        assert (await client.model_metadata(model_name="doubler")).name == "doubler"
        return len(results) + 2


if __name__ == "__main__":
    base = sys.argv[1]
    print(f"ok sync={check_sync(base)} async={asyncio.run(check_async(base))}")
