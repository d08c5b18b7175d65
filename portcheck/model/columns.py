"""Facts as columns of plain JSON values, for the check cache and for the worker
processes that judge a large register: ``columns()`` writes them and
``FactReader.read()`` reads them back, refusing any the schema stage could not
have written (a cache is an input like any other). Columns cost a few passes of
C per field where rows would cost Python work per file.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import operator
import re
from collections.abc import Callable, Iterator, Sequence
from typing import cast

from portcheck.load import ID_MAX
from portcheck.load.modeline import Modeline
from portcheck.model import OWNER_PATTERN, PORT_MAX, PORT_MIN, PROTOCOLS, SCOPE_PATTERN, PortSpan
from portcheck.model.consistency import STATUSES
from portcheck.model.facts import Facts, facts_from

#: The columns, in Facts order: dates are day numbers (date.toordinal(), 0 for none),
#: the other fields indexes into a table of their distinct values (a register
#: repeats its spans, scopes and owners), a span there as [start, end].
TABLED = ("span", "protocols", "scopes", "owner", "status", "depends_on", "modeline")
DATES = ("allocated", "review_by", "expires", "retired_on")


def columns(many: Sequence[Facts]) -> dict[str, object]:
    """``many`` as JSON columns (FactReader.read takes them back)."""
    return dict(each_column(many))


def each_column(many: Sequence[Facts]) -> Iterator[tuple[str, object]]:
    """columns(), one column at a time: the cache writes each before making the next."""
    return FactTable.of(many).plain()


class FactTable:
    """Facts as columns: per field a list with a value per row, an index into the
    field's table of distinct values (TABLED) or a day number (DATES, 0 for none).
    A row becomes a Facts only when asked: a warm run's checks ask for a few."""

    __slots__ = ("_days", "_index", "columns", "tables")

    def __init__(
        self,
        columns: dict[str, list[int]],
        tables: dict[str, list[object]],
        days: dict[int, dt.date | None] | None = None,
    ) -> None:
        self.columns = columns
        self.tables = tables
        self._days: dict[int, dt.date | None] = {0: None} if days is None else days
        self._index: dict[str, dict[object, int]] | None = None  # value -> index, to extend

    @classmethod
    def of(cls, many: Sequence[Facts]) -> FactTable:
        table = cls({name: [] for name in _ALL}, {name: [] for name in TABLED})
        table.extend(many)
        return table

    def __len__(self) -> int:
        return len(self.columns["allocated"])

    def extend(self, many: Sequence[Facts]) -> None:
        """Append a row for each of ``many``."""
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
        return facts_from(self._value(name, row) for name in _ALL)

    def _value(self, name: str, row: int) -> object:
        number = self.columns[name][row]
        if name in TABLED:
            return self.tables[name][number]
        if number not in self._days:
            self._days[number] = dt.date.fromordinal(number)
        return self._days[number]

    def all_facts(self) -> list[Facts]:
        """Every row as a Facts, in a few passes of C per field."""
        ordered = (self.values(name) for name in _ALL)
        return list(map(facts_from, zip(*ordered, strict=True)))

    def plain(self) -> Iterator[tuple[str, object]]:
        """The columns and then the tables as JSON values, one at a time."""
        for name in _ALL:
            yield name, self.columns[name]
        yield "tables", {name: [_plain(value) for value in self.tables[name]] for name in TABLED}

    def _days_of(self, numbers: list[int]) -> dict[int, dt.date | None]:
        """Day number -> date for ``numbers``, each date made once per table."""
        days = self._days
        for number in set(numbers).difference(days):
            days[number] = dt.date.fromordinal(number)
        return days


def _first_index(values: list[object]) -> dict[object, int]:
    index: dict[object, int] = {}
    for number, value in enumerate(values):
        index.setdefault(value, number)
    return index


def _picker(rows: Sequence[int]) -> Callable[[list[int]], list[int]]:
    """A function taking ``rows`` of a column, in C (itemgetter) where it can."""
    if len(rows) < 2:
        return lambda column: [column[row] for row in rows]
    pick = operator.itemgetter(*rows)
    return lambda column: list(pick(column))


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


_ID = re.compile(rf"(?=[a-z0-9-]{{1,{ID_MAX}}}\Z)[a-z0-9]+(?:-[a-z0-9]+)*")
_SCOPE = re.compile(SCOPE_PATTERN)
_OWNER = re.compile(OWNER_PATTERN)
_LAST_DAY = dt.date.max.toordinal()


class FactReader:
    """Reads fact columns back. Values repeated across reads (scopes, owners, dates)
    are kept once, so a register's facts share them in memory."""

    def __init__(self) -> None:
        self._shared: dict[object, object] = {}
        self._days: dict[int, dt.date | None] = {0: None}

    def read(self, stored: object, count: int) -> list[Facts] | None:
        """The ``count`` facts in ``stored``; None when any of them is not what the
        schema stage could have accepted (the whole lot is then judged again)."""
        table = self.table(stored, count)
        return None if table is None else table.all_facts()

    def table(self, stored: object, count: int) -> FactTable | None:
        """read() as a FactTable: every column checked, no row made into Facts."""
        try:
            return self._read(stored, count)
        except (TypeError, ValueError, KeyError, IndexError, OverflowError):
            return None

    def _read(self, stored: object, count: int) -> FactTable | None:
        if type(stored) is not dict or type(stored.get("tables")) is not dict:
            return None
        field = {name: _column(stored, name, count) for name in _ALL}
        indexes: dict[str, list[int]] = {}
        tables: dict[str, list[object]] = {}
        for name in TABLED:
            table = self._table(name, stored["tables"].get(name))
            column = None if table is None else _ints(field[name], 0, len(table) - 1)
            if table is None or column is None:
                return None
            indexes[name], tables[name] = column, table
        for name in DATES:
            days = _ints(field[name], 0 if name != "allocated" else 1, _LAST_DAY)
            if days is None:
                return None
            indexes[name] = days
        if not _consistent(indexes, stored["tables"]["status"]):
            return None
        return FactTable(indexes, tables, self._days)

    def _table(self, name: str, table: object) -> list[object] | None:
        """A table's values, each checked and shared; None when one is wrong."""
        if type(table) is not list:
            return None
        values = _TABLE_CHECKS[name](table)
        if values is None:
            return None
        return [self._shared.setdefault(value, value) for value in values]


