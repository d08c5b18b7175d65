"""Plain scalars resolve with the YAML 1.2 core schema, whatever YAML 1.1 would say."""

from __future__ import annotations

import math

import pytest

from portcheck.load import parse_document
from portcheck.load.document import Document
from portcheck.load.scalars import resolve_plain


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("8080", 8080),
        ("08080", 8080),  # 1.2: decimal with a leading zero; 1.1 would refuse or read octal
        ("010", 10),  # 1.1: 8
        ("0o17620", 8080),
        ("0x1F90", 8080),
        ("+8080", 8080),
        ("-5", -5),
        ("8080.0", 8080.0),
        ("8.08e3", 8080.0),  # 1.1 needs a signed exponent
        (".5", 0.5),
        ("5.", 5.0),
        ("1_000", "1_000"),  # 1.1: 1000
        ("1:20", "1:20"),  # 1.1: base 60, 80
        ("yes", "yes"),  # 1.1: true
        ("no", "no"),
        ("on", "on"),
        ("y", "y"),
        ("2026-03-14", "2026-03-14"),  # 1.2 core has no timestamps
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("tRUE", "tRUE"),
        ("null", None),
        ("Null", None),
        ("~", None),
        ("", None),
        ("nil", "nil"),
        ("0x", "0x"),
        ("0o8", "0o8"),
        ("-", "-"),
        (".", "."),
        ("@acme", "@acme"),
    ],
)
def test_core_schema(text: str, value: object) -> None:
    resolved = resolve_plain(text)
    assert resolved == value
    assert type(resolved) is type(value)


@pytest.mark.parametrize(("text", "sign"), [(".inf", 1), ("+.Inf", 1), ("-.INF", -1)])
def test_infinity(text: str, sign: int) -> None:
    assert resolve_plain(text) == sign * math.inf


def test_nan() -> None:
    value = resolve_plain(".NaN")
    assert isinstance(value, float)
    assert math.isnan(value)


def test_numbers_too_long_for_python_resolve_to_infinity() -> None:
    # int() refuses more than 4300 digits (CVE-2020-10735): never a ValueError.
    assert resolve_plain("9" * 5000) == math.inf
    assert resolve_plain("-" + "9" * 5000) == -math.inf
    assert resolve_plain("0x" + "f" * 5000) == math.inf


def test_an_empty_value_is_located_at_its_key() -> None:
    doc = parse_document(b"port: 1\nreview_by:\nowner: x\n", "f.yaml")
    assert isinstance(doc, Document)
    assert doc.data["review_by"] is None
    assert doc.value_at[("review_by",)] == (2, 1)
