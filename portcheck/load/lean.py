"""The lean reader: a file's data without positions, for judging in bulk.

A register of thousands of files needs positions only for the few files with
findings; recording them is a third of the fast reader's time. This reader takes
the commonest lines (comments, blank lines, `key: value` with a plain,
double-quoted or flow-list value) with the fast reader's own scalar rules, so
both read a value alike, and returns None on anything else.
"""

from __future__ import annotations

import re
import sys

from portcheck.load.document import Document, NodePath, Scalar
from portcheck.load.fast import (
    _INDICATORS,
    _UNUSUAL,
    _is_blank,
    _scalar,
    flow_body,
    flow_item,
    flow_parts,
)
from portcheck.load.scalars import resolve_plain

# The lean reader's key and separator; the value is cut with str methods.
_KEY_SPACE = re.compile(r"([a-z_][a-z0-9_]{0,127}): +")


def parse_lean(text: str, path: str) -> Document | None:
    """The document without positions, for a file judged in bulk: only its data
    and the port's source form (PC202). None when a line is anything but a comment
    or `key: value` with a plain, double-quoted or flow-list value; the caller
    then reads the file with parse_fast, whose result this one equals whenever it
    returns one (tests/test_yaml_fast.py)."""
    if _UNUSUAL.search(text):
        return None
    data: dict[str, object] = {}
    scalars: dict[NodePath, Scalar] = {}
    for line in text.split("\n"):
        found = _KEY_SPACE.match(line)
        if found is None:
            if _is_blank(line):
                continue
            return None
        key, raw = found[1], line[found.end() :].rstrip(" ")
        if not raw or key in data:
            return None
        first = raw[0]
        value: object
        if first == "[":
            value = _flow_items(raw)
        elif first in _INDICATORS and first != '"':
            return None
        else:
            parsed = _scalar(raw)
            if parsed is None:
                return None
            value, written = parsed
            if key == "port":
                scalars[("port",)] = written
        if value is None:
            return None
        data[sys.intern(key)] = value
    return Document(path=path, data=data, scalars=scalars) if data else None


def _flow_items(raw: str) -> list[object] | None:
    """``[a, b]`` with plain items, as the fast reader reads it."""
    body = flow_body(raw)
    if body is None:
        return None
    items: list[object] = []
    for part in flow_parts(body):
        text = flow_item(part)
        if text is None:
            return None
        items.append(resolve_plain(text))
    return items


def unusual(text: str) -> bool:
    """True when ``text`` holds a character the fast readers leave to the strict one."""
    return _UNUSUAL.search(text) is not None
