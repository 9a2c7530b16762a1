"""Calls every operation of the generated vision client, sync and async (run in the ML clients venv).

Expected values are computed here from the service's own definitions
(examples/services/vision/service.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import shutil
import sys
import tempfile
import wave
from pathlib import Path

import httpx
from PIL import Image, ImageChops, ImageOps, ImageStat

import vision_client
from vision_client import AsyncClient, BadRequestError, Client
from vision_client.models import Crop, ImageStats

SAMPLES = [(-1) ** i * (i * 397 % 30000) for i in range(240)]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def gradient(width: int = 12, height: int = 9, mode: str = "RGB") -> Image.Image:
    """An image whose every pixel differs, so crops and inversions are checkable."""
    image = Image.new("RGB", (width, height))
    for x in range(width):
        for y in range(height):
            image.putpixel((x, y), (x * 20 % 256, y * 25 % 256, (x * y * 7) % 256))
    return image.convert(mode)


def smooth(width: int, height: int) -> Image.Image:
    """A gentle gradient: JPEG re-encoding (lossy) changes it only a little."""
    image = Image.new("RGB", (width, height))
    for x in range(width):
        for y in range(height):
            image.putpixel((x, y), (40 + x * 8, 60 + y * 10, 128))
    return image


def same_pixels(got: Image.Image, want: Image.Image) -> bool:
    if got.size != want.size:
        return False
    extrema = ImageChops.difference(got.convert("RGB"), want.convert("RGB")).getextrema()
    return all(high == 0 for _low, high in extrema)


def nearly_same_pixels(got: Image.Image, want: Image.Image, mean_tolerance: float = 6.0) -> bool:
    """For JPEG round trips (lossy): same size, small mean difference per channel."""
    if got.size != want.size:
        return False
    difference = ImageChops.difference(got.convert("RGB"), want.convert("RGB"))
    return max(ImageStat.Stat(difference).mean) <= mean_tolerance


def write_wav(path: Path, samples: list[int] = SAMPLES) -> Path:
    """A mono 16-bit WAV file written with the ``wave`` module."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"".join(s.to_bytes(2, "little", signed=True) for s in samples))
    return path


def read_samples(path: Path) -> list[int]:
    with wave.open(str(path), "rb") as src:
        assert (src.getnchannels(), src.getsampwidth(), src.getframerate()) == (1, 2, 8000)
        frames = src.readframes(src.getnframes())
    return [int.from_bytes(frames[i : i + 2], "little", signed=True) for i in range(0, len(frames), 2)]


def check_reversed(result: object, folder: Path | None = None) -> None:
    assert isinstance(result, Path), type(result)
    assert result.is_file() and result.suffix == ".wav", result
    assert read_samples(result) == SAMPLES[::-1]
    if folder is not None:
        assert result.parent == folder, (result, folder)
    forget(result)


def forget(result: Path) -> None:
    """Remove a fresh temporary folder the client made for an answer (not a caller's output_dir)."""
    if result.parent.name.startswith("svcgen-"):
        shutil.rmtree(result.parent)


def check_checksums(result: object, files: dict[str, bytes], algorithm: str = "sha256") -> None:
    """BentoML stores each upload as ``tmp<random><uploaded name>``: match keys by that suffix."""
    assert isinstance(result, dict) and len(result) == len(files), result
    for name, content in files.items():
        keys = [key for key in result if key.endswith(name)]
        assert len(keys) == 1, (name, result)
        assert result[keys[0]] == hashlib.new(algorithm, content).hexdigest(), (name, result)


def check_thumbnail(result: object, size: int, source: tuple[int, int]) -> None:
    assert isinstance(result, Path) and result.is_file(), result
    with Image.open(result) as thumb:
        assert thumb.format == "JPEG", thumb.format
        assert max(thumb.size) <= size and thumb.size[0] >= 1, thumb.size
        expected = Image.new("RGB", source)
        expected.thumbnail((size, size))
        assert thumb.size == expected.size, (thumb.size, expected.size)
    forget(result)


class Parts:
    """Records the Content-Type of every multipart file part sent."""

    def __init__(self) -> None:
        self.types: list[tuple[str, str, str]] = []

    def record(self, body: bytes) -> None:
        for chunk in body.split(b"\r\n--"):
            head = chunk.split(b"\r\n\r\n", 1)[0].decode("latin-1")
            if "filename=" in head:
                name = head.split('name="', 1)[1].split('"', 1)[0]
                filename = head.split('filename="', 1)[1].split('"', 1)[0]
                ctype = head.split("Content-Type: ", 1)[1].split("\r\n", 1)[0]
                self.types.append((name, filename, ctype))

    def sync_hook(self, request: httpx.Request) -> None:
        if request.headers.get("content-type", "").startswith("multipart/"):
            self.record(request.read())

    async def async_hook(self, request: httpx.Request) -> None:
        if request.headers.get("content-type", "").startswith("multipart/"):
            self.record(await request.aread())


