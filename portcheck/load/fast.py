"""The fast reader: a line parser for the flat YAML that allocation files are.

Reading a file with ruamel.yaml costs milliseconds; a register has thousands.
Nearly every allocation is a flat list of `key: value` lines, so this parser
accepts exactly that subset (lower-case keys at column 1; plain scalars,
quotes without escapes, one-line flow lists and block lists of such scalars;
comments and blank lines) and returns None on anything else, leaving the file
to the strict reader. It records positions as it goes, so no file is parsed
twice. `tests/test_yaml_fast.py` holds both readers to the same result on
every input this one accepts.
"""

from __future__ import annotations

import re
import sys

from portcheck.load.document import Document, Scalar
from portcheck.load.scalars import resolve_plain

# Only prefixes are matched by regex; the value's surrounding spaces are cut with
# str methods. A lazy group before an optional run of spaces (`(.*?) *\Z`)
# backtracks quadratically on a long run of spaces that is not the line's end.
_KEY = re.compile(r"([a-z_][a-z0-9_]{0,127}):")
# The common line in one match: a key, a plain scalar that starts with no
# indicator and holds no ": " or " #" and does not end in ":", and an optional
# comment. Other lines go through _KEY and the slower paths below.
_PLAIN_LINE = re.compile(
    r"([a-z_][a-z0-9_]{0,127}): +"
    r"([^-?:,\[\]{}#&*!|>'\"%@` ](?:[^:# ]|:(?! |\Z)| +(?![# ]|\Z)|(?<! )#)*)"
    r"(?<!:)(?: +#.*)? *\Z"
)
_ITEM = re.compile(r"( *)- ")
_SINGLE = re.compile(r"'((?:[^']|'')*)'(.*)\Z")
# Characters that cannot start a plain scalar (YAML 1.2 c-indicator).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# Flow lists stay simple: no nesting, no quotes, no comments inside.
_FLOW_UNSAFE = re.compile(r"[\[\]{}#'\"]")
# Anything outside plain printable text (control characters, NEL, line and
# paragraph separators, BOMs, surrogates, tabs, CR) goes to the strict reader.
_UNUSUAL = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)

#: A scalar's value and how it was written.
ParsedScalar = tuple[object, Scalar]
_SHARED_MAX = 40


def parse_fast(text: str, path: str) -> Document | None:
    """The document, or None when ``text`` is outside the subset."""
    if _UNUSUAL.search(text):
        return None
    doc = Document(path=path, data={})
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        plain = _PLAIN_LINE.match(line)
        if plain is not None:
            key, text = sys.intern(plain[1]), _shared(plain[2])
            if key in doc.data:
                return None
            doc.key_at[(key,)] = (index, 1)
            doc.value_at.setdefault((), (index, 1))
            doc.data[key] = resolve_plain(text)
            doc.scalars[(key,)] = Scalar("plain", text)
            doc.value_at[(key,)] = (index, plain.start(2) + 1)
            continue
        if _is_blank(line):
            continue
        match = _KEY.match(line)
        if match is None or match[1] in doc.data:
            return None
        key = sys.intern(match[1])
        value = _value(line, match.end(), blank_allowed=True)
        if value is None:
            return None
        raw, column = value
        doc.key_at[(key,)] = (index, 1)
        doc.value_at.setdefault((), (index, 1))  # the mapping starts at its first key
        if not raw or raw[0] == "#":
            index = _block_list(doc, key, lines, index)
        elif raw[0] == "[":
            index = index if _flow_list(doc, key, raw, (index, column)) else -1
        else:
            index = index if _put(doc, key, raw, (index, column)) else -1
        if index < 0:
            return None
    return doc if doc.data else None


def _shared(text: str) -> str:
    """Short values (protocols, scopes, owners, statuses, dates) repeat across a
    register: one copy each instead of one per file (a register stays in memory)."""
    return sys.intern(text) if len(text) <= _SHARED_MAX else text


def _value(line: str, start: int, *, blank_allowed: bool) -> tuple[str, int] | None:
    """The text after an indicator at ``start`` (``key:`` or ``- ``) without its
    surrounding spaces, and its 1-based column; None when no space separates them.
    ``blank_allowed``: the line may end right after the indicator."""
    rest = line[start:]
    if not rest:
        return ("", start + 1) if blank_allowed else None
    if rest[0] != " ":
        return None
    value = rest.lstrip(" ")
    return value.rstrip(" "), len(line) - len(value) + 1


