"""PC202: a port must be written as a plain decimal integer (or a "start-end" range)."""

from __future__ import annotations

import math

import pytest

from portcheck.load import parse_document
from portcheck.load.document import Document, Scalar
from portcheck.model import Allocation
from portcheck.model.ambiguous import ambiguous_number
from portcheck.model.validate import validate_allocation
from tests.conftest import allocation, located

PATH = "ports/a.yaml"
PORT = (PATH, 2, 7)  # "port: " is line 2 of allocation()


def port_findings(written: str) -> list[tuple[str, int, int, str]]:
    doc = parse_document(allocation(port=written).encode(), PATH)
    assert isinstance(doc, Document), doc
    result = validate_allocation(doc)
    return [] if isinstance(result, Allocation) else located(result)


@pytest.mark.parametrize(
    "written",
    [
        "08080",  # octal to YAML 1.1, decimal to YAML 1.2
        "010",
        "0x1F90",
        "0o17620",
        "0b1010",  # binary in YAML 1.1, a string in YAML 1.2
        "1_000",
        "8_080",
        "+8080",
        "-08080",
        "8080.0",
        "8080.",
        "8.08e3",
        "1e3",
        "8080.5",
        ".inf",
        "-.inf",
        ".nan",
        ".NaN",
        "1:20",  # base 60 in YAML 1.1
        '"8080"',
        "'8080'",
        '"08080"',
        '" 8080"',
        '"0x1F90"',
        '"8080.0"',
        "|\n  8080",
        ">-\n  8080",
        '"08080-08090"',  # a range whose bounds have leading zeros
        "0080-0090",
        "0x" + "f" * 200,
    ],
)
def test_ambiguous(written: str) -> None:
    """One PC202 at the port, and no PC200 about the same port."""
    assert port_findings(written) == [(*PORT, "PC202")]


@pytest.mark.parametrize(
    "written", ["8080", "1", "65535", '"30000-30009"', "30000-30009", "'30000-30009'", "0-1"]
)
def test_plain(written: str) -> None:
    assert [f for f in port_findings(written) if f[3] == "PC202"] == []


@pytest.mark.parametrize(
    "written",
    ["0", "-1", "70000", "abc", '"abc"', "true", "[8080]", "1-2-3", "''", "0x"],
)
def test_not_a_number_is_a_schema_problem(written: str) -> None:
    """Values nobody could read as a port number get the schema's message."""
    assert port_findings(written) == [(*PORT, "PC200")]


@pytest.mark.parametrize(
    ("value", "written", "ambiguous"),
    [
        (8080, Scalar("plain", "8080"), False),
        (8080, Scalar("plain", "0x1F90"), True),
        (8080, None, False),  # no source form: an integer is taken as written
        (8080.0, None, True),
        (math.inf, None, True),
        ("8080", None, True),  # a string of digits cannot have been written plain
        ("8080", Scalar("double", "8080"), True),
        ("1_000", Scalar("plain", "1_000"), True),
        ("30000-30009", None, False),
        ("prod", None, False),
        (True, Scalar("plain", "true"), False),
        (None, Scalar("plain", ""), False),
    ],
)
def test_ambiguous_number(value: object, written: Scalar | None, ambiguous: bool) -> None:
    assert (ambiguous_number(("port",), value, written) is not None) is ambiguous


def test_message_says_what_to_write() -> None:
    problem = ambiguous_number(("port",), 8080, Scalar("plain", "0x1F90"))
    assert problem is not None
    assert problem.message.endswith("write 8080")