def make_files(folder: Path) -> dict[str, Path]:
    files = {
        "png": folder / "picture.png",
        "jpeg": folder / "photo.jpg",
        "wav": write_wav(folder / "tone.wav"),
        "pdf": folder / "paper.pdf",
        "notes": folder / "notes.txt",
        "blob": folder / "blob.bin",
    }
    gradient().save(files["png"], format="PNG")
    smooth(20, 16).save(files["jpeg"], format="JPEG", quality=95)
    files["pdf"].write_bytes(PDF)
    files["notes"].write_text("some notes\n" * 10)
    files["blob"].write_bytes(bytes(range(256)) * 3)
    return files


def check_sync(url: str, folder: Path) -> int:
    files = make_files(folder)
    parts = Parts()
    http = httpx.Client(event_hooks={"request": [parts.sync_hook]}, timeout=60)
    calls = 0
    with Client(url, http_client=http) as client:
        assert client.is_live() and client.is_ready()
        client.wait_until_ready(timeout=10)
        assert not any(hasattr(client, name) for name in ("get_healthz", "get_livez", "get_readyz"))
        assert "# TYPE" in client.get_metrics()
        calls += 4

        # invert: an image made in memory, RGB and greyscale
        source = gradient()
        inverted = client.invert(image=source)
        assert isinstance(inverted, Image.Image) and inverted.mode == "RGB", inverted
        assert same_pixels(inverted, ImageOps.invert(source)), "inverted pixels differ"
        assert inverted.getpixel((0, 0)) == (255, 255, 255) and inverted.getpixel((1, 1)) == (235, 230, 248)
        grey = gradient(mode="L")
        assert same_pixels(client.invert(image=grey), ImageOps.invert(grey.convert("RGB")))
        # invert: images opened from disk (lossless PNG exactly; JPEG is re-encoded, so nearly)
        with Image.open(files["png"]) as opened:
            assert same_pixels(client.invert(image=opened), ImageOps.invert(opened.convert("RGB")))
        with Image.open(files["jpeg"]) as opened:
            decoded = opened.convert("RGB")
            result = client.invert(image=opened)
            assert result.size == (20, 16) and nearly_same_pixels(result, ImageOps.invert(decoded))
        # invert: a path to an image file, and its bytes
        assert same_pixels(client.invert(image=files["png"]), ImageOps.invert(gradient()))
        assert same_pixels(client.invert(image=files["png"].read_bytes()), ImageOps.invert(gradient()))
        calls += 6

        # inspect_image: the raw body, positional
        stats = client.inspect_image(source)
        assert isinstance(stats, ImageStats), type(stats)
        assert (stats.width, stats.height, stats.mode, stats.format) == (12, 9, "RGB", "PNG"), stats
        stats = client.inspect_image(files["jpeg"])
        assert (stats.width, stats.height, stats.mode, stats.format) == (20, 16, "RGB", "JPEG"), stats
        stats = client.inspect_image(str(files["png"]))
        assert (stats.width, stats.height, stats.format) == (12, 9, "PNG"), stats
        assert client.inspect_image(grey).mode == "L"
        with open(files["jpeg"], "rb") as handle:
            assert client.inspect_image(handle).format == "JPEG"
        calls += 5

        # crop: an image part mixed with a JSON model part and a text field
        cropped = client.crop(image=source, box=Crop(left=2, top=1, right=9, bottom=7), label="middle")
        assert isinstance(cropped, Image.Image) and cropped.size == (7, 6), cropped
        assert same_pixels(cropped, source.crop((2, 1, 9, 7)))
        cropped = client.crop(image=files["png"], box={"left": 0, "top": 3, "right": 4, "bottom": 9})
        assert cropped.size == (4, 6) and same_pixels(cropped, gradient().crop((0, 3, 4, 9)))
        try:
            client.crop(image=source, box={"left": 0, "top": 0, "right": 50, "bottom": 5})
        except BadRequestError as error:
            assert error.status_code == 400 and "outside a 12x9 image" in str(error), str(error)
        else:
            raise AssertionError("a box outside the image did not raise")
        calls += 3

        # reverse_audio: Path, str, bytes and an open binary file; the answer is a WAV file
        check_reversed(client.reverse_audio(audio=files["wav"]))
        check_reversed(client.reverse_audio(audio=str(files["wav"])))
        check_reversed(client.reverse_audio(audio=files["wav"].read_bytes()))
        with open(files["wav"], "rb") as handle:
            check_reversed(client.reverse_audio(audio=handle))
        out = folder / "answers" / "audio"
        check_reversed(client.reverse_audio(audio=files["wav"], output_dir=out), out)
        check_reversed(client.reverse_audio(audio=files["wav"], output_dir=str(out)), out)
        calls += 6

        # content_type_of: a PDF as bytes (no file name: no suffix) and as a path
        assert client.content_type_of(document=PDF) == f"none:{len(PDF)}"
        assert client.content_type_of(document=files["pdf"]) == f".pdf:{len(PDF)}"
        calls += 2

        # checksums: a list of files mixing a Path and an open file
        with open(files["blob"], "rb") as handle:
            sums = client.checksums(files=[files["notes"], handle])
        check_checksums(sums, {"notes.txt": files["notes"].read_bytes(), "blob.bin": files["blob"].read_bytes()})
        sums = client.checksums(files=[files["pdf"]], algorithm="md5")
        check_checksums(sums, {"paper.pdf": PDF}, "md5")
        calls += 2

        # thumbnail: a Path to a JPEG no larger than ``size``
        check_thumbnail(client.thumbnail(image=gradient(100, 60)), 32, (100, 60))
        thumbs = folder / "answers" / "thumbs"
        thumb = client.thumbnail(image=gradient(40, 90), size=16, output_dir=thumbs)
        check_thumbnail(thumb, 16, (40, 90))
        assert thumb.parent == thumbs
        calls += 2

    http.close()
    sent = {(name, ctype) for name, _filename, ctype in parts.types}
    assert ("audio", "audio/wav") in sent and not any(n == "audio" and t != "audio/wav" for n, t in sent), sent
    assert ("document", "application/pdf") in sent, sent
    assert ("image", "image/png") in sent and ("image", "image/jpeg") in sent, sent
    assert ("audio", "tone.wav") in {(name, filename) for name, filename, _t in parts.types}
    return calls


