"""Facts as columns: the check cache's rows and what the worker processes that
judge a large register send back (model.packing packs them into bytes and reads
them back checked). Columns cost a few passes of C per field where rows would
cost Python work per file.
"""

from __future__ import annotations

import datetime as dt
import operator
from array import array
from collections.abc import Callable, Iterable, MutableSequence, Sequence
from typing import TypeVar, cast

from portcheck.model.facts import Facts, facts_from

#: The columns, in Facts order: dates are day numbers (date.toordinal(), 0 for none),
#: the other fields indexes into a table of their distinct values (a register
#: repeats its spans, scopes and owners), a span there as [start, end].
TABLED = ("span", "protocols", "scopes", "owner", "status", "depends_on", "modeline")
DATES = ("allocated", "review_by", "expires", "retired_on")
#: The columns in Facts order.
ALL = ("span", "protocols", "scopes", "owner", "status", *DATES, "depends_on", "modeline")
#: A column: an array of unsigned 32-bit integers (no int object per row), or a
#: list of a few rows picked from one.
Column = MutableSequence[int]
#: The array type code of an unsigned 32-bit integer on this platform.
U32 = next(code for code in "ILQ" if array(code).itemsize == 4)
T = TypeVar("T")
#: Rows from which extend() indexes the tables' values rather than searching them.
FEW = 16


class FactTable:
    """Facts as columns: per field a list with a value per row, an index into the
    field's table of distinct values (TABLED) or a day number (DATES, 0 for none).
    A row becomes a Facts only when asked: a warm run's checks ask for a few."""

    __slots__ = ("_days", "_index", "columns", "tables")

    def __init__(
        self,
        columns: dict[str, Column],
        tables: dict[str, list[object]],
        days: dict[int, dt.date | None] | None = None,
    ) -> None:
        self.columns = columns
        self.tables = tables
        self._days: dict[int, dt.date | None] = {0: None} if days is None else days
        self._index: dict[str, dict[object, int]] | None = None  # value -> index, to extend

    @classmethod
    def of(cls, many: Sequence[Facts]) -> FactTable:
        table = cls({name: array(U32) for name in ALL}, {name: [] for name in TABLED})
        table.extend(many)
        return table

    def __len__(self) -> int:
        return len(self.columns["allocated"])

    def extend(self, many: Sequence[Facts]) -> None:
        """Append a row for each of ``many``."""
        if len(many) < FEW:
            for facts in many:
                for name, numbered in zip(ALL, self._numbered(facts), strict=True):
                    self.columns[name].append(numbered)
            return
        if self._index is None:
            self._index = {name: _first_index(self.tables[name]) for name in TABLED}
        for name in TABLED:
            index, values = self._index[name], self.tables[name]
            column = self.columns[name]
            for value in map(operator.attrgetter(name), many):
                number = index.get(value)
                if number is None:
                    number = index[value] = len(values)
                    values.append(value)
                column.append(number)
        for name in DATES:
            dates = list(map(operator.attrgetter(name), many))
            numbers = [0 if day is None else day.toordinal() for day in dates]
            self.columns[name].extend(numbers)
            self._days.update(zip(numbers, dates, strict=True))

    def patched(self, put: Sequence[tuple[int, Facts]], removed: Sequence[int]) -> FactTable:
        """A copy with the rows in ``put`` set to their facts and the ``removed`` rows
        gone, each replaced by the last row: a few rows' work, not a pass over them all
        (the row order means nothing)."""
        table = FactTable(
            {name: column[:] for name, column in self.columns.items()},
            {name: list(values) for name, values in self.tables.items()},
            self._days,
        )
        numbered = [(row, table._numbered(facts)) for row, facts in put]
        for place, name in enumerate(ALL):
            put_in = [(row, numbers[place]) for row, numbers in numbered]
            patch_rows(table.columns[name], put_in, removed)
        return table

    def _numbered(self, facts: Facts) -> list[int]:
        """A row's column values for ``facts``, adding its new values to the tables."""
        numbers = []
        for name, value in zip(ALL, facts, strict=True):
            if name in TABLED:
                values = self.tables[name]
                index = None if self._index is None else self._index[name]
                number = index.get(value) if index is not None else _position(values, value)
                if number is None:
                    number = len(values)
                    values.append(value)
                    if index is not None:
                        index[value] = number
            else:
                day = cast(dt.date | None, value)
                number = 0 if day is None else day.toordinal()
                self._days[number] = day
            numbers.append(number)
        return numbers

    def select(self, rows: Sequence[int]) -> FactTable:
        """A table of ``rows`` alone, in that order, sharing this one's values."""
        pick = _picker(rows)
        chosen = {name: pick(column) for name, column in self.columns.items()}
        return FactTable(chosen, {name: list(v) for name, v in self.tables.items()}, self._days)

    def values(self, name: str) -> list[object]:
        """The values of the field ``name`` by row: a table's values, or dates."""
        column = self.columns[name]
        source: Sequence[object] | dict[int, dt.date | None]
        source = self.tables[name] if name in TABLED else self._days_of(column)
        return list(map(source.__getitem__, column))

    def facts(self, row: int) -> Facts:
        return facts_from(self._value(name, row) for name in ALL)

    def _value(self, name: str, row: int) -> object:
        number = self.columns[name][row]
        if name in TABLED:
            return self.tables[name][number]
        if number not in self._days:
            self._days[number] = dt.date.fromordinal(number)
        return self._days[number]

    def all_facts(self) -> list[Facts]:
        """Every row as a Facts, in a few passes of C per field."""
        ordered = (self.values(name) for name in ALL)
        return list(map(facts_from, zip(*ordered, strict=True)))

    def _days_of(self, numbers: Column) -> dict[int, dt.date | None]:
        """Day number -> date for ``numbers``, each date made once per table."""
        days = self._days
        for number in set(numbers).difference(days):
            days[number] = dt.date.fromordinal(number)
        return days


def patch_rows(
    values: MutableSequence[T], put: Iterable[tuple[int, T]], removed: Iterable[int]
) -> None:
    """Set the rows in ``put`` to their values, then remove the ``removed`` rows, each
    replaced by the last row: a few rows' work where the row order means nothing."""
    for row, value in put:
        values[row] = value
    for row in sorted(removed, reverse=True):
        values[row] = values[-1]
        values.pop()


def _position(values: list[object], value: object) -> int | None:
    try:
        return values.index(value)  # in C: cheaper than indexing a table for a few rows
    except ValueError:
        return None


def _first_index(values: list[object]) -> dict[object, int]:
    index: dict[object, int] = {}
    for number, value in enumerate(values):
        index.setdefault(value, number)
    return index


def _picker(rows: Sequence[int]) -> Callable[[Column], Column]:
    """A function taking ``rows`` of a column, in C (itemgetter) where it can."""
    if len(rows) < 2:
        return lambda column: [column[row] for row in rows]
    pick = operator.itemgetter(*rows)
    return lambda column: list(pick(column))
