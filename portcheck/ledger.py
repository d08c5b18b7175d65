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
import itertools
import operator
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

from portcheck.cache import CheckCache
from portcheck.codeowners import load_codeowners
from portcheck.finding import Finding
from portcheck.judge import held, placed_all, save
from portcheck.load import EXTENSION
from portcheck.model import Policy
from portcheck.model.columns import Column, FactTable
from portcheck.model.facts import Facts
from portcheck.register import Entry, Register, ids_of, walked


class Ledger:
    """The accepted files of a register, a row each: its path and its facts."""

    def __init__(
        self, root: Path, paths: list[str], table: FactTable, fresh: list[int] | None = None
    ) -> None:
        self.root = root
        self.paths = paths
        self.table = table
        #: When known, the rows judged by this run: no two other rows can collide
        #: (the cache said so of the rows it stored: Stored.apart).
        self.fresh = fresh

    def __len__(self) -> int:
        return len(self.paths)

    def column(self, name: str) -> Column:
        """A field's column: an index into ``distinct(name)`` per row, or a day number."""
        return self.table.columns[name]

    def distinct(self, name: str) -> list[object]:
        """The distinct values of a tabled field (model.columns.TABLED)."""
        return self.table.tables[name]

    def rows_where(self, wrong: Callable[..., object], *columns: Sequence[object]) -> list[int]:
        """The rows whose values in ``columns`` (each a value per row) ``wrong`` is
        true of: asked once per distinct combination, not once per row."""
        if len(columns) == 1:  # no tuples of one
            return _rows_in(columns[0], {value for value in set(columns[0]) if wrong(value)})
        found = {key for key in set(zip(*columns, strict=True)) if wrong(*key)}
        return _rows_in(zip(*columns, strict=True), found)

    def rows_valued(self, name: str, wrong: Callable[[Any], object]) -> list[int]:
        """The rows whose value of the tabled field ``name`` ``wrong`` is true of: asked
        once per distinct value, the column read only when it is true of one."""
        return self.rows_numbered(name, {n for n, v in enumerate(self.distinct(name)) if wrong(v)})

    def rows_numbered(self, name: str, numbers: Collection[int]) -> list[int]:
        """The rows whose ``column(name)`` holds one of ``numbers``."""
        return _rows_in(self.column(name), numbers)

    def facts(self, row: int) -> Facts:
        return self.table.facts(row)

    @functools.cached_property
    def folders(self) -> list[str]:
        """Each row's folder (``ports/payments``)."""
        parted = map(str.rpartition, self.paths, itertools.repeat("/"))
        return list(map(operator.itemgetter(0), parted))  # in C: a fifth faster

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
    not pass the schema stage. Saves the cache (judge.save)."""
    paths, idents, findings, failed = walked(root, cache.ignored_among)
    placed, kept = placed_all(root, paths, cache)
    _add_failures(paths, placed, findings, failed)
    apart = cache.stored.apart
    rows, fresh = held(cache.stored, paths, placed, kept)
    save(cache, lambda: rows, placed, kept)
    register = Register(
        root=root,
        policy=policy,
        entries=(),
        ids=ids_of(paths, idents),
        load_failed=frozenset(failed),
        today=today,
        codeowners=load_codeowners(root),
    )
    return register, Ledger(root, rows.paths, rows.table, fresh if apart else None), findings


def _rows_in(keys: Iterable[object], wanted: Collection[object]) -> list[int]:
    """The rows whose key is one of ``wanted``: a pass of C over the column, and none
    when nothing is wanted (the common case of a register that passes)."""
    if not wanted:
        return []
    return list(itertools.compress(itertools.count(), map(wanted.__contains__, keys)))


def _add_failures(
    paths: list[str], placed: Sequence[object], findings: list[Finding], failed: set[str]
) -> None:
    """The schema stage's findings: an outcome that is a Finding fails its file (its
    path joins ``failed``), one that is a list of findings is reported."""
    if not any(issubclass(kind, (Finding, list)) for kind in set(map(type, placed))):
        return  # nearly always, seen in one pass of C
    for relative, outcome in zip(paths, placed, strict=True):
        if isinstance(outcome, Finding):
            findings.append(outcome)
            failed.add(relative)
        elif isinstance(outcome, list):
            findings.extend(outcome)


def subset(register: Register, ledger: Ledger, rows: Sequence[int] | None) -> Register:
    """``register`` with the entries of ``rows`` (None: every row)."""
    return dataclasses.replace(register, entries=ledger.entries(rows))
