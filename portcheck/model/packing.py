"""Fact columns as packed bytes: the check cache's body, and what the worker
processes that judge a large register send back.

Each column is an array of unsigned 32-bit integers (an index into its field's
table of distinct values, or a day number); the spans' table is two arrays of
16-bit starts and ends; the dependency lists' table is their distinct ids, each
list's length and its items' indexes; the few short tables (protocols, scopes,
owners, statuses, modelines) are JSON. Reading them back costs a few passes of C
per column where JSON cost a parse and a type check per value: the whole cache
of 100,000 files is read in 0.09-0.12 s against 0.27-0.31 s (benchmarks/README.md).

``Unpacker.table()`` checks every value as the schema stage would have made it,
and refuses the lot when one is not: a cache is an input like any other.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import operator
import re
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import compress
from typing import cast

from portcheck.load import ID_MAX
from portcheck.load.modeline import Modeline
from portcheck.model import OWNER_PATTERN, PORT_MIN, PROTOCOLS, SCOPE_PATTERN, PortSpan
from portcheck.model.columns import ALL, DATES, TABLED, U32, Column, FactTable
from portcheck.model.consistency import STATUSES

#: Sections of a packed table besides the columns (named as the fields in ALL).
SPAN_STARTS, SPAN_ENDS = "span.start", "span.end"
DEPENDENCY_IDS, DEPENDENCY_LENGTHS, DEPENDENCY_ITEMS = "ids", "depends_on.length", "depends_on.item"
SHORT_TABLES = "tables"
SHORT = ("protocols", "scopes", "owner", "status", "modeline")

Sections = dict[str, bytes]


def pack(table: FactTable) -> Sections:
    """``table`` as bytes, a section per column and table (Unpacker.table reads them)."""
    return dict(each_section(table))


def each_section(table: FactTable) -> Iterator[tuple[str, bytes]]:
    """pack(), one section at a time: the cache writes each before making the next."""
    for name in ALL:
        yield name, _packed(U32, table.columns[name])
    spans = cast(list[PortSpan], table.tables["span"])
    yield SPAN_STARTS, _packed("H", map(operator.itemgetter(0), spans))
    yield SPAN_ENDS, _packed("H", map(operator.itemgetter(1), spans))
    lists = cast(list[tuple[str, ...]], table.tables["depends_on"])
    chained = itertools.chain.from_iterable
    ids = {name: number for number, name in enumerate(dict.fromkeys(chained(lists)))}
    yield DEPENDENCY_IDS, "\0".join(ids).encode()
    yield DEPENDENCY_LENGTHS, _packed(U32, map(len, lists))
    yield DEPENDENCY_ITEMS, _packed(U32, map(ids.__getitem__, chained(lists)))
    short = {name: [_plain(value) for value in table.tables[name]] for name in SHORT}
    yield SHORT_TABLES, json.dumps(short, separators=(",", ":")).encode()


def _packed(code: str, numbers: Iterable[int]) -> bytes:
    packed = numbers if isinstance(numbers, array) else array(code, numbers)
    if packed.typecode != code:
        packed = array(code, packed)
    if sys.byteorder == "big":  # stored little-endian, whoever reads it
        packed = array(code, packed)
        packed.byteswap()
    return packed.tobytes()


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


class Unpacker:
    """Reads packed tables back. With ``share``, values repeated across reads (the
    worker processes' chunks: scopes, owners, dates) are kept once, so a register's
    facts share them in memory."""

    def __init__(self, *, share: bool = True) -> None:
        self._shared: dict[object, object] | None = {} if share else None
        self._days: dict[int, dt.date | None] = {0: None}

    def table(self, sections: Mapping[str, bytes], count: int) -> FactTable | None:
        """The ``count`` rows in ``sections``; None when any value is not what the
        schema stage could have accepted (the whole lot is then judged again)."""
        try:
            return self._table(sections, count)
        except (TypeError, ValueError, KeyError, IndexError, OverflowError, RecursionError):
            return None

    def _table(self, sections: Mapping[str, bytes], count: int) -> FactTable | None:
        short = json.loads(sections[SHORT_TABLES])
        checked = {"span": _spans(sections), "depends_on": _dependency_lists(sections)}
        checked.update((name, _SHORT_CHECKS[name](short[name])) for name in SHORT)
        tables = {name: table for name, table in checked.items() if table is not None}
        if len(tables) != len(checked):
            return None
        columns: dict[str, Column] = {name: _unpacked(U32, sections[name]) for name in ALL}
        if any(len(column) != count for column in columns.values()):
            return None
        for name in TABLED:
            if columns[name] and max(columns[name]) >= len(tables[name]):
                return None
        for name in DATES:
            days = columns[name]
            if days and (max(days) > _LAST_DAY or (name == "allocated" and min(days) < 1)):
                return None
        if not _consistent(columns, tables["status"]):
            return None
        if self._shared is not None:
            for name in TABLED:
                tables[name] = list(map(self._shared.setdefault, tables[name], tables[name]))
        return FactTable(columns, tables, self._days)


def _unpacked(code: str, data: bytes) -> array[int]:
    numbers = array(code)
    numbers.frombytes(data)  # ValueError: not a whole number of items
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers


_LAST_DAY = dt.date.max.toordinal()
_SCOPE = re.compile(SCOPE_PATTERN)
_OWNER = re.compile(OWNER_PATTERN)
_BAD = object()  # a value the schema stage would have refused
# Tuples made in C from a pair: NamedTuple._make is a Python call per span.
_new_span = functools.partial(tuple.__new__, PortSpan)


def _spans(sections: Mapping[str, bytes]) -> list[object] | None:
    """The spans' table, each start at least PORT_MIN and at most its end (16 bits
    bound both by PORT_MAX)."""
    starts, ends = _unpacked("H", sections[SPAN_STARTS]), _unpacked("H", sections[SPAN_ENDS])
    if len(starts) != len(ends) or (starts and min(starts) < PORT_MIN):
        return None
    if not all(map(operator.le, starts, ends)):
        return None
    return list(map(_new_span, zip(starts, ends, strict=True)))


def _dependency_lists(sections: Mapping[str, bytes]) -> list[object] | None:
    """The dependency lists' table: lists of ids, none twice in a list."""
    joined = sections[DEPENDENCY_IDS]
    lengths = _unpacked(U32, sections[DEPENDENCY_LENGTHS])
    items = _unpacked(U32, sections[DEPENDENCY_ITEMS])
    ids = joined.decode("ascii").split("\0")
    if items and not _ids(joined, ids):
        return None
    if sum(lengths) != len(items) or (items and max(items) >= len(ids)):
        return None
    words = list(map(ids.__getitem__, items))
    ends = list(itertools.accumulate(lengths))
    lists = list(map(tuple, map(words.__getitem__, map(slice, [0, *ends], ends))))
    if any(map(operator.ne, map(len, map(set, lists)), lengths)):
        return None  # an id twice in one list
    return cast(list[object], lists)


