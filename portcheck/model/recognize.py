"""The common allocation file, recognised in one pass: its facts, or None.

Judging a file in bulk costs a parse (the lean reader) and a model pass, two
thirds of a cold run at 100,000 files. Nearly every file is written the same
way: `key: value` lines of known fields, plain or double-quoted values in the
forms the schema asks for, flow lists, comments. This recogniser accepts
exactly such files when every schema-stage rule would pass them, and builds
their Facts directly; anything else (a quoted port, a block list, an unknown
key, a value any rule might question) is None, and the file takes the full
path. One regular expression matches the whole file's shape (in C, a few
microseconds), so the Python that follows only splits known-good lines.

It only ever says "valid, with these facts" where the full path says the same:
tests/test_recognize.py holds the two to one result on every corpus file,
generated registers and thousands of mutants.
"""

from __future__ import annotations

import datetime as dt
import re

from portcheck.load import ID_MAX
from portcheck.load.lean import unusual
from portcheck.load.modeline import Modeline
from portcheck.load.scalars import resolve_plain
from portcheck.model import PORT_MAX, PortSpan
from portcheck.model.facts import Facts, consistent, facts_from

_WORD = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_SCOPE = rf"{_WORD}(?:/{_WORD})*"
_PROTOCOL = r"(?:tcp|udp|sctp|dccp)"
_NUMBER = r"[1-9][0-9]{0,4}"
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
# In a flow list the fast reader refuses []{}#'" and splits on commas.
_URL = r"https?://[^\s,\[\]{}#'\"]+(?<!:)"
# Free text: double-quoted without escapes, or a plain scalar as the fast reader
# reads one (no indicator first, no ": " or " #" inside, no ":" last).
_TEXT = (
    r'"[^"\\\n]*"'
    r"|[^-?:,\[\]{}#&*!|>'\"%@` \n](?:[^:# \n]|:(?![ \n]|\Z)| +(?![# \n]|\Z)|(?<! )#)*(?<!:)"
)


def _flow(item: str, *, empty: bool) -> str:
    items = rf"\[ *{item}(?: *, *{item})* *\]"
    return rf"\[ *\]|{items}" if empty else items


_SHAPES = {
    "service": _WORD,
    "port": rf'{_NUMBER}(?:-{_NUMBER})?|"{_NUMBER}-{_NUMBER}"',
    "protocol": rf"{_PROTOCOL}|{_flow(_PROTOCOL, empty=False)}",
    "scope": rf"{_SCOPE}|{_flow(_SCOPE, empty=False)}",
    "owner": r'"@[A-Za-z0-9][A-Za-z0-9-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)?"',
    "contact": _TEXT,
    "description": _TEXT,
    "status": r"reserved|active|deprecated|retired",
    "allocated": _DATE,
    "review_by": _DATE,
    "expires": _DATE,
    "retired_on": _DATE,
    "depends_on": _flow(_WORD, empty=True),
    "links": _flow(_URL, empty=True),
}
_LINE = "|".join(rf"{key}: +(?:{shape})(?: +#[^\n]*)? *" for key, shape in _SHAPES.items())
#: Every line a known field in a recognised form, a comment, or blank.
_FILE = re.compile(rf"(?:(?:{_LINE}| *(?:#[^\n]*)?)\n)*(?:{_LINE}| *(?:#[^\n]*)?)")
_REQUIRED = frozenset({"service", "port", "protocol", "owner", "description", "allocated"})


def recognise(text: str, modeline: Modeline | None) -> Facts | None:
    """The facts of ``text`` when it is a plainly valid allocation, else None."""
    if unusual(text) or _FILE.fullmatch(text) is None:
        return None
    fields: dict[str, str] = {}  # key -> its value as written, after `key: `
    for line in text.split("\n"):
        if not line or line[0] in " #":
            continue  # blank or a comment: the pattern let nothing else start so
        key, _, rest = line.partition(":")
        if key in fields:
            return None
        fields[key] = rest.lstrip(" ")
    if not _REQUIRED.issubset(fields):
        return None
    try:
        return _facts(fields, modeline)
    except ValueError:
        return None  # a value the schema stage would refuse


def _value(rest: str) -> str | list[str]:
    """The text of a value the pattern matched, or a flow list's items."""
    if rest[0] == '"':
        return rest[1 : rest.index('"', 1)]
    if rest[0] == "[":
        body = rest[1 : rest.index("]")]
        return [item.strip(" ") for item in body.split(",")] if body.strip(" ") else []
    cut = rest.find(" #")
    return (rest if cut < 0 else rest[:cut]).rstrip(" ")


def _facts(fields: dict[str, str], modeline: Modeline | None) -> Facts | None:
    _text(_value(fields["service"]), ID_MAX)
    status = _value(fields.get("status", "active"))
    allocated = _date(fields["allocated"])
    review_by, expires, retired_on = (_date(fields[n]) if n in fields else None for n in _LATER)
    owner = _value(fields["owner"])
    for name in ("contact", "description"):
        if name in fields:
            _text(_value(fields[name]), 200)
    _listed(fields.get("links", "[]"), 2000)  # checked, not kept: no check reads links
    if len(owner) > 100:
        return None
    facts = facts_from(
        (
            _port(_value(fields["port"])),
            _listed(fields["protocol"]),
            _listed(fields.get("scope", "global")),
            owner,
            status,
            allocated,
            review_by,
            expires,
            retired_on,
            _listed(fields.get("depends_on", "[]")),
            modeline,
        )
    )
    return facts if consistent(facts) else None


_LATER = ("review_by", "expires", "retired_on")


#: What this process already found good, by the value as written: a register
#: repeats its scopes, protocol lists, dependency ids and dates, so each is read
#: and checked once.
_LISTS: dict[tuple[str, int], tuple[str, ...]] = {}
_DAYS: dict[str, dt.date] = {}


def _listed(written: str, longest: int = 255) -> tuple[str, ...]:
    """One value or a flow list of distinct ones that YAML reads as strings (not 0x1f,
    1e5, null or true), as a tuple: protocols, scopes and ids (at most ID_MAX
    characters without a "/", a scope ``longest`` with one), or links (``longest``)."""
    found = _LISTS.get((written, longest))
    if found is None:
        value = _value(written)
        items = tuple(value) if isinstance(value, list) else (value,)
        if len(set(items)) != len(items):
            raise ValueError("an item twice")
        for item in items:
            _text(item, ID_MAX if "/" not in item else longest)
        found = _LISTS[written, longest] = items
    return found


def _text(value: object, longest: int) -> None:
    """A string of 1 to ``longest`` characters that YAML reads as a string."""
    assert isinstance(value, str)
    if not 1 <= len(value) <= longest or type(resolve_plain(value)) is not str:
        raise ValueError(value)


def _port(value: object) -> PortSpan:
    assert isinstance(value, str)
    start, _, end = value.partition("-")
    span = PortSpan(int(start), int(end or start))
    if span.end > PORT_MAX or (end and span.start >= span.end):
        raise ValueError(value)
    return span


def _date(written: str) -> dt.date:
    day = _DAYS.get(written)
    if day is None:
        text = _value(written)
        assert isinstance(text, str)
        day = _DAYS[written] = dt.date.fromisoformat(text)
    return day
