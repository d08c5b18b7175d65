"""PC201: keys that are not allocation fields, at the key, with a did-you-mean."""

from __future__ import annotations

import pytest

from portcheck.finding import Finding
from portcheck.load import parse_document
from portcheck.load.document import Document
from portcheck.model import Allocation
from portcheck.model.messages import suggestion
from portcheck.model.validate import validate_allocation
from tests.conftest import allocation, located

PATH = "ports/a.yaml"


def findings(text: str) -> list[Finding]:
    doc = parse_document(text.encode(), PATH)
    assert isinstance(doc, Document), doc
    result = validate_allocation(doc)
    return [] if isinstance(result, Allocation) else result


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # A misspelt required field is one problem: no "'protocol' is required" beside it.
        ({"protocol": None, "protcol": "tcp"}, [(PATH, 6, 1, "PC201")]),
        ({"protcol": "udp"}, [(PATH, 7, 1, "PC201")]),
        ({"zzz": "1", "review": "2027-01-01"}, [(PATH, 7, 1, "PC201"), (PATH, 8, 1, "PC201")]),
        # Whatever an unknown key holds, the key is the one problem.
        ({"extra": "{a: [1, 1], b: null}"}, [(PATH, 7, 1, "PC201")]),
        ({"protcol": "[tcp, tcp]"}, [(PATH, 7, 1, "PC201")]),
        # An unknown key beside other problems: each is reported once.
        ({"owner": "acme", "ownr": "'@a'"}, [(PATH, 4, 8, "PC200"), (PATH, 7, 1, "PC201")]),
    ],
)
def test_unknown_fields(fields: dict[str, str | None], expected: list[object]) -> None:
    assert located(findings(allocation(**fields))) == expected


@pytest.mark.parametrize(
    ("key", "guess"),
    [
        ("protcol", "protocol"),
        ("Protocol", "protocol"),
        ("review-by", "review_by"),
        ("retired", "retired_on"),
        ("dependson", "depends_on"),
        ("p\u043ert", "port"),  # Cyrillic o
        ("p\u200bort", "port"),  # zero-width space
        ("zzz", None),
    ],
)
def test_suggestion(key: str, guess: str | None) -> None:
    assert suggestion(key, Allocation.model_fields) == guess


def test_did_you_mean_is_in_the_message() -> None:
    (found,) = findings(allocation(protocol=None, protcol="tcp"))
    assert "did you mean 'protocol'?" in found.message


def test_no_suggestion_without_a_close_field() -> None:
    (found,) = findings(allocation(zzz="1"))
    assert "did you mean" not in found.message


@pytest.mark.parametrize(
    ("key", "escaped"),
    [("p\u043ert", "\\u043e"), ("p\u200bort", "\\u200b"), ("po\u00adrt", "\\xad")],
)
def test_lookalike_keys_are_shown_escaped(key: str, escaped: str) -> None:
    """A homoglyph or an invisible character must be visible in the message, or the
    author sees ``unknown field 'port'`` and cannot tell what is wrong."""
    text = allocation(port=None) + f"{key}: 8080\n"
    (found,) = findings(text)
    assert (found.line, found.column, found.code) == (6, 1, "PC201")
    assert escaped in found.message
    assert key not in found.message
