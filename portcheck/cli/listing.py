"""`portcheck list` output: an aligned table, JSON for scripts, CSV for spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from portcheck.finding import escape_controls
from portcheck.register import Entry
from portcheck.report.export import spreadsheet_safe

COLUMNS = (
    "id", "path", "service", "port", "protocol", "scope", "owner", "status", "allocated",
    "review_by", "expires", "retired_on", "contact", "description", "depends_on", "links",
)  # fmt: skip


def record(entry: Entry) -> dict[str, object]:
    fields = entry.allocation.model_dump(mode="json")
    return {"id": entry.id, "path": entry.path, **fields}


def as_json(entries: Sequence[Entry]) -> str:
    return json.dumps([record(entry) for entry in entries], indent=2, ensure_ascii=False) + "\n"


def as_csv(entries: Sequence[Entry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for entry in entries:
        row = record(entry)
        writer.writerow([_cell(key, row.get(key)) for key in COLUMNS])
    return out.getvalue()


def _cell(key: str, value: object) -> str:
    if value is None:
        return ""
    text = " ".join(map(str, value)) if isinstance(value, list) else str(value)
    # owner is always @user or @org/team (schema): quoting it would only spoil the data.
    return text if key == "owner" else spreadsheet_safe(text)


def as_text(entries: Sequence[Entry]) -> str:
    rows = [_text_row(entry) for entry in entries]
    if not rows:
        return ""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        + "  "
        + row[-1]
        for row in rows
    ]
    return "".join(escape_controls(line.rstrip()) + "\n" for line in lines)


def _text_row(entry: Entry) -> list[str]:
    allocation = entry.allocation
    ports = f"{'+'.join(allocation.protocols)}/{allocation.span}"
    return [
        entry.id,
        ports,
        ",".join(allocation.scopes),
        allocation.owner,
        allocation.status,
        entry.path,
    ]