def _is_blank(line: str) -> bool:
    stripped = line.lstrip(" ")
    return not stripped or stripped[0] == "#"


def _put(doc: Document, key: str, raw: str, at: tuple[int, int]) -> bool:
    parsed = _scalar(raw)
    if parsed is None:
        return False
    doc.data[key], doc.scalars[(key,)] = parsed
    doc.value_at[(key,)] = at
    return True


def _scalar(raw: str) -> ParsedScalar | None:
    """A one-line scalar, with an optional trailing comment."""
    first = raw[0]
    if first == '"':
        end = raw.find('"', 1)
        if end < 0 or "\\" in raw[1:end] or not _is_tail(raw[end + 1 :]):
            return None
        content = _shared(raw[1:end])
        return content, Scalar("double", content)
    if first == "'":
        match = _SINGLE.match(raw)
        if match is None or not _is_tail(match[2]):
            return None
        content = _shared(match[1].replace("''", "'"))
        return content, Scalar("single", content)
    if first in _INDICATORS:
        return None
    cut = raw.find(" #")
    text = _shared(raw if cut < 0 else raw[:cut].rstrip(" "))
    if ": " in text or text.endswith(":"):
        return None
    return resolve_plain(text), Scalar("plain", text)


def _is_tail(rest: str) -> bool:
    """What may follow a closing quote: nothing, or spaces and a comment."""
    stripped = rest.lstrip(" ")
    return not stripped or (stripped[0] == "#" and stripped != rest)


def _flow_list(doc: Document, key: str, raw: str, at: tuple[int, int]) -> bool:
    """``[a, b]`` on one line, items plain scalars."""
    body = flow_body(raw)
    if body is None:
        return False
    items: list[object] = []
    offset = at[1] + 1
    for index, part in enumerate(flow_parts(body)):
        text = flow_item(part)
        if text is None:
            return False
        items.append(resolve_plain(text))
        node = (key, index)
        doc.value_at[node] = (at[0], offset + len(part) - len(part.lstrip(" ")))
        doc.scalars[node] = Scalar("plain", text)
        offset += len(part) + 1
    doc.data[key] = items
    doc.value_at[(key,)] = at
    return True


def flow_body(raw: str) -> str | None:
    """The inside of ``[a, b]`` on one line, with nothing that needs the strict
    reader (nesting, quotes, comments); None otherwise."""
    end = raw.find("]")
    if end < 0 or not _is_tail(raw[end + 1 :]):
        return None
    body = raw[1:end]
    return None if _FLOW_UNSAFE.search(body) else body


def flow_parts(body: str) -> list[str]:
    return body.split(",") if body.strip(" ") else []


def flow_item(part: str) -> str | None:
    """One item of a flow list as a plain scalar's text, or None."""
    text = _shared(part.strip(" "))
    if not text or text[0] in _INDICATORS or ": " in text or text.endswith(":"):
        return None
    return text


def _block_list(doc: Document, key: str, lines: list[str], index: int) -> int:
    """Items ``- value`` under ``key:``; the index after them, or -1."""
    items: list[object] = []
    indent = -1
    while index < len(lines):
        line = lines[index]
        if _is_blank(line):
            index += 1
            continue
        match = _ITEM.match(line)
        if match is None:
            if line[0] == " ":
                return -1  # a continuation or nested mapping: not ours
            break
        if indent < 0:
            indent = len(match[1])
            doc.value_at[(key,)] = (index + 1, indent + 1)
        raw, column = _value(line, match.end() - 1, blank_allowed=False) or ("", 0)
        parsed = _scalar(raw) if raw and raw[0] != "[" else None
        if len(match[1]) != indent or parsed is None:
            return -1
        node = (key, len(items))
        items.append(parsed[0])
        doc.scalars[node] = parsed[1]
        doc.value_at[node] = (index + 1, column)
        index += 1
    if not items:
        return -1  # an empty value: rare, left to the strict reader
    doc.data[key] = items
    return index
