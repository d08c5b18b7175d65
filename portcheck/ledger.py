"""A warm check: the register's accepted files as rows of columns, not as entries.

A pull request's run on a register of 100,000 files, with the cache of an
earlier run, changes a few files; every other file's facts are what the cache
stored. Making 100,000 Facts and Entries of them, only for the checks to find
nothing to say about nearly all of them, was most of such a run's second.

Here the files git vouches for stay rows of the cache's columns
(model.columns.FactTable), the few others are judged and added as rows, and
each check first names the rows it could report on at all, from the columns
(``candidates()`` in each check module): the files a policy range refuses,
the owners CODEOWNERS does not name, the dates past due, no rows at all when
no claim overlaps another. Only those rows become entries, and the check runs
on them as on any register: one semantics, with a differential test against
the full run (tests/test_warm_differential.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Sequence
from pathlib import Path

from portcheck.cache import BACKGROUND_FROM, CheckCache
from portcheck.cache.store import Stored, Verdict
from portcheck.codeowners import load_codeowners
from portcheck.finding import Finding
from portcheck.judge import Accepted, placed_all
from portcheck.load import EXTENSION
from portcheck.model import Policy
from portcheck.model.columns import FactTable
from portcheck.model.facts import Facts
from portcheck.register import Entry, Register, ids_of, walked

#: Re-judged files, per hundred rows, from which a warm run rewrites the cache. Below
#: it, writing 100,000 rows costs more than judging the few again on the next run.
REWRITE_PERCENT = 1


class Ledger:
    """The accepted files of a register, a row each: path, blob id and facts."""

    def __init__(self, root: Path, paths: list[str], blobs: list[str], table: FactTable) -> None:
        self.root = root
        self.paths = paths
        self.blobs = blobs
        self.table = table

    def __len__(self) -> int:
        return len(self.paths)

    def column(self, name: str) -> list[int]:
        """A field's column: an index into ``values(name)`` per row, or a day number."""
        return self.table.columns[name]

    def values(self, name: str) -> list[object]:
        """The distinct values of a tabled field (model.columns.TABLED)."""
        return self.table.tables[name]

    def facts(self, row: int) -> Facts:
        return self.table.facts(row)

    @functools.cached_property
    def folders(self) -> list[str]:
        """Each row's folder (``ports/payments``)."""
        return [path[: path.rfind("/")] for path in self.paths]

    @functools.cached_property
    def _all(self) -> tuple[Entry, ...]:
        facts = self.table.all_facts()
        return tuple(map(self._entry, range(len(self)), facts))

    def entries(self, rows: Sequence[int] | None) -> tuple[Entry, ...]:
        """Entries for ``rows`` (None: every row), each reading its file when asked."""
        if rows is None:
            return self._all
        return tuple(self._entry(row, self.facts(row)) for row in rows)

    def _entry(self, row: int, facts: Facts) -> Entry:
        path = self.paths[row]
        return Entry(path, path[path.rfind("/") + 1 : -len(EXTENSION)], facts, root=self.root)


def build_ledger(
    root: Path, policy: Policy, today: dt.date, cache: CheckCache
) -> tuple[Register, Ledger, list[Finding]]:
    """build_register() for a warm check: the register without entries (its checks
    take them from the ledger), the ledger, and the findings of the files that did
    not pass the schema stage. Saves the cache when enough files were judged again."""
    paths, idents, findings, failed = walked(root)
    placed, kept = placed_all(root, paths, cache)
    stored = cache.stored
    rows = [mark for mark in placed if isinstance(mark, int)]
    fresh: list[tuple[str, Facts]] = []
    for relative, outcome in zip(paths, placed, strict=True):
        if isinstance(outcome, Accepted):
            fresh.append((relative, outcome.facts))
        elif isinstance(outcome, Finding):
            findings.append(outcome)
            failed.add(relative)
        elif not isinstance(outcome, int):
            findings.extend(outcome)
    table = stored.table.select(rows)
    table.extend([facts for _, facts in fresh])
    ledger = Ledger(
        root,
        [stored.paths[row] for row in rows] + [relative for relative, _ in fresh],
        [stored.blobs[row] for row in rows] + [kept[relative][0] for relative, _ in fresh],
        table,
    )
    _save(cache, ledger, kept, unchanged=len(rows))
    register = Register(
        root=root,
        policy=policy,
        entries=(),
        ids=ids_of(paths, idents),
        load_failed=frozenset(failed),
        today=today,
        codeowners=load_codeowners(root),
    )
    return register, ledger, findings


def _save(
    cache: CheckCache, ledger: Ledger, kept: dict[str, tuple[str, Verdict]], unchanged: int
) -> None:
    """Rewrite the cache when this run judged enough files again, or lost enough."""
    stored = cache.stored
    refused = {path: held for path, held in kept.items() if held[1][0] != "ok"}
    new_refused = sum(stored.refused.get(path) != held for path, held in refused.items())
    judged = len(ledger) - unchanged + new_refused
    gone = len(stored.paths) + len(stored.refused) - unchanged - len(refused)
    total = len(ledger) + len(refused)
    changed = judged + max(gone, 0)
    worth = changed > 0 and (total < BACKGROUND_FROM or changed * 100 >= total * REWRITE_PERCENT)
    cache.save_rows(Stored(ledger.paths, ledger.blobs, ledger.table, refused), changed=worth)


def subset(register: Register, ledger: Ledger, rows: Sequence[int] | None) -> Register:
    """``register`` with the entries of ``rows`` (None: every row)."""
    return dataclasses.replace(register, entries=ledger.entries(rows))
