"""jsonschema's errors as one-line messages with a node path to point at.

Used only on files already known to be invalid (pydantic is the fast path):
one problem per place, the most telling first, every value from a file shown
through printable().
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from portcheck.finding import escape_char, printable, printable_text
from portcheck.load import ID_PATTERN
from portcheck.load.document import NodePath
from portcheck.model import DATE_PATTERN, OWNER_PATTERN, RANGE_PATTERN, SCOPE_PATTERN
from portcheck.model.schema import Kind, validator

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError


class Problem(NamedTuple):
    """A schema problem before it is located: where (a node path) and what."""

    path: NodePath
    message: str
    at_key: bool = False  # point at the key of ``path`` (unknown or misplaced keys)
    keyword: str = ""  # the JSON Schema keyword that failed, for callers that filter


def schema_problems(kind: Kind, instance: object) -> list[Problem]:
    """Every schema problem of ``instance``, one per place, in a stable order.

    ``uniqueItems`` and the ``allOf`` conditionals are left out: the caller's own
    rules report those, pointing at the repeated item or the offending field.
    """
    errors = validator(kind).iter_errors(_printable_numbers(instance))
    kept = (e for e in errors if e.schema_path[0] != "allOf")
    problems = [p for error in sorted(kept, key=_error_order) for p in _describe(error)]
    return _one_per_place(problems)


def _printable_numbers(value: object) -> object:
    """``value`` with integers too long to print clamped: jsonschema formats the
    instance into its message before we can choose ours (CVE-2020-10735 limit)."""
    if isinstance(value, dict):
        return {key: _printable_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_printable_numbers(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return 2**64 if value > 0 else -(2**64)
    return value


_PRIORITY = {"type": 0, "required": 1, "enum": 2, "const": 2, "pattern": 3, "format": 4}


def _error_order(error: ValidationError) -> tuple[list[str], int, list[str]]:
    path = [str(part) for part in error.absolute_path]
    rank = _PRIORITY.get(str(error.validator), 9)
    return path, rank, [str(part) for part in error.absolute_schema_path]


def _one_per_place(problems: Iterable[Problem]) -> list[Problem]:
    """The first problem at each place: a long, badly patterned owner is one problem."""
    seen: dict[tuple[NodePath, bool], Problem] = {}
    for problem in problems:
        seen.setdefault((problem.path, problem.at_key), problem)
    return list(seen.values())


def _describe(error: ValidationError) -> Iterator[Problem]:
    path = tuple(error.absolute_path)
    keyword = str(error.validator)
    if keyword == "uniqueItems":
        return
    if keyword in ("anyOf", "oneOf"):
        yield from _describe_alternatives(error)
    elif keyword == "required" and isinstance(error.instance, dict):
        yield from _missing(error, path, error.instance)
    elif keyword == "additionalProperties" and isinstance(error.instance, dict):
        known = _properties(error)
        for key in error.instance:
            if key not in known:
                yield Problem((*path, key), unknown_field_message(key, known), True, keyword)
    elif "propertyNames" in error.schema_path:
        message = f"{field_name(path)} key {show(error.instance)} is not {_expectation(error)}"
        yield Problem((*path, str(error.instance)), message, True, keyword)
    else:
        yield Problem(path, f"{field_name(path)} {_complaint(error)}", keyword=keyword)


def _missing(error: ValidationError, path: NodePath, instance: dict[str, Any]) -> Iterator[Problem]:
    """Each missing field, at its would-be path (located at the mapping), unless an
    unknown key is its misspelling: ``protcol: tcp`` is one problem, not two."""
    known = _properties(error)
    misspelt = {suggestion(key, known) for key in instance if key not in known}
    for name in _limit(error):
        if name not in instance and name not in misspelt:
            message = f"{printable(name)} is a required field"
            yield Problem((*path, name), message, keyword="required")


def _properties(error: ValidationError) -> list[str]:
    schema = error.schema if isinstance(error.schema, dict) else {}
    return list(schema.get("properties", {}))


def _describe_alternatives(error: ValidationError) -> Iterator[Problem]:
    """The errors of the alternative the value was meant for (the first whose type
    matches), rather than "is not valid under any of the given schemas"."""
    mismatched = {e.relative_schema_path[0] for e in error.context if _is_root_type_error(e)}
    alternatives: list[dict[str, Any]] = _limit(error)
    for branch, _ in enumerate(alternatives):
        if branch not in mismatched:
            chosen = [e for e in error.context if e.relative_schema_path[0] == branch]
            for sub in sorted(chosen, key=_error_order):
                yield from _describe(sub)
            return
    wanted = " or ".join(_TYPES.get(str(b.get("type")), "other") for b in alternatives)
    path = tuple(error.absolute_path)
    yield Problem(path, f"{field_name(path)} must be {wanted}, not {kind_of(error.instance)}")


def _is_root_type_error(error: ValidationError) -> bool:
    return error.validator == "type" and len(error.relative_schema_path) == 2


_TYPES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
}
_PATTERNS = {
    ID_PATTERN: "an id (lower-case letters, digits and single hyphens)",
    SCOPE_PATTERN: "a scope path such as prod/eu",
    OWNER_PATTERN: "@user or @org/team",
    RANGE_PATTERN: 'a range "start-end" such as "30000-30009"',
    DATE_PATTERN: "a date written YYYY-MM-DD",
}


def _complaint(error: ValidationError) -> str:
    """What is wrong with the value, to follow its field name."""
    value, limit = error.instance, _limit(error)
    match error.validator:
        case "type":
            wanted = " or ".join(_TYPES.get(str(t), str(t)) for t in _as_list(limit))
            return f"must be {wanted}, not {kind_of(value)}"
        case "enum" | "const" | "format" | "pattern":
            return f"{show(value)} is not {_expectation(error)}"
        case "minimum":
            return f"{show(value)} is less than the minimum of {limit}"
        case "maximum":
            return f"{show(value)} is greater than the maximum of {limit}"
        case "minLength":
            return "must not be empty" if limit == 1 else f"is shorter than {limit} characters"
        case "maxLength":
            return f"is longer than {limit} characters"
        case "minItems":
            return "must not be an empty list"
    return printable_text(error.message, 160)  # no keyword portcheck's schemas use


def _expectation(error: ValidationError) -> str:
    limit = _limit(error)
    match error.validator:
        case "enum":
            return "one of " + ", ".join(str(choice) for choice in limit)
        case "const":
            return str(limit)
        case "format":
            return "a calendar date" if limit == "date" else f"a valid {limit}"
        case "pattern":
            return pattern_meaning(limit)
    return printable_text(error.message, 160)  # no keyword portcheck's schemas use


def pattern_meaning(pattern: str) -> str:
    """What a value matching one of the models' patterns is, in words."""
    return _PATTERNS.get(pattern, f"matching {pattern}")


