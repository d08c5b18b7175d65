"""PC202 ambiguous-number: a port written so that tools could read it differently.

YAML 1.1 and 1.2 loaders disagree on `010`, `0x1F90`, `1_000`, `1:20`,
`8080.0` and quoted digits; the port a reviewer reads must be the port every
tool reads, so only a plain decimal integer (or a `start-end` range) passes.
"""

from __future__ import annotations

import math
import re

from portcheck.finding import printable
from portcheck.load.document import NodePath, Scalar
from portcheck.model import PORT_MAX, PORT_MIN
from portcheck.model.messages import Problem, field_name

DECIMAL = re.compile(r"0|[1-9][0-9]*")
_NEGATIVE = re.compile(r"-[1-9][0-9]*")  # the schema's "less than the minimum" says it better
# Any digits-dash-digits, so PC202 still names leading zeros however strict RANGE_PATTERN gets.
_RANGE_LIKE = re.compile(r"[0-9]{1,5}-[0-9]{1,5}")
# Everything a YAML 1.1 or 1.2 loader may read as a number (YAML 1.1 §int, §float;
# YAML 1.2.2 §10.3.2), plus digit strings: the forms PC202 refuses for a port.
_NUMBERISH = re.compile(
    r"[-+]?(0b[01_]+|0x[0-9a-f_]+|0o[0-7_]+"
    r"|[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?"
    r"|([0-9][0-9_]*(\.[0-9_]*)?|\.[0-9][0-9_]*)(e[-+]?[0-9]+)?"
    r"|\.inf)|\.nan",
    re.IGNORECASE,
)


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
        if DECIMAL.fullmatch(text) or _NEGATIVE.fullmatch(text):
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
    if DECIMAL.fullmatch(start) and DECIMAL.fullmatch(end):
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
