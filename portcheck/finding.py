"""Findings: the one value every stage produces and every reporter consumes."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Sequence
from typing import NamedTuple


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Location(NamedTuple):
    """A 1-based position in a repo-relative POSIX path."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


def line_column(data: str | bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and column of ``offset`` into ``data``. Columns count characters,
    so a byte offset into UTF-8 points where an editor (and every other finding) does."""
    if isinstance(data, str):
        start = data.rfind("\n", 0, offset) + 1
        return data.count("\n", 0, offset) + 1, offset - start + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, len(data[start:offset].decode("utf-8", "replace")) + 1


@dataclasses.dataclass(frozen=True, order=True)
class Finding:
    """One problem at one place; sorting findings gives every output its order."""

    path: str
    line: int
    column: int
    code: str
    name: str
    severity: Severity
    message: str
    related: tuple[Location, ...] = ()

    @property
    def location(self) -> Location:
        return Location(self.path, self.line, self.column)

    def with_severity(self, severity: Severity) -> Finding:
        return dataclasses.replace(self, severity=severity)

    def as_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": str(self.severity),
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "related": [loc._asdict() for loc in self.related],
        }


def severity_counts(findings: Iterable[Finding]) -> tuple[int, int]:
    """(errors, warnings) among ``findings``."""
    errors = warnings = 0
    for finding in findings:
        if finding.severity is Severity.ERROR:
            errors += 1
        else:
            warnings += 1
    return errors, warnings


#: The longest message a finding carries: one line a reader takes in, whatever the input
#: (one CODEOWNERS line can name 100,000 owners).
MESSAGE_LIMIT = 1000


def bounded(message: str) -> str:
    """``message`` cut to MESSAGE_LIMIT characters, saying how much was left out."""
    if len(message) <= MESSAGE_LIMIT:
        return message
    rest = len(message) - MESSAGE_LIMIT
    return f"{message[:MESSAGE_LIMIT]}… ({rest:,} more characters)"


def few(items: Sequence[str], shown: int = 2) -> str:
    """At most ``shown`` items, then a count: ``@o0, @o1 and 99,998 more``."""
    if len(items) <= 1:
        return "".join(items)
    if len(items) <= shown + 1:
        return f"{', '.join(items[:-1])} and {items[-1]}"
    return f"{', '.join(items[:shown])} and {len(items) - shown:,} more"


def printable(text: str, limit: int = 80) -> str:
    """Quote a value from an input file so it can never steer a terminal or a log.

    Control characters, lone surrogates and other non-printables are escaped
    (hostile corpus: ansi_escape_injection, lone_surrogate_escape), and long
    values are shortened so one finding stays one line.
    """
    return f"'{printable_text(text, limit)}'"


def printable_text(text: str, limit: int = 80) -> str:
    """:func:`printable` without the quotes, for a value inside a sentence of its own."""
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return escape_controls(shown)


def escape_controls(text: str) -> str:
    """``text`` with every non-printable character as a Python-style escape."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else escape_char(ch) for ch in text)


def escape_char(ch: str) -> str:
    """One character as a Python-style escape (``\\x1b``, ``\\u200b``, ``\\U0001f600``)."""
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def plural(count: int, noun: str) -> str:
    """``1 file``, ``2 files``, ``0 files``: every count in every output reads this way."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
