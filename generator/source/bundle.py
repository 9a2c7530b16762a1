"""Stage 1b: bring ``$ref``s to other documents into the one document.

A spec names other documents in its ``$ref``s (``pet.yaml#/Pet``,
``https://host/common.json#/components/schemas/Error``). Following them means
reading files and URLs a spec chose, so:

- a relative file ref is read only from the folder of a local spec file or
  below it (``..``, absolute paths and symlinks out of that folder are refused),
  or, when the user names a wider root (``--ref-root``, ``ref_root``), from
  anywhere below that root (``../common.yaml``); absolute paths, ``file:`` URIs
  and symlinks out of the root stay refused;
- an http(s) ref, or any ref in a spec that was itself fetched, is fetched only
  with ``--allow-remote-refs`` (and without the user's credentials unless it is
  on the same origin);
- every other scheme (``file:``, ``ftp:``, ``data:``...) is refused.

Each referenced schema (or parameter, response...) becomes a component of the
document and the ``$ref`` points to it; referenced path items are copied in
place. Discriminator ``mapping`` values are references too, read against the
document they are written in. The result holds no external ``$ref``, so
``svcgen fetch`` saves a self-contained document.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from ..core.errors import SvcgenError

#: Most other documents one spec may pull in.
MAX_DOCUMENTS = 100

#: Reads one other document: a URL or a local path → the parsed document.
Reader = Callable[[str], dict[str, Any]]

_KIND_KEYS = {"parameters": "parameters", "responses": "responses", "headers": "headers", "examples": "examples", "links": "links", "callbacks": "callbacks"}


def is_reference(value: str) -> bool:
    """A discriminator mapping value that is a reference (``#/...``, ``pet.yaml``, ``other.json#/Pet``),
    not the name of a component schema (``Pet``, ``io.k8s.Pod``)."""
    return "#" in value or "/" in value or value.lower().endswith(_DOCUMENT_SUFFIXES)


def is_external(value: str) -> bool:
    """A reference to another document."""
    return is_reference(value) and not value.startswith("#")


_DOCUMENT_SUFFIXES = (".json", ".yaml", ".yml")


def has_external_refs(document: object) -> bool:
    pending = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                return True
            discriminator = node.get("discriminator")
            mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
            if isinstance(mapping, dict) and any(isinstance(value, str) and is_external(value) for value in mapping.values()):
                return True
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return False


class Bundler:
    """Rewrites external ``$ref``s of one document into components (see the module notes)."""

    def __init__(self, origin: str, *, remote: bool, allow_remote: bool, read: Reader, root: Path | None = None) -> None:
        self.origin = origin
        self.remote = remote
        self.allow_remote = allow_remote
        self.read = read
        self.root_dir = None if remote else Path(origin).resolve().parent
        self.leaving = "leaves the spec's folder"
        if root is not None and self.root_dir is not None:
            wider = root.resolve()
            if not self.root_dir.is_relative_to(wider):
                raise SvcgenError(f"--ref-root {str(root)[:120]} does not hold the spec ({origin[:120]})")
            self.root_dir = wider
            self.leaving = f"leaves the --ref-root folder {str(wider)[:120]}"
        self.documents: dict[str, dict[str, Any]] = {}
        self.hoisted: dict[tuple[str, str], str] = {}
        self.components: dict[str, dict[str, Any]] = {}

    def bundle(self, document: dict[str, Any]) -> dict[str, Any]:
        result = self._walk(document, None, (), "#")
        components = dict(result.get("components") or {})
        for kind, entries in sorted(self.components.items()):
            components[kind] = {**(components.get(kind) or {}), **entries}
        return {**result, "components": components}

    def _walk(self, node: Any, base: str | None, path: tuple[str, ...], where: str) -> Any:
        """``node`` with its refs rewritten; ``base`` is the document it came from (``None``: the spec)."""
        if isinstance(node, list):
            return [self._walk(item, base, (*path, str(index)), f"{where}/{index}") for index, item in enumerate(node)]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and (base is not None or not ref.startswith("#")):
            return self._follow(ref, base, path, where)
        result = {key: self._walk(value, base, (*path, str(key)), f"{where}/{_escape(str(key))}") for key, value in node.items()}
        discriminator = node.get("discriminator")
        if isinstance(discriminator, dict) and isinstance(discriminator.get("mapping"), dict):
            result["discriminator"] = {**result["discriminator"], "mapping": self._mapping(discriminator["mapping"], base, path, where)}
        return result

    def _mapping(self, mapping: dict[str, Any], base: str | None, path: tuple[str, ...], where: str) -> dict[str, Any]:
        """A discriminator's mapping: its values are references too (resolved against the
        document they are written in), or names of that document's component schemas."""
        result: dict[str, Any] = {}
        for key, value in mapping.items():
            here = (*path, "discriminator", "mapping", str(key))
            spot = f"{where}/discriminator/mapping/{_escape(str(key))}"
            if isinstance(value, str) and base is not None and not is_reference(value):
                value = f"#/components/schemas/{_escape(value)}"  # a name in the other document
            if isinstance(value, str) and (base is not None or is_external(value)):
                value = self._follow(value, base, here, spot)["$ref"]
            result[key] = value
        return result

    def _follow(self, ref: str, base: str | None, path: tuple[str, ...], where: str) -> Any:
        location, _, fragment = ref.partition("#")
        fragment = unquote(fragment)
        document_key = self._locate(location, base, ref, where) if location else (base or self.origin)
        if document_key == self.origin:
            return {"$ref": f"#{fragment}"}  # back into the spec itself, whose pointers stay valid
        target = _pointer(self._document(document_key, ref, where), fragment, ref, where)
        if len(path) == 2 and path[0] == "paths":
            return self._walk(target, document_key, path, where)  # a path item: copied in place
        key = (document_key, fragment)
        if key not in self.hoisted:
            kind = _kind(fragment, path)
            name = self._name(kind, fragment, document_key)
            self.hoisted[key] = f"#/components/{kind}/{_escape(name)}"
            self.components.setdefault(kind, {})[name] = {}  # placeholder: the target may refer to itself
            self.components[kind][name] = self._walk(target, document_key, ("components", kind, name), where)
        return {"$ref": self.hoisted[key]}

    def _locate(self, location: str, base: str | None, ref: str, where: str) -> str:
        """The URL or resolved path of the document ``location`` names, if allowed."""
        scheme = urlsplit(location).scheme.lower()
        against = base or self.origin
        if scheme in ("http", "https") or (self.remote and not scheme) or _is_url(against):
            if scheme and scheme not in ("http", "https"):
                raise SvcgenError(f"$ref {ref[:80]!r}: only http and https URLs can be fetched", where=where)
            if not self.allow_remote:
                raise SvcgenError(f"remote $ref {ref[:80]!r} refused (use --allow-remote-refs to fetch it)", where=where)
            return urljoin(against, location)
        if scheme and len(scheme) > 1:
            raise SvcgenError(f"$ref {ref[:80]!r}: {scheme}: references are not supported", where=where)
        assert self.root_dir is not None
        candidate = Path(unquote(location))
        if candidate.is_absolute() or location.startswith(("/", "\\")):
            raise SvcgenError(f"$ref {ref[:80]!r}: absolute file paths are refused", where=where)
        resolved = (Path(against).parent / candidate).resolve()
        if not resolved.is_relative_to(self.root_dir):
            raise SvcgenError(f"$ref {ref[:80]!r}: {self.leaving}", where=where)
        return str(resolved)

    def _document(self, key: str, ref: str, where: str) -> dict[str, Any]:
        if key not in self.documents:
            if len(self.documents) >= MAX_DOCUMENTS:
                raise SvcgenError(f"more than {MAX_DOCUMENTS} documents referenced", where=where)
            try:
                self.documents[key] = self.read(key)
            except SvcgenError as exc:
                raise SvcgenError(f"$ref {ref[:80]!r}: {exc.message}", where=where) from None
        return self.documents[key]

    def _name(self, kind: str, fragment: str, document_key: str) -> str:
        parts = [part for part in fragment.split("/") if part]
        stem = parts[-1].replace("~1", "/").replace("~0", "~") if parts else Path(urlsplit(document_key).path).stem
        stem = re.sub(r"[^A-Za-z0-9_.\-]", "_", stem)[:80] or "External"
        taken = self.components.get(kind, {})
        name, number = stem, 2
        while name in taken:
            name, number = f"{stem}_{number}", number + 1
        return name


def _kind(fragment: str, path: tuple[str, ...]) -> str:
    """The components section a referenced object belongs in."""
    parts = [part for part in fragment.split("/") if part]
    if len(parts) >= 3 and parts[0] == "components":
        return parts[1]
    if len(path) >= 2 and path[-2] in _KIND_KEYS and path[-3:-2] != ("properties",):
        return _KIND_KEYS[path[-2]]
    if path and path[-1] == "requestBody":
        return "requestBodies"
    return "schemas"


def _pointer(document: Any, fragment: str, ref: str, where: str) -> Any:
    node = document
    for part in [part for part in fragment.split("/") if part]:
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            raise SvcgenError(f"$ref {ref[:80]!r} does not resolve", where=where)
    return node


def _escape(key: str) -> str:
    """A key as one JSON-pointer segment."""
    return key.replace("~", "~0").replace("/", "~1")


def _is_url(location: str) -> bool:
    return urlsplit(location).scheme.lower() in ("http", "https")
