"""The schema stage: PC200 schema, PC201 unknown-field, PC202 ambiguous-number.

pydantic validates every file (the fast path); jsonschema runs only on files
already known to be bad, to say what is wrong and where. The rules neither can
express (ranges in order, dates in order, `retired_on` and `expires` against
`status`, repeated list items) run on the raw data, so a file with a missing
field still hears about its other problems. Checks after this stage see only
allocations that passed it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from portcheck.finding import Finding, Location, printable, printable_text
from portcheck.load.document import Document, NodePath
from portcheck.model import PORT_MAX, Allocation
from portcheck.model.ambiguous import DECIMAL, ambiguous_number
from portcheck.model.consistency import consistency_problems, consistent
from portcheck.model.messages import (
    Problem,
    field_name,
    kind_of,
    pattern_meaning,
    schema_problems,
    show,
    unknown_field_message,
)
from portcheck.model.schema import Kind
from portcheck.rules import AMBIGUOUS_NUMBER, SCHEMA, UNKNOWN_FIELD, Rule

M = TypeVar("M", bound=BaseModel)
FIELDS = frozenset(Allocation.model_fields)


def validate_allocation(doc: Document) -> Allocation | list[Finding]:
    """The allocation in ``doc``, or every schema-stage finding about it. Never raises."""
    data = doc.data
    # The common case first: what every rule below would pass, asked in one go.
    plain = FIELDS.issuperset(data) and None not in data.values() and consistent(data)
    if plain and _port_problem(doc) is None:
        try:
            return Allocation.model_validate(data)
        except ValidationError:
            pass  # the rules below say why
    problems = [(UNKNOWN_FIELD, p) for p in unknown_fields(data, FIELDS)]
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
    problems += [(SCHEMA, p) for p in found if p.path[:1] not in settled]
    if problems or allocation is None:
        return sorted(_finding(doc, rule, p) for rule, p in problems) or [_unexplained(doc)]
    return allocation


def _port_problem(doc: Document) -> tuple[Rule, Problem] | None:
    value, written = doc.data.get("port"), doc.scalars.get(("port",))
    ambiguous = ambiguous_number(("port",), value, written)
    if ambiguous is not None:
        return AMBIGUOUS_NUMBER, ambiguous
    # A decimal too long to read as a number (yaml_scalars makes it infinity,
    # CVE-2020-10735): too large, rather than "not an integer".
    if isinstance(value, float) and written and DECIMAL.fullmatch(written.text):
        message = f"port {printable(written.text)} is greater than {PORT_MAX}"
        return SCHEMA, Problem(("port",), message)
    return None


def _finding(doc: Document, rule: Rule, problem: Problem) -> Finding:
    return rule.finding(locate(doc, problem), problem.message)


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
    return SCHEMA.finding(doc.locate(()), "the allocation does not match the schema")


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
    return printable_text(str(error["msg"]), 160).replace("Input", "value", 1)


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
