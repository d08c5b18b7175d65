"""The stale audit: what is overdue, expired, reclaimable or dangling, by owner.

The items are the findings ``portcheck check`` reports for PC600, PC601, PC602
and PC402 (the same check modules run, so the two never disagree), each paired
with the id, the owner and the command that resolves it. portcheck.report.stale
holds the report's types and renders them.
"""

from __future__ import annotations

from collections.abc import Iterator

from portcheck.checks import dependencies, lifecycle
from portcheck.finding import Finding
from portcheck.register import Register
from portcheck.report.stale import Item, StaleReport


def collect(register: Register) -> StaleReport:
    by_path = {entry.path: entry for entry in register.entries}
    items = [
        Item(by_path[finding.path].allocation.owner, by_path[finding.path].id, finding)
        for finding in _findings(register)
    ]
    items.sort(key=lambda item: (item.owner.lower(), item.finding))
    return StaleReport(register.today, tuple(items))


def _findings(register: Register) -> Iterator[Finding]:
    yield from lifecycle.check(register)
    yield from dependencies.check(register)
