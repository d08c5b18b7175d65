"""The schema stage: PC200 schema, PC201 unknown-field, PC202 ambiguous-number.

pydantic validates every file (the fast path); jsonschema runs only on files
already known to be bad, to say what is wrong and where. The rules neither can
express (ranges in order, dates in order, `retired_on` and `expires` against
`status`, repeated list items) run on the raw data, so a file with a missing
field still hears about its other problems. Checks after this stage see only
allocations that passed it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ValidationError

from portcheck.catalogue import rule
from portcheck.document import Document, NodePath, Scalar
from portcheck.finding import Finding, Location, printable
from portcheck.model import DATE_PATTERN, PORT_MAX, PORT_MIN, RANGE_PATTERN, Allocation, Status
from portcheck.schema import (
    Kind,
    Problem,
    field_name,
    kind_of,
    pattern_meaning,
    schema_problems,
    show,
    unknown_field_message,
)

M = TypeVar("M", bound=BaseModel)
FIELDS = frozenset(Allocation.model_fields)
STATUSES: tuple[str, ...] = get_args(Status)
DATED = ("review_by", "expires", "retired_on")

_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_NEGATIVE = re.compile(r"-[1-9][0-9]*")  # the schema's "less than the minimum" says it better
_RANGE = re.compile(RANGE_PATTERN)
# Any digits-dash-digits, so PC202 still names leading zeros however strict RANGE_PATTERN gets.
_RANGE_LIKE = re.compile(r"[0-9]{1,5}-[0-9]{1,5}")
_DATE = re.compile(DATE_PATTERN)
# Everything a YAML 1.1 or 1.2 loader may read as a number (YAML 1.1 §int, §float;
# YAML 1.2.2 §10.3.2), plus digit strings: the forms PC202 refuses for a port.
_NUMBERISH = re.compile(
    r"[-+]?(0b[01_]+|0x[0-9a-f_]+|0o[0-7_]+"
    r"|[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?"
    r"|([0-9][0-9_]*(\.[0-9_]*)?|\.[0-9][0-9_]*)(e[-+]?[0-9]+)?"
    r"|\.inf)|\.nan",
    re.IGNORECASE,
)


def validate_allocation(doc: Document) -> Allocation | list[Finding]:
    """The allocation in ``doc``, or every schema-stage finding about it. Never raises."""
    data = doc.data
    problems = [("PC201", p) for p in unknown_fields(data, FIELDS)]
    port = _port_problem(doc)
    if port is not None:
        problems.append(port)
    # One problem, one finding: no PC200 on an unknown key or on a port already reported.
    settled = {p.path[:1] for _, p in problems}
    allocation, errors = model_or_errors(Allocation, data)
    found = list(consistency_problems(data))
    # Top level only: a null inside a list fails the model anyway.
    if allocation is None or None in data.values():
        found += [
            problem
            for problem in schema_stage_problems("allocation", data, errors)
            if problem.keyword != "additionalProperties"  # PC201 says it, with its own scan
        ]
    problems += [("PC200", p) for p in found if p.path[:1] not in settled]
    if problems or allocation is None:
        return sorted(_finding(doc, code, p) for code, p in problems) or [_unexplained(doc)]
    return allocation


def _port_problem(doc: Document) -> tuple[str, Problem] | None:
    value, written = doc.data.get("port"), doc.scalars.get(("port",))
    ambiguous = ambiguous_number(("port",), value, written)
    if ambiguous is not None:
        return "PC202", ambiguous
    # A decimal too long to read as a number (yaml_scalars makes it infinity,
    # CVE-2020-10735): too large, rather than "not an integer".
    if isinstance(value, float) and written and _DECIMAL.fullmatch(written.text):
        message = f"port {printable(written.text)} is greater than {PORT_MAX}"
        return "PC200", Problem(("port",), message)
    return None


def _finding(doc: Document, code: str, problem: Problem) -> Finding:
    return rule(code).finding(locate(doc, problem), problem.message)


def locate(doc: Document, problem: Problem) -> Location:
    """Where ``problem`` points: its value, or its key for key problems and for
    empty values (YAML marks an empty value where the next token starts)."""
    if problem.at_key or _is_empty(doc.data, problem.path):
        return doc.locate_key(problem.path)
    return doc.locate(problem.path)


def _is_empty(data: object, path: NodePath) -> bool:
    found, value = _resolvable(data, path)
    return bool(path) and found == path and value is None


def _unexplained(doc: Document) -> Finding:
    # Unreachable while jsonschema and pydantic agree; kept so a disagreement is
    # a finding, not an allocation that skipped validation.
    return rule("PC200").finding(doc.locate(()), "the allocation does not match the schema")


def unknown_fields(data: dict[str, object], known: frozenset[str]) -> Iterator[Problem]:
    for key in data:
        if key not in known:
            yield Problem((key,), unknown_field_message(key, sorted(known)), True)


def model_or_errors(model: type[M], data: object) -> tuple[M | None, list[dict[str, Any]]]:
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        # Without the input: it may be a string Python cannot print (a lone surrogate).
        return None, [dict(e) for e in error.errors(include_url=False, include_input=False)]


def holds_null(value: object) -> bool:
    """True when ``value`` holds an empty (null) value, which the models accept for
    optional fields but the schema refuses (see schema._tidy)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if item is None:
            return True
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def schema_stage_problems(
    kind: Kind, data: dict[str, object], errors: list[dict[str, Any]]
) -> list[Problem]:
    """jsonschema's problems, then pydantic's on the fields jsonschema passed: they
    disagree on lone surrogates (pydantic refuses them), on ``$``, which Python's
    re (so jsonschema) lets match before a final newline, and on ``8080.0``, an
    integer to JSON Schema."""
    found = schema_problems(kind, data)
    covered = {p.path[:1] for p in found}
    return found + [p for p in _pydantic_problems(data, errors) if p.path[:1] not in covered]