async def check_async(url: str, folder: Path) -> int:
    files = make_files(folder)
    parts = Parts()
    http = httpx.AsyncClient(event_hooks={"request": [parts.async_hook]}, timeout=60)
    async with AsyncClient(url, http_client=http) as client:
        assert await client.is_live() and await client.is_ready()
        await client.wait_until_ready(timeout=10)
        assert not any(hasattr(client, name) for name in ("get_healthz", "get_livez", "get_readyz"))
        assert "# TYPE" in await client.get_metrics()

        source = gradient(10, 7)
        inverted, stats, cropped = await asyncio.gather(
            client.invert(image=source),
            client.inspect_image(source),
            client.crop(image=source, box=Crop(left=1, top=1, right=4, bottom=6), label="x"),
        )
        assert isinstance(inverted, Image.Image) and same_pixels(inverted, ImageOps.invert(source))
        assert isinstance(stats, ImageStats) and (stats.width, stats.height, stats.mode) == (10, 7, "RGB"), stats
        assert cropped.size == (3, 5) and same_pixels(cropped, source.crop((1, 1, 4, 6)))
        with Image.open(files["png"]) as opened:
            assert same_pixels(await client.invert(image=opened), ImageOps.invert(gradient()))
        assert (await client.inspect_image(files["jpeg"])).format == "JPEG"
        cropped = await client.crop(image=files["jpeg"], box={"left": 5, "top": 5, "right": 15, "bottom": 10})
        assert cropped.size == (10, 5), cropped.size
        try:
            await client.crop(image=source, box=Crop(left=0, top=0, right=11, bottom=2))
        except BadRequestError as error:
            assert "outside a 10x7 image" in str(error), str(error)
        else:
            raise AssertionError("a box outside the image did not raise")

        out = folder / "async-answers"
        with open(files["wav"], "rb") as handle:
            results = await asyncio.gather(
                client.reverse_audio(audio=files["wav"]),
                client.reverse_audio(audio=str(files["wav"])),
                client.reverse_audio(audio=files["wav"].read_bytes()),
                client.reverse_audio(audio=handle, output_dir=out),
            )
        for result in results:
            check_reversed(result)
        assert results[3].parent == out

        assert await client.content_type_of(document=files["pdf"]) == f".pdf:{len(PDF)}"
        assert await client.content_type_of(document=io.BytesIO(PDF)) == f"none:{len(PDF)}"
        with open(files["pdf"], "rb") as handle:
            result = await client.checksums(files=[files["wav"], handle], algorithm="sha1")
        check_checksums(result, {"tone.wav": files["wav"].read_bytes(), "paper.pdf": PDF}, "sha1")
        check_thumbnail(await client.thumbnail(image=files["jpeg"], size=8, output_dir=out), 8, (20, 16))
    await http.aclose()
    assert {ctype for name, _f, ctype in parts.types if name == "audio"} == {"audio/wav"}, parts.types
    return 17


if __name__ == "__main__":
    base = sys.argv[1]
    assert vision_client.__file__ and "site-packages" in vision_client.__file__, vision_client.__file__
    with tempfile.TemporaryDirectory(prefix="vision-e2e-") as sync_dir, tempfile.TemporaryDirectory(
        prefix="vision-e2e-async-"
    ) as async_dir:
        sync_calls = check_sync(base, Path(sync_dir))
        async_calls = asyncio.run(check_async(base, Path(async_dir)))
    print(f"ok sync={sync_calls} async={async_calls}")
