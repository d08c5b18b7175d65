"""PC402 dangling-dependency: a ``depends_on`` entry that names no allocation.

An id counts as existing when any file on disk carries it, even one that fails
loading or the schema: that file already has its own finding, and calling the
dependency dangling as well would send the author after the wrong problem.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import cast

from portcheck.finding import Finding, printable
from portcheck.ledger import Ledger
from portcheck.register import Register
from portcheck.rules import DANGLING_DEPENDENCY, Rule

RULES: tuple[Rule, ...] = (DANGLING_DEPENDENCY,)


def candidates(register: Register, ledger: Ledger) -> list[int]:
    """The rows whose depends_on names an id no file has. Nearly always every id named
    exists: one set of every named id answers that, in C, before any list is asked."""
    lists = cast(list[tuple[str, ...]], ledger.distinct("depends_on"))
    missing = set(itertools.chain.from_iterable(lists)).difference(register.ids)
    if not missing:
        return []
    return ledger.rows_valued("depends_on", lambda listed: not missing.isdisjoint(listed))


def check(register: Register) -> Iterator[Finding]:
    for entry in register.entries:
        for index, target in enumerate(entry.facts.depends_on):
            if target not in register.ids:
                yield DANGLING_DEPENDENCY.finding(
                    entry.document.locate(("depends_on", index)),
                    f"depends_on {printable(target)} is not the id of any allocation",
                )
