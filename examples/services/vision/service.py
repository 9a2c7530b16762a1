"""Vision: a BentoML service taking and returning images and files.

It exercises what a generated client must get right for binary payloads:
``PIL.Image.Image`` in and out (multipart), a raw-body image API (a
positional-only image parameter, sent as the request body itself), a ``Path``
input and output with a declared content type (``audio/wav``), a list of files,
and a multipart request mixing a file with JSON fields.
"""

from __future__ import annotations

import hashlib
import tempfile
import wave
from pathlib import Path
from typing import Annotated

import bentoml
from bentoml.validators import ContentType
from PIL import Image, ImageOps
from pydantic import BaseModel, Field


class ImageStats(BaseModel):
    """What ``inspect_image`` reports about an image."""

    width: int
    height: int
    mode: str
    format: str | None = None


class Crop(BaseModel):
    """A rectangle inside an image, in pixels."""

    left: int = Field(ge=0)
    top: int = Field(ge=0)
    right: int = Field(gt=0)
    bottom: int = Field(gt=0)


@bentoml.service
class Vision:
    """Image and audio helpers."""

    @bentoml.api
    def invert(self, image: Image.Image) -> Image.Image:
        """Invert the colours of an RGB image (returned as PNG)."""
        return ImageOps.invert(image.convert("RGB"))

    @bentoml.api
    def inspect_image(self, image: Image.Image, /) -> ImageStats:
        """Describe an image sent as the raw request body."""
        return ImageStats(width=image.width, height=image.height, mode=image.mode, format=image.format)

    @bentoml.api
    def crop(self, image: Image.Image, box: Crop, label: str = "crop") -> Image.Image:
        """Crop ``image`` to ``box`` (a multipart request mixing a file and JSON fields)."""
        if box.right > image.width or box.bottom > image.height:
            raise bentoml.exceptions.InvalidArgument(f"box {box} outside a {image.width}x{image.height} image")
        return image.crop((box.left, box.top, box.right, box.bottom))

    @bentoml.api
    def reverse_audio(
        self, audio: Annotated[Path, ContentType("audio/wav")]
    ) -> Annotated[Path, ContentType("audio/wav")]:
        """Reverse a mono 16-bit WAV file; the result is a WAV file too."""
        with wave.open(str(audio), "rb") as src:
            params = src.getparams()
            frames = src.readframes(src.getnframes())
        width = params.sampwidth
        reversed_frames = b"".join(frames[i : i + width] for i in range(len(frames) - width, -1, -width))
        out = audio.with_name("reversed.wav")
        with wave.open(str(out), "wb") as dst:
            dst.setparams(params)
            dst.writeframes(reversed_frames)
        return out

    @bentoml.api
    def content_type_of(self, document: Annotated[Path, ContentType("application/pdf")]) -> str:
        """Echo the name and size of a PDF upload."""
        return f"{document.suffix or 'none'}:{document.stat().st_size}"

    @bentoml.api
    def checksums(self, files: list[Path], algorithm: str = "sha256") -> dict[str, str]:
        """Hash every uploaded file; the keys are the uploaded file names."""
        return {f.name: hashlib.new(algorithm, f.read_bytes()).hexdigest() for f in files}

    @bentoml.api
    def thumbnail(self, image: Image.Image, size: int = 32) -> Path:
        """A JPEG thumbnail written to a file (a ``Path`` result)."""
        out = Path(tempfile.mkdtemp(prefix="thumb-")) / "thumbnail.jpg"
        thumb = image.convert("RGB")
        thumb.thumbnail((size, size))
        thumb.save(out, format="JPEG")
        return out
