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
_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")

# Python refuses int <-> str conversions past 4300 digits (CVE-2020-10735); a
# number that long is no port anyway, so it resolves to infinity and fails the
# schema like any other non-integer (hostile corpus: huge_int.yaml).
_MAX_DIGITS = 100


def resolve_plain(text: str) -> object:
    """The value of a plain scalar: None, bool, int, float or str."""
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text):
        return _integer(text, 10)
    if _OCT.fullmatch(text):
        return _integer(text[2:], 8)
    if _HEX.fullmatch(text):
        return _integer(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _INF.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.fullmatch(text):
        return math.nan
    return text


def _integer(digits: str, base: int) -> int | float:
    if len(digits) > _MAX_DIGITS:
        return -math.inf if digits.startswith("-") else math.inf
    return int(digits, base)
