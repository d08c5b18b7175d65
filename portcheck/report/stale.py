"""The stale report as text, JSON or markdown: pure functions, report in, string out.

Markdown escapes every value as ``check``'s markdown does, so no owner named in
the weekly issue is mentioned (and notified) by it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import NamedTuple

from portcheck.finding import Finding, escape_controls, plural
from portcheck.report.markdown import escape
from portcheck.rules import EXPIRED, RECLAIMABLE, REVIEW_OVERDUE

TITLE = "Stale port allocations"

#: What resolves each kind of item: a command (the id filled in), or advice.
FIXES = {
    REVIEW_OVERDUE.code: "portcheck renew {id}",
    EXPIRED.code: "portcheck retire {id}",
    RECLAIMABLE.code: "portcheck reclaim",
}
ADVICE = "edit depends_on: the allocation it names does not exist"


class Item(NamedTuple):
    owner: str
    id: str
    finding: Finding

    @property
    def command(self) -> str | None:
        fix = FIXES.get(self.finding.code)
        return None if fix is None else fix.format(id=self.id)


@dataclasses.dataclass(frozen=True)
class StaleReport:
    as_of: dt.date
    items: tuple[Item, ...]  # by owner (case-insensitively), then by finding

    def by_owner(self) -> list[tuple[str, list[Item]]]:
        groups: dict[str, list[Item]] = {}
        for item in self.items:
            groups.setdefault(item.owner.lower(), []).append(item)
        return [(items[0].owner, items) for items in groups.values()]


def summary(report: StaleReport) -> str:
    if not report.items:
        return f"Nothing is stale as of {report.as_of}."
    owners = len(report.by_owner())
    return (
        f"{plural(len(report.items), 'stale item')} for {plural(owners, 'owner')} "
        f"as of {report.as_of}."
    )


def render_text(report: StaleReport) -> str:
    lines: list[str] = []
    for owner, items in report.by_owner():
        lines.append(escape_controls(owner))
        for item in items:
            finding = item.finding
            lines.append(f"  {finding.location}: {finding.code} {finding.name} {finding.message}")
            lines.append(f"    fix: {item.command or ADVICE}")
    return "".join(f"{line}\n" for line in lines)


def render_json(report: StaleReport) -> str:
    owners = [
        {"owner": owner, "items": [_item_json(item) for item in items]}
        for owner, items in report.by_owner()
    ]
    document = {
        "version": 1,
        "as_of": report.as_of.isoformat(),
        "owners": owners,
        "summary": {"items": len(report.items), "owners": len(owners)},
    }
    return json.dumps(document, indent=2) + "\n"


def _item_json(item: Item) -> dict[str, object]:
    return {"id": item.id, **item.finding.as_json(), "fix": item.command}


def render_markdown(report: StaleReport) -> str:
    parts = [f"## {TITLE}\n\n{escape(summary(report))}\n"]
    if report.items:
        parts.append("Run the fix, or edit the file, and open a pull request.\n")
    for owner, items in report.by_owner():
        rows = "".join(_markdown_row(item) for item in items)
        parts.append(
            f"### {escape(owner)}\n\n"
            "| file | rule | problem | fix |\n| --- | --- | --- | --- |\n" + rows
        )
    return "\n".join(parts)


def _markdown_row(item: Item) -> str:
    finding = item.finding
    fix = f"`{item.command}`" if item.command else escape(ADVICE)
    cells = (
        escape(f"{finding.path}:{finding.line}"),
        f"{finding.code} {finding.name}",
        escape(finding.message),
        fix,
    )
    return f"| {' | '.join(cells)} |\n"
