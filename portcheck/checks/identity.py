"""PC401 duplicate-id: two files under ports/ share a file stem.

Ids come from every file on disk with a valid name, broken or not, because an
id is ambiguous whether or not the other file parses. A file that failed
loading gets no finding but its own (README, Rules); it still shows as related.
"""

from __future__ import annotations

from collections.abc import Iterator

from portcheck.finding import Finding, Location, printable
from portcheck.ledger import Ledger
from portcheck.register import Register
from portcheck.rules import DUPLICATE_ID, Rule

RULES: tuple[Rule, ...] = (DUPLICATE_ID,)


def candidates(register: Register, ledger: Ledger) -> list[int]:
    """No rows: this check reads the register's ids, never its entries."""
    return []


def check(register: Register) -> Iterator[Finding]:
    for allocation_id, paths in sorted(register.ids.items()):
        if len(paths) < 2:
            continue
        for path in sorted(paths):
            if path not in register.load_failed:
                yield duplicate(allocation_id, path, paths)


def duplicate(allocation_id: str, path: str, paths: tuple[str, ...]) -> Finding:
    others = sorted(other for other in paths if other != path)
    return DUPLICATE_ID.finding(
        Location(path),
        f"id {printable(allocation_id)} is also used by {', '.join(others)}",
        related=(Location(other) for other in others),
    )