#: What an id is made of (load.ID_PATTERN: words of [a-z0-9] joined by single hyphens).
_ID_BYTES = b"abcdefghijklmnopqrstuvwxyz0123456789-"


def _ids(joined: bytes, ids: list[str]) -> bool:
    """True when each of ``ids`` (NUL-joined in ``joined``) is an id the schema takes,
    checked on the joined bytes in a few passes of C rather than a match per id."""
    if joined.translate(None, _ID_BYTES + b"\0"):
        return False  # another character
    if any(bad in joined for bad in (b"--", b"\0-", b"-\0")):
        return False  # a hyphen not between two words
    if joined.startswith(b"-") or joined.endswith(b"-"):
        return False
    lengths = list(map(len, ids))
    return min(lengths) >= 1 and max(lengths) <= ID_MAX


def _consistent(days: Mapping[str, Column], statuses: list[object]) -> bool:
    """The schema stage's rules on status and dates (model.facts.consistent) for
    every row at once, in a few passes of C functions rather than a call per row."""
    status, allocated = days["status"], days["allocated"]
    retired = [name == "retired" for name in statuses]
    reserved = [name == "reserved" for name in statuses]
    if not all(map(retired.__getitem__, compress(status, days["retired_on"]))):
        return False  # retired_on on a file not retired
    if sum(map(retired.__getitem__, status)) != len(list(compress(status, days["retired_on"]))):
        return False  # a retired file without retired_on
    if not all(compress(days["expires"], map(reserved.__getitem__, status))):
        return False  # a reservation without expires
    for name in ("review_by", "expires", "retired_on"):
        day = days[name]  # 0 (none), or on or after allocated
        if any(map(operator.lt, compress(day, day), compress(allocated, day))):
            return False
    return True


def _string_lists(table: object, accepts: Callable[[str], object]) -> list[object] | None:
    """Non-empty lists of distinct strings ``accepts`` takes, as tuples; None if one
    is not."""
    if type(table) is not list or (table and set(map(type, table)) != {list}):
        return None
    tuples = list(map(tuple, cast(list[list[object]], table)))
    items = set(itertools.chain.from_iterable(tuples))  # TypeError: a list inside
    if not (set(map(type, items)) <= {str} and all(map(accepts, cast(set[str], items)))):
        return None
    if not all(tuples) or any(map(operator.ne, map(len, map(set, tuples)), map(len, tuples))):
        return None  # an empty list, or an item twice
    return cast(list[object], tuples)


def _each(check: Callable[[object], object]) -> Callable[[object], list[object] | None]:
    """A table check from a check of one value."""

    def checked(table: object) -> list[object] | None:
        if type(table) is not list:
            return None
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


_SHORT_CHECKS: dict[str, Callable[[object], list[object] | None]] = {
    "protocols": lambda table: _string_lists(table, PROTOCOLS.__contains__),
    "scopes": lambda table: _string_lists(
        table, lambda scope: len(scope) <= 255 and _SCOPE.fullmatch(scope)
    ),
    "owner": _each(_owner),
    "status": _each(_status),
    "modeline": _each(_modeline),
}