def _pydantic_problems(data: object, errors: Iterable[dict[str, Any]]) -> Iterator[Problem]:
    seen: set[NodePath] = set()
    for error in errors:
        if error["type"] in ("missing", "extra_forbidden"):
            continue  # jsonschema's required and PC201 always report these
        path, value = _resolvable(data, error["loc"])
        if path[:1] not in seen:
            seen.add(path[:1])
            yield Problem(path, f"{field_name(path)} {_pydantic_complaint(error, value)}")


_PYDANTIC_TYPES = {"int_type": "an integer", "string_type": "a string", "list_type": "a list"}


def _pydantic_complaint(error: dict[str, Any], value: object) -> str:
    pattern = error.get("ctx", {}).get("pattern")
    if error["type"] == "string_pattern_mismatch" and isinstance(pattern, str):
        return f"{show(value)} is not {pattern_meaning(pattern)}"
    if error["type"] == "string_unicode":
        return "holds a lone surrogate, which is not Unicode text"
    if error["type"] in _PYDANTIC_TYPES:  # strict mode: 365.0 is not an integer
        return f"must be {_PYDANTIC_TYPES[error['type']]}, not {kind_of(value)}"
    return printable(str(error["msg"]), 160)[1:-1].replace("Input", "value", 1)


def _resolvable(data: object, loc: Iterable[object]) -> tuple[NodePath, object]:
    """The longest prefix of a pydantic ``loc`` that exists in ``data`` (union
    branches add names such as ``constrained-str`` that are not keys), and its value."""
    path: list[str | int] = []
    node = data
    for part in loc:
        in_mapping = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_mapping or in_list):
            break
        node = node[part]  # type: ignore[index]
        path.append(part)  # type: ignore[arg-type]
    return tuple(path), node


