"""The small text functions every stage shares: positions, escapes, counts."""

from __future__ import annotations

import pytest

from portcheck.finding import line_column, plural, printable, printable_text


@pytest.mark.parametrize(
    ("data", "offset", "expected"),
    [
        (b"abc", 0, (1, 1)),
        (b"ab\ncd", 3, (2, 1)),
        (b"ab\ncd", 4, (2, 2)),
        ("x\n\u00e9\u00e9z".encode(), 6, (2, 3)),  # two 2-byte characters before z
        ("x\n\u00e9\u00e9z", 4, (2, 3)),
        ("one\ntwo\nthree", 9, (3, 2)),
    ],
)
def test_line_column_counts_characters(
    data: str | bytes, offset: int, expected: tuple[int, int]
) -> None:
    assert line_column(data, offset) == expected


@pytest.mark.parametrize(
    ("count", "expected"), [(0, "0 files"), (1, "1 file"), (2, "2 files"), (11, "11 files")]
)
def test_plural(count: int, expected: str) -> None:
    assert plural(count, "file") == expected


def test_printable_text_is_printable_without_quotes() -> None:
    value = "a\x1b[31mb" + "x" * 100
    assert printable(value) == f"'{printable_text(value)}'"
    assert printable_text(value) == "a\\x1b[31mb" + "x" * 72 + "…"
