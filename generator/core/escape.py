"""The one escaping point per output context for text that comes from a spec.

Nothing from a spec reaches generated code except through these functions:
Python literals, docstrings, comments, TOML strings and Markdown.
"""

from __future__ import annotations

import ast
import json
import re
import textwrap
import unicodedata

#: Control characters (but tab and newline), line/paragraph separators (``str.splitlines``
#: breaks lines there, ``ast`` does not), zero-width, invisible and bidi controls (Trojan Source),
#: the BOM, and lone surrogates (not text: no file can hold them).
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]"
)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")
_MARKUP = re.compile(r"[<>]|\]\(")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_ESCAPED = re.compile(r"\\([\s\S])")


def literal(value: object) -> str:
    """A Python literal for a string, number, bool or None (``repr`` escapes everything unsafe)."""
    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    if isinstance(value, float):
        return repr(value) if value == value and value not in (float("inf"), float("-inf")) else "None"
    return repr(str(value))


def clean_text(text: str | None) -> str:
    """Text with control characters, line separators and bidi controls removed, newlines kept."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text)).replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return _UNSAFE.sub("", text)


def escaped(text: str) -> str:
    """``text`` with the characters of :data:`_UNSAFE` written as Python escapes (``\\x1b``):
    visible in a message, and the same value inside a Python string literal."""
    return _UNSAFE.sub(lambda match: match.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def docstring(text: str | None, *, limit: int = 4000, width: int = 88) -> str:
    """The body of a ``\"\"\"…\"\"\"`` docstring: inert whatever the spec wrote."""
    text = clean_text(text)[:limit]
    lines = []
    for line in text.strip().split("\n"):
        line = line.rstrip()
        if len(line) > width and not line[:1].isspace():
            lines.extend(textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False))
        else:
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    body = "\n".join(lines).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if body.endswith('"') and _unescaped_last(body):
        # a quote right before the closing ``"""`` would end the docstring early
        body = body[:-1] + '\\"'
    return body


def docstring_literal(body: str, stub: bool = False) -> str:
    """The docstring whose source between the quotes is ``body`` (as :func:`docstring` writes
    it). In a ``.pyi`` stub, the literal ``ast.unparse`` writes for its value, as in the stubs
    made from a syntax tree (``svcgen.models.stub``): no backslash unless needed."""
    if not stub:
        return f'"""{body}"""'
    value = _ESCAPED.sub(r"\1", body)  # :func:`docstring` escapes only ``\\`` and ``\"``
    if "\\" not in value and '"""' not in value and not value.endswith('"') and _printable(value):
        return f'"""{value}"""'  # what ast.unparse writes for such a value
    return ast.unparse(ast.Module(body=[ast.Expr(ast.Constant(value))], type_ignores=[]))


def _printable(value: str) -> bool:
    return value.replace("\n", "").replace("\t", "").isprintable()


def _unescaped_last(body: str) -> bool:
    """Whether the last character is not escaped (preceded by an even number of backslashes)."""
    rest = body[:-1]
    return (len(rest) - len(rest.rstrip("\\"))) % 2 == 0


def docstring_line(text: str | None, *, limit: int = 200) -> str:
    """One line of text inside a docstring (the title in ``Client for the <title> API.``): as
    :func:`comment`, then escaped as :func:`docstring` (triple quotes must not end the docstring)."""
    return docstring(comment(text, limit=limit), width=limit + 1)


def comment(text: str | None, *, limit: int = 200) -> str:
    """One line of text safe to put after ``#``."""
    return " ".join(clean_text(text).split())[:limit]


def toml_string(value: str) -> str:
    """A TOML basic string, pure ASCII: quotes, backslashes and controls escaped, anything
    beyond ASCII as ``\\uXXXX``/``\\UXXXXXXXX`` (JSON's surrogate pairs are not valid TOML)."""
    escaped = json.dumps(clean_text(value), ensure_ascii=False)
    return "".join(_toml_char(char) for char in escaped)


def _toml_char(char: str) -> str:
    code = ord(char)
    if code < 0x80:
        return char
    return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


def markdown(text: str | None, *, limit: int = 4000) -> str:
    """Inline Markdown: special characters escaped, so no links, HTML or code from the spec."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", comment(text, limit=limit))


def markdown_code(text: str | None, *, limit: int = 200, table: bool = False) -> str:
    """An inline code span holding ``text`` as it is (``POST /word_count``, no backslashes): a
    fence longer than any run of backticks inside; in a table cell, ``|`` escaped as tables need.
    Text with markup in it (``<``, ``>``, ``](``) is escaped plain text instead."""
    body = comment(text, limit=limit)
    if _MARKUP.search(body):
        # text that looks like HTML or a link stays escaped plain text (a code span would show it raw)
        return markdown(body, limit=limit)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * (longest + 1)
    if body.startswith("`") or body.endswith("`"):
        body = f" {body} "
    if table:
        body = body.replace("|", "\\|")
    return f"{fence}{body}{fence}"


def untagged(text: str | None) -> str:
    """Text without HTML tags (BentoML's descriptions hold ``<code>``, ``<b>``): their words kept."""
    return _HTML_TAG.sub("", text or "")


def markdown_block(text: str | None, *, limit: int = 4000) -> str:
    """A paragraph of Markdown, line breaks kept, everything escaped."""
    lines = clean_text(text)[:limit].strip().split("\n")
    return "\n".join(_MARKDOWN_SPECIAL.sub(r"\\\1", line.rstrip()) for line in lines)
