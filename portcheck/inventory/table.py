"""Spreadsheet exports (CSV) with a header row, such as IANA's port registry.

Columns are found by header name, case-insensitively; ``--column FIELD=HEADER``
names others. ``csv`` handles CRLF and quoted fields spanning lines; the
delimiter is ``,`` unless the header holds more ``;`` (a European spreadsheet).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from typing import Any

from portcheck.inventory import Item, Listener, Skip, parse_ports

#: Header names each field is found by; IANA's are first.
HEADERS: dict[str, tuple[str, ...]] = {
    "service": ("service name", "service", "name"),
    "port": ("port number", "port", "ports", "port #"),
    "protocol": ("transport protocol", "protocol", "proto", "transport"),
    "description": ("description", "purpose"),
    "contact": ("contact", "assignee", "owner"),
}
FIELDS = tuple(HEADERS)
#: Cells longer than this are cut: a CSV cell may be a whole paragraph.
_CELL_MAX = 1000


class ColumnError(ValueError):
    """The header lacks a column the reader needs (a usage error for the command)."""


def read_table(text: str, name: str, columns: Mapping[str, str] | None = None) -> Iterator[Item]:
    """Listeners from a CSV; ColumnError (before any row) when port or service is missing."""
    header_line = text.partition("\n")[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    csv.field_size_limit(1024 * 1024)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])
    where = locate(header, columns or {})
    return _rows(reader, where, name)


def locate(header: list[str], columns: Mapping[str, str]) -> dict[str, int]:
    """Field -> column index, from ``columns`` (FIELD -> header) or the known names."""
    names = [cell.strip().lower() for cell in header]
    where: dict[str, int] = {}
    for field in FIELDS:
        wanted = (columns[field].strip().lower(),) if field in columns else HEADERS[field]
        found = next((names.index(n) for n in wanted if n in names), None)
        if found is None and field in columns:
            raise ColumnError(f"--column {field}={columns[field]}: no such column in the header")
        if found is not None:
            where[field] = found
    for needed in ("port", "service"):
        if needed not in where:
            raise ColumnError(f"no {needed} column; name it with --column {needed}=HEADER")
    return where


def _rows(reader: Any, where: dict[str, int], name: str) -> Iterator[Item]:
    start = reader.line_num + 1  # a quoted cell may span lines: a row starts after the last
    for row in reader:
        yield from _row(row, where, f"{name}:{start}")
        start = reader.line_num + 1


def _row(row: list[str], where: dict[str, int], source: str) -> Iterator[Item]:
    cell = {field: _cell(row, index) for field, index in where.items()}
    if not any(row):
        return
    if not cell["port"]:
        yield Skip(source, "no port", cell["service"] or "(no name)")
        return
    span = parse_ports(cell["port"])
    if span is None:
        yield Skip(source, "bad port", cell["port"][:80])
    elif not cell["service"]:
        yield Skip(source, "no service name", cell["port"])
    elif not cell.get("protocol"):
        yield Skip(source, "no protocol", f"{cell['service']} {cell['port']}")
    else:
        for protocol in cell["protocol"].replace("/", " ").replace(",", " ").split():
            yield Listener(
                *span,
                protocol.lower(),
                cell["service"],
                source,
                cell.get("description", ""),
                cell.get("contact", ""),
            )


def _cell(row: list[str], index: int) -> str:
    return row[index].strip()[:_CELL_MAX] if index < len(row) else ""
