"""The generated runtime's ML payloads, streams, tasks and health probes (MockTransport only)."""

from __future__ import annotations

import asyncio
import builtins
import io
import json
import sys
import wave
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest
from PIL import Image

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.runtime_support import BASE, Recorder, patch_sleep, use_goldens  # noqa: E402

use_goldens("arrays", "vision", "jobs")

import arrays_client  # noqa: E402
import jobs_client  # noqa: E402
import vision_client  # noqa: E402
from jobs_client._runtime import _streaming, _tasks  # noqa: E402


def parts(request: httpx.Request) -> list[tuple[str, str | None, str, bytes]]:
    """``(field, file name, content type, body)`` of every part of a multipart request."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.content)
    found = []
    for part in message.iter_parts():
        found.append((part.get_param("name", header="content-disposition"), part.get_filename(), part.get_content_type(), part.get_payload(decode=True)))
    return found


def wav_bytes(frames: bytes = b"\x01\x00\x02\x00\x03\x00") -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(frames)
    return buffer.getvalue()


# --- numpy arrays --------------------------------------------------------------------------


def test_tensor_argument_is_converted_to_the_declared_dtype_and_shape_checked() -> None:
    recorder = Recorder(httpx.Response(200, json=[[0.5, 1.0, 1.5, 2.0]]))
    client = arrays_client.Client(BASE, http_client=recorder.sync_http())
    result = client.standardize(x=[[1, 2, 3, 4]], scale=2.0)
    assert json.loads(recorder.last.content) == {"x": [[1.0, 2.0, 3.0, 4.0]], "scale": 2.0}
    assert isinstance(result, np.ndarray) and result.dtype == np.float32 and result.shape == (1, 4)


def test_wrong_shape_raises_before_any_request() -> None:
    recorder = Recorder()
    client = arrays_client.Client(BASE, http_client=recorder.sync_http())
    with pytest.raises(ValueError, match=r"x: expected an array of shape \(any, 4\), got \(2, 5\)"):
        client.standardize(x=np.zeros((2, 5)))
    with pytest.raises(ValueError, match="shape"):
        client.standardize(x=np.zeros(4))
    assert recorder.calls == 0


def test_tensor_output_keeps_its_real_shape() -> None:
    recorder = Recorder(httpx.Response(200, json=[[1, 2, 3], [4, 5, 6]]))
    client = arrays_client.Client(BASE, http_client=recorder.sync_http())
    result = client.embed(texts=["a", "b"])
    assert result.shape == (2, 3) and result.dtype == np.float32


def test_dataframe_records_in_and_out() -> None:
    rows = [{"name": "a", "score": 2.0, "rank": 1}]
    recorder = Recorder(httpx.Response(200, json=rows))
    client = arrays_client.Client(BASE, http_client=recorder.sync_http())
    frame = pd.DataFrame({"name": ["a"], "score": [2.0]})
    result = client.describe(table=frame)
    assert json.loads(recorder.last.content) == {"table": [{"name": "a", "score": 2.0}]}
    assert isinstance(result, pd.DataFrame) and result.to_dict("records") == rows


def test_dataframe_columns_orient_is_an_object_of_column_lists() -> None:
    recorder = Recorder(httpx.Response(200, json={"x": 1.5}))
    client = arrays_client.Client(BASE, http_client=recorder.sync_http())
    assert client.column_means(frame=pd.DataFrame({"x": [1, 2], "y": ["p", "q"]})) == {"x": 1.5}
    assert json.loads(recorder.last.content) == {"frame": {"x": [1, 2], "y": ["p", "q"]}}


def test_missing_extra_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_numpy(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "numpy" or name.startswith("numpy."):
            raise ImportError("No module named 'numpy'")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "numpy")
    monkeypatch.setattr(builtins, "__import__", no_numpy)
    recorder = Recorder(httpx.Response(200, json=[1, 2]))
    client = arrays_client.Client(BASE, http_client=recorder.sync_http())
    with pytest.raises(arrays_client.MissingDependencyError, match=r"pip install 'arrays-client\[numpy\]'"):
        client.histogram(values=[1, 2])
    # the answer needs numpy: the call fails before it is sent, so the server does no work for nothing
    assert recorder.calls == 0


def test_an_answer_needing_a_missing_extra_fails_before_the_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """An image answer needs pillow: without it the call raises at once, naming the extra, and
    nothing reaches the server (the input, a file's bytes, needs no pillow)."""
    for name in ("PIL", "PIL.Image"):
        monkeypatch.setitem(sys.modules, name, None)  # importing it raises ImportError
    recorder = Recorder(httpx.Response(200, content=b"not read"))
    client = vision_client.Client(BASE, http_client=recorder.sync_http())
    with pytest.raises(vision_client.MissingDependencyError, match=r"pip install 'vision-client\[pillow\]'"):
        client.crop(image=b"\x89PNG...", box={"left": 0, "top": 0, "right": 1, "bottom": 1})
    assert recorder.calls == 0


# --- images and files ----------------------------------------------------------------------


def _png(color: tuple[int, int, int] = (255, 0, 0), size: tuple[int, int] = (3, 2)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def test_image_in_memory_goes_as_png_and_comes_back_as_pil() -> None:
    recorder = Recorder(httpx.Response(200, content=_png((0, 255, 255)), headers={"content-type": "image/png"}))
    client = vision_client.Client(BASE, http_client=recorder.sync_http())
    result = client.invert(image=Image.new("RGB", (3, 2), (255, 0, 0)))
    (field, name, media, body), = parts(recorder.last)
    assert (field, name, media) == ("image", "image.png", "image/png")
    assert Image.open(io.BytesIO(body)).getpixel((0, 0)) == (255, 0, 0)
    assert isinstance(result, Image.Image) and result.size == (3, 2) and result.getpixel((0, 0)) == (0, 255, 255)


def test_image_opened_from_disk_is_sent_whole_in_its_format(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    Image.new("RGB", (16, 8), (10, 20, 30)).save(path, format="JPEG")
    recorder = Recorder(httpx.Response(200, json={"width": 16, "height": 8, "mode": "RGB", "format": "JPEG"}))
    client = vision_client.Client(BASE, http_client=recorder.sync_http())
    with Image.open(path) as image:
        image.getpixel((0, 0))  # a partly-read file must not matter
        stats = client.inspect_image(image)
    assert recorder.last.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(recorder.last.content)).size == (16, 8)
    assert stats == vision_client.ImageStats(width=16, height=8, mode="RGB", format="JPEG")
    client.inspect_image(path)
    assert recorder.last.headers["content-type"] == "image/jpeg"
    assert recorder.last.content == path.read_bytes()


def test_file_argument_accepts_path_str_bytes_and_open_file_with_the_declared_type(tmp_path: Path) -> None:
    source = tmp_path / "voice.wav"
    source.write_bytes(wav_bytes())
    recorder = Recorder(httpx.Response(200, content=b"RIFF-out", headers={"content-type": "audio/wav"}))
    client = vision_client.Client(BASE, http_client=recorder.sync_http())
    with source.open("rb") as handle:
        for value in (source, str(source), source.read_bytes(), handle):
            result = client.reverse_audio(audio=value, output_dir=tmp_path / "out")
            (field, _name, media, body), = parts(recorder.last)
            assert (field, media, body) == ("audio", "audio/wav", source.read_bytes())
            assert result.parent == tmp_path / "out" and result.read_bytes() == b"RIFF-out"
            assert result.suffix == ".wav"
    # Earlier answers are never overwritten.
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["output-1.wav", "output-2.wav", "output-3.wav", "output.wav"]


def test_text_mode_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("x")
    client = vision_client.Client(BASE, http_client=Recorder().sync_http())
    with path.open("r") as handle, pytest.raises(TypeError, match="text mode"):
        client.reverse_audio(audio=handle)  # type: ignore[arg-type]


def test_list_of_files_and_json_fields_share_one_multipart_request(tmp_path: Path) -> None:
    first = tmp_path / "a.bin"
    first.write_bytes(b"A")
    recorder = Recorder(httpx.Response(200, json={"a.bin": "x"}))
    client = vision_client.Client(BASE, http_client=recorder.sync_http())
    client.checksums(files=[first, io.BytesIO(b"B")], algorithm="md5")
    found = parts(recorder.last)
    assert [(f, n, b) for f, n, _m, b in found] == [("files", "a.bin", b"A"), ("files", "files", b"B"), ("algorithm", None, b'"md5"')]
    assert found[2][2] == "application/json"


def test_model_field_of_a_multipart_body_is_json(tmp_path: Path) -> None:
    recorder = Recorder(httpx.Response(200, content=_png(), headers={"content-type": "image/png"}))
    client = vision_client.Client(BASE, http_client=recorder.sync_http())
    client.crop(image=_png(), box={"left": 0, "top": 0, "right": 1, "bottom": 1})
    fields = {f: (m, b) for f, _n, m, b in parts(recorder.last)}
    assert fields["image"][0] == "image/png"
    assert fields["box"] == ("application/json", b'{"left":0,"top":0,"right":1,"bottom":1}')


def test_file_answer_name_never_escapes_the_output_folder(tmp_path: Path) -> None:
    reply = httpx.Response(200, content=b"x", headers={"content-disposition": 'attachment; filename="../../etc/passwd"'})
    client = vision_client.Client(BASE, http_client=Recorder(reply).sync_http())
    result = client.thumbnail(image=_png(), output_dir=tmp_path)
    assert result.parent == tmp_path and result.name == "passwd"


# --- streams -------------------------------------------------------------------------------


def test_event_decoder_follows_the_sse_framing() -> None:
    decoder = _streaming.EventDecoder()
    lines = [": comment", "event: token", "data: a", "data:b", "id: 7", "retry: 10", "", "data: [DONE]", ""]
    events = [event for line in lines if (event := decoder.feed(line)) is not None]
    assert events == [
        _streaming.ServerSentEvent("a\nb", "token", "7", 10),
        _streaming.ServerSentEvent("[DONE]", id="7"),  # the last event id persists
    ]


class _Body(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A streamed body that records whether it was closed."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.closed = False

    def __iter__(self) -> Any:
        yield from self.chunks

    async def __aiter__(self) -> Any:
        for chunk in self.chunks:
            yield chunk

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def test_bentoml_stream_yields_raw_chunks_and_closes_when_stopped_early() -> None:
    body = _Body([b"0\n", b"1\n", b"2\n"])
    client = jobs_client.Client(BASE, http_client=Recorder(lambda r: httpx.Response(200, stream=body)).sync_http())
    with client.count(n=3) as stream:
        assert next(stream) == "0\n"
    assert body.closed
    body2 = _Body([b"a ", b"b "])
    client = jobs_client.Client(BASE, http_client=Recorder(lambda r: httpx.Response(200, stream=body2)).sync_http())
    assert list(client.tokens(prompt="a b")) == ["a ", "b "] and body2.closed


def test_async_stream_and_error_status_before_streaming() -> None:
    async def main() -> None:
        body = _Body([b"x", b"y"])
        client = jobs_client.AsyncClient(BASE, http_client=Recorder(lambda r: httpx.Response(200, stream=body)).async_http())
        stream = await client.tokens(prompt="x y")
        assert [chunk async for chunk in stream] == ["x", "y"] and body.closed
        failing = jobs_client.AsyncClient(BASE, max_retries=0, http_client=Recorder(httpx.Response(400, json={"error": "bad prompt"})).async_http())
        with pytest.raises(jobs_client.BadRequestError, match="bad prompt"):
            await failing.tokens(prompt="")

    asyncio.run(main())


# --- tasks ---------------------------------------------------------------------------------


def _status(state: str) -> httpx.Response:
    return httpx.Response(200, json={"task_id": "t1", "status": state, "created_at": "now", "executed_at": None})


def test_task_submit_polls_with_backoff_and_returns_the_typed_result(monkeypatch: pytest.MonkeyPatch) -> None:
    delays = patch_sleep(monkeypatch, _tasks)
    report = {"epochs": 3, "loss": 0.33, "history": [1.0, 0.5, 0.33]}
    recorder = Recorder(_status("in_progress"), _status("pending"), _status("in_progress"), _status("completed"), httpx.Response(200, json=report))
    client = jobs_client.Client(BASE, http_client=recorder.sync_http())
    task = client.train.submit(epochs=3)
    assert task.id == "t1"
    assert task.result(timeout=60) == jobs_client.TrainingReport(**report)
    assert [(r.method, r.url.path, r.url.params.get("task_id")) for r in recorder.requests] == [
        ("POST", "/train/submit", None),
        ("GET", "/train/status", "t1"),
        ("GET", "/train/status", "t1"),
        ("GET", "/train/status", "t1"),
        ("GET", "/train/get", "t1"),
    ]
    assert json.loads(recorder.requests[0].content) == {"epochs": 3}
    assert delays == sorted(delays) and delays[0] > 0 and len(delays) == 2


def test_failed_task_raises_with_the_server_message() -> None:
    recorder = Recorder(_status("in_progress"), _status("failed"), httpx.Response(500, json={"error": "boom: bad input"}))
    client = jobs_client.Client(BASE, max_retries=0, http_client=recorder.sync_http())
    task = client.explode.submit(message="x")
    with pytest.raises(jobs_client.TaskFailedError, match="boom: bad input") as caught:
        task.result()
    assert caught.value.task_id == "t1" and caught.value.status.failed


def test_task_retry_cancel_and_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    patch_sleep(monkeypatch, _tasks)
    recorder = Recorder(_status("in_progress"))
    client = jobs_client.Client(BASE, http_client=recorder.sync_http())
    task = client.batch_score.get("t1")
    assert task.cancel().task_id == "t1" and recorder.last.method == "PUT"
    assert recorder.last.url.path == "/v1/batch-score/cancel"
    assert task.retry().id == "t1" and recorder.last.url.path == "/v1/batch-score/retry"
    monkeypatch.setattr(_tasks.time, "monotonic", iter(range(0, 10_000, 5)).__next__)
    with pytest.raises(jobs_client.TaskTimeoutError):
        task.result(timeout=1)


def test_async_task_submit_and_result() -> None:
    async def main() -> list[float]:
        recorder = Recorder(_status("success"), _status("success"), httpx.Response(200, json=[2.0, 4.0]))
        client = jobs_client.AsyncClient(BASE, http_client=recorder.async_http())
        task = await client.batch_score.submit(items=[1.0, 2.0])
        return await task.result()

    assert asyncio.run(main()) == [2.0, 4.0]


# --- health --------------------------------------------------------------------------------


def test_wait_until_ready_backs_off_and_gives_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from jobs_client._runtime import _sync

    delays = patch_sleep(monkeypatch, _sync)
    recorder = Recorder(httpx.Response(503), httpx.Response(503), httpx.Response(503), httpx.Response(200))
    client = jobs_client.Client(BASE, http_client=recorder.sync_http())
    assert client.is_live() is False  # 503
    client.wait_until_ready(timeout=30)
    assert [r.url.path for r in recorder.requests] == ["/livez", "/readyz", "/readyz", "/readyz"]
    assert delays == sorted(delays) and delays[0] > 0
    never = jobs_client.Client(BASE, http_client=Recorder(httpx.ConnectError("refused")).sync_http())
    assert never.is_ready() is False
    clock = iter(range(0, 1000))
    monkeypatch.setattr(_sync.time, "monotonic", lambda: float(next(clock)))
    with pytest.raises(jobs_client.APITimeoutError):
        never.wait_until_ready(timeout=3)