def _limit(error: ValidationError) -> Any:
    """The keyword's value in the schema (``maximum``'s 65535, ``enum``'s choices)."""
    return error.validator_value


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def field_name(path: NodePath) -> str:
    """``("reserved", 0, "port")`` as ``reserved[0].port``, for messages."""
    name = ""
    for part in path:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            text = part if part.isascii() and part.isidentifier() else printable(part)
            name += f".{text}" if name else text
    return name or "the document"


def show(value: object) -> str:
    """A value from an input file, safe to print in a one-line message."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and value.bit_length() > 64:
        return "(a huge integer)"  # also what _printable_numbers clamps to
    if isinstance(value, int | float):
        return repr(value)
    return kind_of(value)


def kind_of(value: object) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, float):
        return "a floating-point number"
    names = {int: "an integer", str: "a string", list: "a list", dict: "a mapping"}
    return names.get(type(value), type(value).__name__)


def unknown_field_message(key: object, known: Iterable[str]) -> str:
    """``unknown field 'protcol' (did you mean 'protocol'?)``.

    Every field name is ASCII, so any other character in ``key`` is escaped: a
    Cyrillic 'o' (U+043E) or a zero-width space must be visible, not just "wrong".
    """
    text = str(key)
    shown = printable("".join(ch if ch.isascii() else escape_char(ch) for ch in text))
    return f"unknown field {shown}{did_you_mean(text, known)}"


def did_you_mean(key: object, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the name ``key`` most likely misspells, or nothing."""
    guess = suggestion(key, known)
    return f" (did you mean {printable(guess)}?)" if guess is not None else ""


def suggestion(key: object, known: Iterable[str]) -> str | None:
    """The known name ``key`` most likely misspells, if any (difflib's ratio, cutoff 0.6).

    Compared after NFKC and without invisible format characters, so a zero-width
    space still matches. Among equally close names the one with the same letters
    wins, so a transposition (``prod/ue`` -> ``prod/eu``) beats a substitution
    (``prod/us``).
    """
    text = unicodedata.normalize("NFKC", str(key))
    folded = "".join(ch for ch in text if unicodedata.category(ch) != "Cf").lower()
    close = difflib.get_close_matches(folded, list(known), n=5)
    return max(
        close,
        key=lambda name: (_similarity(folded, name), _similarity(sorted(folded), sorted(name))),
        default=None,
    )


def _similarity(a: Sequence[str], b: Sequence[str]) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()