def ambiguous_number(path: NodePath, value: object, written: Scalar | None) -> Problem | None:
    """PC202: why a port written this way could be misread, or None when it is plain.

    Without ``written`` (how the scalar was written) only what the value itself
    shows is judged: a float, or a string that looks like a number.
    """
    name = field_name(path)
    if isinstance(value, str) and _RANGE_LIKE.fullmatch(value):
        return _range_with_zeros(path, value)
    if written is not None and written.style == "plain":
        text = written.text
        if _DECIMAL.fullmatch(text) or _NEGATIVE.fullmatch(text):
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return Problem(path, f"{name} {printable(text)} {_advice(text, _misreading(text))}")
        return _numberish_string(path, text, "plain") if isinstance(value, str) else None
    if isinstance(value, float):
        text = repr(value)
        return Problem(path, f"{name} {text} {_advice(text, _misreading(text))}")
    if isinstance(value, str):
        return _numberish_string(path, value, written.style if written else None)
    return None


#: How a number-like string reads, by scalar style; a plain one (YAML 1.2 reads
#: `1_000` as a string, YAML 1.1 as a number) gets the form-specific reading.
_STRING_KINDS = {
    "single": "is a quoted string, not a number",
    "double": "is a quoted string, not a number",
    "literal": "is a block string, not a number",
    "folded": "is a block string, not a number",
    None: "is a string, not a number",
}


def _numberish_string(path: NodePath, text: str, style: str | None) -> Problem | None:
    stripped = text.strip()
    if not _NUMBERISH.fullmatch(stripped):
        return None  # not a number however read: the schema's pattern message fits
    reading = _STRING_KINDS.get(style) or _misreading(stripped)
    return Problem(path, f"{field_name(path)} {printable(text)} {_advice(stripped, reading)}")


def _range_with_zeros(path: NodePath, value: str) -> Problem | None:
    start, _, end = value.partition("-")
    if _DECIMAL.fullmatch(start) and _DECIMAL.fullmatch(end):
        return None
    plain = f"{int(start)}-{int(end)}"
    message = f"{field_name(path)} {printable(value)} has a leading zero, read as octal by some "
    return Problem(path, message + f"tools; write {plain!r}")


def _misreading(text: str) -> str:
    """What a reader or another YAML loader might take ``text`` for."""
    lowered = text.lower().lstrip("+-")
    if text[:1] in "+-":
        return "has a sign"
    for prefix, what in (("0x", "hexadecimal"), ("0o", "octal"), ("0b", "binary in YAML 1.1")):
        if lowered.startswith(prefix):
            return f"is {what}"
    if ":" in lowered:
        return "is base 60 to YAML 1.1 loaders and a string to YAML 1.2 ones"
    if "_" in lowered:
        return "has digit separators: a number to YAML 1.1 loaders, a string to YAML 1.2 ones"
    if lowered in (".inf", ".nan", "inf", "nan"):
        return "is not a finite number"
    if "." in lowered or "e" in lowered:
        return "is a floating-point number"
    if lowered.startswith("0"):
        return "has a leading zero: YAML 1.1 loaders read it as octal (or as a string)"
    return "is not a plain decimal integer"


def _advice(text: str, reading: str) -> str:
    port = _intended(text)
    if port is None:
        return f"{reading}; write the port as a plain decimal integer ({PORT_MIN}-{PORT_MAX})"
    return f"{reading}; write {port}"


def _intended(text: str) -> int | None:
    """The port ``text`` most likely means (its YAML 1.2 value; base 60 for ``1:20``)."""
    digits = text.strip().lower().replace("_", "").removeprefix("+")
    if digits.startswith("-") or not digits or len(digits) > 24:
        return None
    bases = {"0x": 16, "0o": 8, "0b": 2}
    try:
        if digits[:2] in bases:
            port = int(digits[2:], bases[digits[:2]])
        elif ":" in digits:
            port = 0
            for part in digits.split(":"):
                port = port * 60 + int(part)
        else:
            number = float(digits)
            port = int(number) if math.isfinite(number) and number.is_integer() else 0
    except ValueError:
        return None
    return port if PORT_MIN <= port <= PORT_MAX else None


def consistency_problems(data: dict[str, object]) -> Iterator[Problem]:
    """PC200 rules the schema cannot express, or expresses only as "invalid"."""
    yield from _range_order(data.get("port"))
    yield from _date_order(data)
    yield from _status_fields(data)
    for key, value in data.items():  # every list field is a list of scalars
        if isinstance(value, list) and len(value) > 1:
            yield from _repeats(value, (key,))


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
