"""Edit top-level scalar values of an allocation file, keeping every other byte.

ruamel.yaml's round-trip composer says where each value starts and ends and how
it was quoted; the new value is spliced into the original text in the same
quoting style, and a missing key is inserted as a line after the key that
precedes it in the usual field order. Re-dumping the whole document instead
would re-indent lists, re-wrap long lines and move end-of-line comments, so
nothing but the edited values changes here: comments, key order, quoting,
blank lines, line endings and a byte-order mark all stay as they were.
"""

from __future__ import annotations

from collections.abc import Mapping

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from portcheck.finding import Finding
from portcheck.load import parse_document
from portcheck.model.validate import validate_allocation

#: The field order of docs/file-format.md's example; a new key goes after the last one before it.
FIELD_ORDER = (
    "service",
    "port",
    "protocol",
    "scope",
    "owner",
    "contact",
    "description",
    "status",
    "allocated",
    "review_by",
    "depends_on",
    "links",
    "expires",
    "retired_on",
)
_QUOTES = {"'": "'", '"': '"'}
_BLOCK_STYLES = frozenset("|>")


def _plain_for_block(block: str, value: str) -> str:
    """A block scalar (``>-  # why`` and its indented lines) rewritten as the plain ``value``
    on the key's line, keeping the header's comment and the line breaks that ended it."""
    header = block.split("\n", 1)[0].rstrip("\r")
    hash_at = header.find("#")
    comment = ""
    if hash_at > 0:
        comment = header[len(header[:hash_at].rstrip(" \t")) :]
    body = block.rstrip("\r\n \t")
    breaks = block[len(body) :].lstrip(" \t")
    return value + comment + breaks


def set_values(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each top-level key of ``values`` set to that plain scalar text.

    ``text`` must hold a mapping (an allocation that passed loading); values are
    dates and status words, which need no escaping in any quoting style.
    """
    for key, value in values.items():
        text = set_value(text, key, value)
    return text


def first_problem(text: str, path: str) -> Finding | None:
    """The first finding the loader or the schema stage would report on ``text``."""
    loaded = parse_document(text.encode("utf-8"), path)
    result = [loaded] if isinstance(loaded, Finding) else validate_allocation(loaded)
    return result[0] if isinstance(result, list) and result else None


def set_value(text: str, key: str, value: str) -> str:
    mapping = _compose(text)
    pairs = {k.value: v for k, v in mapping.value if isinstance(k, ScalarNode)}
    node = pairs.get(key)
    if node is not None:
        return _splice(text, node, value)
    return _insert(text, mapping, pairs, f"{key}: {value}")


class Uneditable(Exception):
    """The file's layout has no safe place for the edit; it is left alone."""


def _compose(text: str) -> MappingNode:
    try:
        node = YAML(typ="rt").compose(text)
    except YAMLError as error:
        raise Uneditable(f"cannot parse it: {error.__class__.__name__}") from None
    if not isinstance(node, MappingNode) or node.flow_style:
        # A flow mapping ({service: a, ...}) has no line to insert a key on.
        raise Uneditable("only a block mapping (one key per line) can be edited in place")
    return node


def _splice(text: str, node: Node, value: str) -> str:
    start, end = node.start_mark.index, node.end_mark.index
    if isinstance(node, ScalarNode) and node.style in _BLOCK_STYLES:
        return text[:start] + _plain_for_block(text[start:end], value) + text[end:]
    quote = _QUOTES.get(node.style, "") if isinstance(node, ScalarNode) else ""
    return f"{text[:start]}{quote}{value}{quote}{text[end:]}"


def _insert(text: str, mapping: MappingNode, pairs: dict[str, Node], line: str) -> str:
    """Insert ``line`` after the value of the last present key that precedes it."""
    key = line.partition(":")[0]
    before = FIELD_ORDER[: FIELD_ORDER.index(key)] if key in FIELD_ORDER else FIELD_ORDER
    present = [node for name, node in pairs.items() if name in before]
    after = present[-1] if present else mapping.value[-1][1]
    at = _line_end(text, after.end_mark.index)
    newline = "\r\n" if "\r\n" in text else "\n"
    indent = " " * mapping.value[0][0].start_mark.column
    lead = "" if text[:at].endswith("\n") or not at else newline
    return f"{text[:at]}{lead}{indent}{line}{newline}{text[at:]}"


def _line_end(text: str, end: int) -> int:
    """The index just after the line break that ends the line holding ``text[end - 1]``."""
    found = text.find("\n", max(end - 1, 0))
    return len(text) if found < 0 else found + 1
