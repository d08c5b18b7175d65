"""Plain-scalar resolution with the YAML 1.2 core schema (YAML 1.2.2 §10.3.2).

Both parsers use this one function, so a file means the same whatever path
read it. YAML 1.1's extras (yes/no booleans, base-60, `1_000`, timestamps) are
deliberately absent: in YAML 1.2 they are strings.
"""

from __future__ import annotations

import math
import re

_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
# One pattern for every non-string form, so a scalar costs one match; the
# group that matched names the type.
_SPECIAL = re.compile(
    r"(?P<int>[-+]?[0-9]+)"
    r"|0o(?P<oct>[0-7]+)"
    r"|0x(?P<hex>[0-9a-fA-F]+)"
    r"|(?P<float>[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)"
    r"|(?P<inf>[-+]?\.(inf|Inf|INF))"
    r"|(?P<nan>\.(nan|NaN|NAN))"
)
# Only these can start a null, bool or number; anything else is a string at once.
_SPECIAL_START = frozenset("0123456789+-.~nNtTfF")

# Python refuses int <-> str conversions past 4300 digits (CVE-2020-10735); a
# number that long is no port anyway, so it resolves to infinity and fails the
# schema like any other non-integer (hostile corpus: huge_int.yaml).
_MAX_DIGITS = 100


def resolve_plain(text: str) -> object:
    """The value of a plain scalar: None, bool, int, float or str."""
    if not text or text[0] not in _SPECIAL_START:
        return text or None
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    match = _SPECIAL.fullmatch(text)
    if match is None:
        return text
    kind = match.lastgroup
    if kind == "int":
        return _integer(text, 10)
    if kind == "oct":
        return _integer(text[2:], 8)
    if kind == "hex":
        return _integer(text[2:], 16)
    if kind == "inf":
        return -math.inf if text.startswith("-") else math.inf
    if kind == "nan":
        return math.nan
    return float(text)


def _integer(digits: str, base: int) -> int | float:
    if len(digits) > _MAX_DIGITS:
        return -math.inf if digits.startswith("-") else math.inf
    return int(digits, base)
