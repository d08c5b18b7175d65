"""The strict YAML reader: ruamel.yaml's event stream, folded into a Document.

Working on events rather than composed nodes lets every strictness
rule fire while streaming: an alias is refused before anything could expand
(billion laughs), nesting stops at depth 32 before any recursion, a second
document stops the read. Nothing is constructed, so no tag can run code.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml import events as ev
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.reader import ReaderError

from portcheck.finding import Finding, Location, line_column, printable, printable_text
from portcheck.load.document import Document, NodePath, Scalar, ScalarStyle
from portcheck.load.scalars import resolve_plain
from portcheck.rules import YAML_DUPLICATE_KEY, YAML_SYNTAX, YAML_UNSAFE

MAX_DEPTH = 32

_STYLES: dict[str | None, ScalarStyle] = {
    None: "plain",
    "'": "single",
    '"': "double",
    "|": "literal",
    ">": "folded",
}


class _Stop(Exception):
    """A strictness rule fired; carries the finding."""

    def __init__(self, finding: Finding) -> None:
        self.finding = finding


@dataclasses.dataclass
class _Frame:
    """A mapping or sequence being filled."""

    path: NodePath
    value: dict[str, object] | list[object]
    key: tuple[str, tuple[int, int]] | None = None  # a mapping's pending key
    seen: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)


class _Builder:
    def __init__(self, path: str) -> None:
        self.doc = Document(path=path, data={})
        self.stack: list[_Frame] = []
        self.documents = 0
        self.root: object = _MISSING

    def refuse(self, at: tuple[int, int], message: str) -> _Stop:
        """Stop reading: the file uses YAML that allocation files must not (PC102)."""
        return _Stop(YAML_UNSAFE.finding(Location(self.doc.path, *at), message))

    def feed(self, event: Any, text: str) -> None:
        at = (event.start_mark.line + 1, event.start_mark.column + 1)
        if isinstance(event, ev.DocumentStartEvent):
            self.start_document(event, at, text)
        elif isinstance(event, ev.AliasEvent):
            raise self.refuse(at, "aliases are not allowed: write the value out")
        elif isinstance(event, ev.NodeEvent):
            self.check_node(event, at)
            if isinstance(event, ev.ScalarEvent):
                self.scalar(event, at)
            elif isinstance(event, ev.CollectionStartEvent):
                self.open(event, at)
        elif isinstance(event, ev.CollectionEndEvent):
            self.stack.pop()

    def start_document(self, event: Any, at: tuple[int, int], text: str) -> None:
        self.documents += 1
        if self.documents > 1:
            raise self.refuse(at, "several documents in one file: keep one allocation")
        if event.version or event.tags:
            raise self.refuse(_directive_at(text), "directives (%YAML, %TAG) are not allowed")

    def check_node(self, event: Any, at: tuple[int, int]) -> None:
        if event.anchor is not None:
            raise self.refuse(at, f"anchors are not allowed (&{printable_text(event.anchor)})")
        if event.tag is not None and str(event.tag) != "!":
            raise self.refuse(at, f"tags are not allowed ({printable(str(event.tag))})")

    def scalar(self, event: Any, at: tuple[int, int]) -> None:
        style = _STYLES.get(event.style, "plain")
        frame = self.stack[-1] if self.stack else None
        if frame is not None and isinstance(frame.value, dict) and frame.key is None:
            self.key(frame, event.value, style, at)
            return
        value = resolve_plain(event.value) if style == "plain" else event.value
        if event.value == "" and style == "plain" and frame is not None and frame.key:
            at = frame.key[1]  # an empty value has no text: point at its key, not the next line
        node = self.place(value, at)
        self.doc.scalars[node] = Scalar(style, event.value)

    def key(self, frame: _Frame, text: str, style: ScalarStyle, at: tuple[int, int]) -> None:
        if not frame.path and style != "plain":
            raise self.refuse(at, "top-level keys must be plain scalars, not quoted")
        if style == "plain" and text == "<<":
            raise self.refuse(at, "merge keys (<<) are not allowed: write the keys out")
        first = frame.seen.get(text)
        if first is not None:
            raise _Stop(
                YAML_DUPLICATE_KEY.finding(
                    Location(self.doc.path, *at),
                    f"duplicate key {printable(text)} (first at line {first[0]})",
                    related=[Location(self.doc.path, *first)],
                )
            )
        frame.seen[text] = at
        frame.key = (text, at)
        self.doc.key_at[(*frame.path, text)] = at

    def open(self, event: Any, at: tuple[int, int]) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise self.refuse(at, f"nesting deeper than {MAX_DEPTH} levels")
        parent = self.stack[-1] if self.stack else None
        if parent is not None and isinstance(parent.value, dict) and parent.key is None:
            raise self.refuse(at, "keys must be scalars, not collections")
        container: dict[str, object] | list[object] = (
            {} if isinstance(event, ev.MappingStartEvent) else []
        )
        node = self.place(container, at)
        self.stack.append(_Frame(node, container))

    def place(self, value: object, at: tuple[int, int]) -> NodePath:
        """Attach ``value`` to the open container (or make it the root); its path."""
        if not self.stack:
            self.root = value
            node: NodePath = ()
        else:
            frame = self.stack[-1]
            if isinstance(frame.value, dict):
                assert frame.key is not None
                node = (*frame.path, frame.key[0])
                frame.value[frame.key[0]] = value
                frame.key = None
            else:
                node = (*frame.path, len(frame.value))
                frame.value.append(value)
        self.doc.value_at[node] = at
        return node

    def finish(self) -> Document | Finding:
        if self.root is _MISSING or self.root is None:
            return YAML_UNSAFE.finding(
                Location(self.doc.path), "the file is empty: an allocation is a mapping of fields"
            )
        if not isinstance(self.root, dict):
            kind = "a list" if isinstance(self.root, list) else "a single value"
            return YAML_UNSAFE.finding(
                Location(self.doc.path, *self.doc.value_at.get((), (1, 1))),
                f"the top level is {kind}: an allocation is a mapping of fields",
            )
        self.doc.data = self.root
        return self.doc


_MISSING = object()


def parse_strict(text: str, path: str) -> Document | Finding:
    """Read ``text`` (already decoded, BOM removed) with every strictness rule."""
    builder = _Builder(path)
    try:
        # The "safe" parser: events only, no comment tracking (the round-trip parser
        # raises NotImplementedError on some comment layouts of the YAML test suite).
        for event in YAML(typ="safe", pure=True).parse(text):
            builder.feed(event, text)
    except _Stop as refused:
        return refused.finding
    except MarkedYAMLError as error:
        return _syntax_finding(path, error, text)
    except ReaderError as error:
        at = line_column(text, error.position)
        message = f"character {printable(chr(error.character))} is not allowed in YAML"
        return YAML_UNSAFE.finding(Location(path, *at), message)
    except Exception as error:
        # The parser is third-party code fed hostile input; whatever it raises
        # is a finding about this file, never a traceback.
        return YAML_SYNTAX.finding(Location(path), f"cannot parse: {printable(str(error))}")
    return builder.finish()


def _syntax_finding(path: str, error: MarkedYAMLError, text: str) -> Finding:
    mark = error.problem_mark or error.context_mark
    at = _within(text, mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = error.problem or error.context or "invalid YAML"
    if problem.startswith("found character '\\t'"):
        # YAML 1.2 allows a tab between tokens; ruamel.yaml does not, so say what to do.
        return YAML_SYNTAX.finding(
            Location(path, *at), "a tab where only spaces are read: replace it with a space"
        )
    if error.context and error.problem:
        problem = f"{problem} ({error.context})"
    return YAML_SYNTAX.finding(Location(path, *at), printable_text(problem, 200))


def _within(text: str, line: int, column: int) -> tuple[int, int]:
    """``line:column``, or the end of the last line when the parser's mark is past it
    (at end of file it points one line past the last, which no editor can show)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if lines and line > len(lines):
        return len(lines), len(lines[-1]) + 1
    return line, column


def _directive_at(text: str) -> tuple[int, int]:
    for number, line in enumerate(text.split("\n"), 1):
        if line.startswith("%"):
            return number, 1
    return 1, 1
