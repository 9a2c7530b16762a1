"""The client generated from the Open Inference Protocol document, against a live KServe server.

The document (../shared/corpus/open-inference-protocol-rest.yaml) writes its
paths with ``${MODEL_NAME}`` placeholders and only versioned model routes,
which KServe 0.21.0 answers with 501: reaching that answer proves the URL.
"""

from __future__ import annotations

import asyncio
import sys

import numpy as np

from oip_client import AsyncClient, Client, InternalServerError, RequestInput, tensor_input

X = np.array([[1.0, 2.0]], dtype=np.float32)


def check_sync(url: str) -> int:
    with Client(url) as client:
        client.wait_until_ready(30)
        # 200 answers that declare no content: their bytes, never None (the answers contract)
        assert isinstance(client.get_v2_health_live(), bytes)
        assert isinstance(client.get_v2_health_ready(), bytes)
        assert client.get_v2().name
        try:
            client.post_v2_models_model_name_versions_model_version_infer(
                model_name="doubler", model_version="1", inputs=[tensor_input(RequestInput, "input-0", X)]
            )
            raise AssertionError("KServe does not serve versioned models")
        except InternalServerError as error:
            assert error.status_code == 501 and "versioning not supported" in str(error), error
            assert error.request is not None
            assert error.request.url.path == "/v2/models/doubler/versions/1/infer"
        return 4


async def check_async(url: str) -> int:
    async with AsyncClient(url) as client:
        assert await client.is_ready()
        assert (await client.get_v2()).name
        return 2


if __name__ == "__main__":
    base = sys.argv[1]
    print(f"ok sync={check_sync(base)} async={asyncio.run(check_async(base))}")