#: The columns in Facts order.
_ALL = ("span", "protocols", "scopes", "owner", "status", *DATES, "depends_on", "modeline")
_BAD = object()  # a value the schema stage would have refused


def _column(stored: dict[str, object], name: str, count: int) -> list[object]:
    column = stored[name]
    if type(column) is not list or len(column) != count:
        raise ValueError(name)
    return column


def _ints(values: list[object], low: int, high: int) -> list[int] | None:
    """``values`` when every one is an int (not a bool) from ``low`` to ``high``."""
    if values and set(map(type, values)) != {int}:
        return None
    numbers = cast(list[int], values)
    return numbers if not numbers or (low <= min(numbers) and max(numbers) <= high) else None


# Tuples made in C from a row: NamedTuple._make is a Python call per row.
_new_span = functools.partial(tuple.__new__, PortSpan)


def _consistent(days: dict[str, list[int]], statuses: list[str]) -> bool:
    """consistent() for every row at once, on day numbers (0 for none) and status
    indexes, in a few passes of C functions rather than a Python call per row."""
    status = days["status"]
    retired = [name == "retired" for name in statuses]
    reserved = [name == "reserved" for name in statuses]
    allocated = days["allocated"]
    if not all(map(operator.eq, map(bool, days["retired_on"]), map(retired.__getitem__, status))):
        return False  # retired_on exactly when retired
    if any(map(operator.gt, map(reserved.__getitem__, status), map(bool, days["expires"]))):
        return False  # a reservation without expires
    later = (days[name] for name in ("review_by", "expires", "retired_on"))
    return all(
        all(map(operator.or_, map(operator.not_, day), map(operator.ge, day, allocated)))
        for day in later
    )


def _string_lists(
    table: list[object], accepts: Callable[[str], object], *, empty: bool
) -> list[object] | None:
    """Lists of distinct strings ``accepts`` takes, as tuples; None if one is not.
    Checked in a few passes over the whole table: a register has tens of thousands
    of distinct dependency lists, made of a few thousand distinct ids."""
    if not (table and set(map(type, table)) == {list}):
        return None if table else []
    tuples = list(map(tuple, cast(list[list[object]], table)))
    items = set(itertools.chain.from_iterable(tuples))  # TypeError: a list inside
    if not (set(map(type, items)) <= {str} and all(map(accepts, cast(set[str], items)))):
        return None
    if not (empty or all(tuples)):
        return None
    if any(map(operator.ne, map(len, map(set, tuples)), map(len, tuples))):
        return None  # an item twice
    return list(tuples)


def _spans(table: list[object]) -> list[object] | None:
    """[start, end] pairs as PortSpans, checked in whole-table passes (a register has
    tens of thousands of distinct spans)."""
    if not table:
        return []
    if set(map(type, table)) != {list} or set(map(len, table)) != {2}:  # type: ignore[arg-type]
        return None
    bounds = list(itertools.chain.from_iterable(cast(list[list[object]], table)))
    numbers = _ints(bounds, PORT_MIN, PORT_MAX)
    if numbers is None or not all(map(operator.le, numbers[0::2], numbers[1::2])):
        return None
    return list(map(_new_span, cast(list[list[int]], table)))


def _protocols(table: list[object]) -> list[object] | None:
    return _string_lists(table, PROTOCOLS.__contains__, empty=False)


def _scopes(table: list[object]) -> list[object] | None:
    return _string_lists(
        table, lambda scope: len(scope) <= 255 and _SCOPE.fullmatch(scope), empty=False
    )


def _ids(table: list[object]) -> list[object] | None:
    return _string_lists(table, _ID.fullmatch, empty=True)


def _each(check: Callable[[object], object]) -> Callable[[list[object]], list[object] | None]:
    """A table check from a check of one value (for the short tables)."""

    def checked(table: list[object]) -> list[object] | None:
        values = [check(value) for value in table]
        return None if _BAD in values else values

    return checked


def _owner(value: object) -> object:
    return value if type(value) is str and len(value) <= 100 and _OWNER.fullmatch(value) else _BAD


def _status(value: object) -> object:
    return value if value in STATUSES else _BAD


def _modeline(value: object) -> object:
    if value is None:
        return None
    if type(value) is not list or len(value) != 3:
        return _BAD
    line, column, target = value
    if type(line) is int and type(column) is int and type(target) is str and min(line, column) >= 1:
        return Modeline(line, column, target)
    return _BAD


_TABLE_CHECKS: dict[str, Callable[[list[object]], list[object] | None]] = {
    "span": _spans,
    "protocols": _protocols,
    "scopes": _scopes,
    "owner": _each(_owner),
    "status": _each(_status),
    "depends_on": _ids,
    "modeline": _each(_modeline),
}
