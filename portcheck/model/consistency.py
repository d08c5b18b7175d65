"""The allocation rules a JSON Schema cannot say: ranges and dates in order,
`retired_on` and `expires` against `status`, no repeated list items (all PC200)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from typing import get_args

from portcheck.load.document import NodePath
from portcheck.model import DATE_PATTERN, PORT_MAX, PORT_MIN, RANGE_PATTERN, Status
from portcheck.model.messages import Problem, field_name, show

STATUSES: tuple[str, ...] = get_args(Status)
DATED = ("review_by", "expires", "retired_on")
_RANGE = re.compile(RANGE_PATTERN)
_DATE = re.compile(DATE_PATTERN)


def consistency_problems(data: dict[str, object]) -> Iterator[Problem]:
    """PC200 rules the schema cannot express, or expresses only as "invalid"."""
    yield from _range_order(data.get("port"))
    yield from _date_order(data)
    yield from _status_fields(data)
    for key, value in data.items():  # every list field is a list of scalars
        if isinstance(value, list) and len(value) > 1:
            yield from _repeats(value, (key,))


def consistent(data: dict[str, object]) -> bool:
    """True when consistency_problems(data) has nothing to say: the same rules as one
    pass of plain comparisons for the common case (a recalled cache verdict asks this of
    every file), and the generators themselves whenever a rule might fire."""
    return _plainly_consistent(data) or not any(consistency_problems(data))


def _plainly_consistent(data: dict[str, object]) -> bool:
    """True only when no PC200 rule can fire; False means "ask the generators"."""
    port = data.get("port")
    if type(port) is str:
        bounds = range_bounds(port)
        if bounds is not None and not PORT_MIN <= bounds[0] < bounds[1] <= PORT_MAX:
            return False
    status = data.get("status", "active")
    if ("retired_on" in data) != (status == "retired"):
        return False
    if status == "reserved" and "expires" not in data:
        return False
    allocated = data.get("allocated")
    for field in DATED:
        when = data.get(field)
        # YYYY-MM-DD strings sort as their dates do: only an earlier one needs parsing.
        if type(when) is str and type(allocated) is str and when < allocated:
            return False
    return all(_distinct_strings(value) for value in data.values() if type(value) is list)


def _distinct_strings(items: list[object]) -> bool:
    """A list no _repeats can object to: strings, none twice (else: ask _repeats)."""
    return all(type(item) is str for item in items) and len(set(items)) == len(items)


def range_bounds(value: object) -> tuple[int, int] | None:
    if not isinstance(value, str) or not _RANGE.fullmatch(value):
        return None
    start, _, end = value.partition("-")
    return int(start), int(end)


def _range_order(port: object) -> Iterator[Problem]:
    bounds = range_bounds(port)
    if bounds is not None and not PORT_MIN <= bounds[0] < bounds[1] <= PORT_MAX:
        yield Problem(
            ("port",),
            f"port {show(port)} must be start-end with {PORT_MIN} <= start < end <= {PORT_MAX}",
        )


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None  # the schema's format check reports it


def _date_order(data: dict[str, object]) -> Iterator[Problem]:
    allocated = _date(data.get("allocated"))
    for field in DATED:
        when = _date(data.get(field))
        if allocated is not None and when is not None and when < allocated:
            yield Problem((field,), f"{field} {when} is earlier than allocated {allocated}")


def _status_fields(data: dict[str, object]) -> Iterator[Problem]:
    """The schema's if/then/else on status, located at the field that must change."""
    status = data.get("status", "active")
    if status not in STATUSES:
        return  # the schema reports the status; no cascade
    if status == "retired" and "retired_on" not in data:
        yield Problem(("status",), "status is retired but retired_on is missing: add the date")
    if status != "retired" and "retired_on" in data:
        message = f"retired_on is only allowed when status is retired (status is {status})"
        yield Problem(("retired_on",), message, True)
    if status == "reserved" and "expires" not in data:
        yield Problem(("status",), "status is reserved but expires is missing: a reservation ends")


def duplicate_items(value: object, path: NodePath = ()) -> Iterator[Problem]:
    """Each repeated scalar in a list, at its second occurrence (the schema says
    only "has non-unique elements", about the whole list)."""
    children: Iterable[tuple[str | int, object]]
    if isinstance(value, dict):
        children = value.items()
    elif isinstance(value, list):
        if len(value) > 1:
            yield from _repeats(value, path)
        children = enumerate(value)
    else:
        return
    for key, item in children:
        if isinstance(item, dict | list):
            yield from duplicate_items(item, (*path, key))


def _repeats(items: list[object], path: NodePath) -> Iterator[Problem]:
    seen: set[str | int] = set()
    for index, item in enumerate(items):
        if isinstance(item, str | int) and not isinstance(item, bool):
            if item in seen:
                yield Problem((*path, index), f"{field_name(path)} lists {show(item)} twice")
            seen.add(item)
