"""Compile ``open_inference.proto`` into the runtime module that carries its descriptor.

Run: ``.venv/bin/python proto/compile.py`` (needs grpcio-tools, a test
dependency). Writes ``templates/package/_runtime/_grpc_proto.py.jinja``: the
file's serialized ``FileDescriptorProto`` (protoc's own parse, no source info,
serialized deterministically) as a bytes literal. Generated clients build their
message classes from it at run time in a private descriptor pool, so they need
no protoc-generated modules and work with every protobuf release from 4.25 to 6.x
(no gencode/runtime version check to satisfy). ``tests/test_grpc_proto.py``
checks the committed module is what this script writes.
"""

from __future__ import annotations

import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROTO = HERE / "open_inference.proto"
TARGET = HERE.parent / "templates" / "package" / "_runtime" / "_grpc_proto.py.jinja"
TEMPLATE = HERE / "grpc_proto.py.in"
#: Bytes per line of the literal.
WIDTH = 60


def descriptor_bytes() -> bytes:
    """``open_inference.proto`` compiled by grpcio-tools' protoc, as a serialized FileDescriptorProto."""
    from google.protobuf import descriptor_pb2
    from grpc_tools import protoc

    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "set.pb"
        code = protoc.main(["protoc", f"-I{HERE}", f"--descriptor_set_out={out}", PROTO.name])
        if code != 0:
            raise SystemExit(f"protoc failed with exit code {code}")
        files = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    (proto,) = files.file
    return proto.SerializeToString(deterministic=True)


def module_text(data: bytes) -> str:
    lines = "\n".join(f"    {data[i : i + WIDTH]!r}" for i in range(0, len(data), WIDTH))
    return TEMPLATE.read_text().replace("@TOOLS@", f"grpcio-tools {version('grpcio-tools')}").replace("@BYTES@", lines)


def main() -> int:
    text = module_text(descriptor_bytes())
    if any(mark in text for mark in ("{{", "{%", "{#")):
        raise SystemExit("the descriptor literal holds a jinja delimiter: the template would not render it as is")
    TARGET.write_text(text, encoding="utf-8", newline="\n")
    print(f"{PROTO.name} -> {TARGET.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
