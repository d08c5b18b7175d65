"""PC200: the schema stage on real YAML, each finding at the offending key or value."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portcheck.finding import Finding
from portcheck.load import parse_document
from portcheck.load.document import Document
from portcheck.model import Allocation
from portcheck.model.schema import validator
from portcheck.model.validate import validate_allocation
from tests.conftest import allocation, located, require_corpus, run, write_register

PATH = "ports/a.yaml"
# allocation() writes service, port, protocol, owner, description, allocated on
# lines 1-6 (values at columns 10, 7, 11, 8, 14, 12); extra fields follow from line 7.


def stage(text: str) -> list[tuple[str, int, int, str]]:
    """The schema stage's findings on ``text`` read as ports/a.yaml."""
    doc = parse_document(text.encode(), PATH)
    assert isinstance(doc, Document), doc
    result = validate_allocation(doc)
    return [] if isinstance(result, Allocation) else located(result)


def at(line: int, column: int) -> tuple[str, int, int, str]:
    return (PATH, line, column, "PC200")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param({}, [], id="valid"),
        # Missing fields: at the top-level mapping, which starts at line 1.
        pytest.param({"owner": None}, [at(1, 1)], id="missing-owner"),
        pytest.param({"service": None}, [at(1, 1)], id="missing-first-field"),
        pytest.param({"owner": None, "allocated": None}, [at(1, 1), at(1, 1)], id="missing-two"),
        # Wrong types.
        pytest.param({"description": "123"}, [at(5, 14)], id="description-int"),
        pytest.param({"protocol": "5"}, [at(3, 11)], id="protocol-int"),
        pytest.param({"port": "true"}, [at(2, 7)], id="port-bool"),
        pytest.param({"port": "[8080]"}, [at(2, 7)], id="port-list"),
        pytest.param({"port": "{a: 1}"}, [at(2, 7)], id="port-mapping"),
        pytest.param({"scope": "[prod, 7]"}, [at(7, 15)], id="scope-item-int"),
        pytest.param({"depends_on": "ledger-db"}, [at(7, 13)], id="depends-not-list"),
        pytest.param({"allocated": "20260314"}, [at(6, 12)], id="date-int"),
        # Empty values are refused, not read as absent.
        # An empty value is located at its key: YAML marks it where the next token starts.
        pytest.param({"review_by": ""}, [at(7, 1)], id="null-review-by"),
        pytest.param({"contact": "~"}, [at(7, 1)], id="null-contact"),
        # Patterns, enumerations, lengths, bounds.
        pytest.param({"service": "Payments"}, [at(1, 10)], id="service-pattern"),
        pytest.param({"service": '"svc\\n"'}, [at(1, 10)], id="service-newline"),
        pytest.param({"owner": "'acme'"}, [at(4, 8)], id="owner-pattern"),
        pytest.param({"owner": '"@' + "a" * 120 + '"'}, [at(4, 8)], id="owner-long"),
        pytest.param({"protocol": "tcpp"}, [at(3, 11)], id="protocol-enum"),
        pytest.param({"protocol": "[tcp, tcpp]"}, [at(3, 17)], id="protocol-item-enum"),
        pytest.param({"protocol": "[]"}, [at(3, 11)], id="protocol-empty"),
        pytest.param({"scope": "prod/EU"}, [at(7, 8)], id="scope-pattern"),
        pytest.param({"status": "retird"}, [at(7, 9)], id="status-enum"),
        pytest.param({"description": "''"}, [at(5, 14)], id="description-empty"),
        pytest.param({"description": "x" * 201}, [at(5, 14)], id="description-long"),
        pytest.param({"description": '"\\ud800"'}, [at(5, 14)], id="lone-surrogate"),
        pytest.param({"links": "[ftp://x]"}, [at(7, 9)], id="link-pattern"),
        pytest.param({"depends_on": "[Ledger]"}, [at(7, 14)], id="depends-pattern"),
        pytest.param({"port": "0"}, [at(2, 7)], id="port-zero"),
        pytest.param({"port": "-1"}, [at(2, 7)], id="port-negative"),
        pytest.param({"port": "65536"}, [at(2, 7)], id="port-above"),
        pytest.param({"port": "123456789012345678901234567890"}, [at(2, 7)], id="port-huge"),
        pytest.param({"port": "9" * 150}, [at(2, 7)], id="port-too-long-for-int"),
        # Dates: real calendar dates, YYYY-MM-DD, in order.
        pytest.param({"allocated": "2026-02-30"}, [at(6, 12)], id="date-impossible"),
        pytest.param({"allocated": "2026/03/14"}, [at(6, 12)], id="date-slashes"),
        pytest.param({"allocated": "2026-3-14"}, [at(6, 12)], id="date-short"),
        pytest.param({"allocated": "2028-02-29"}, [], id="date-leap"),
        pytest.param({"review_by": "2026-03-13"}, [at(7, 12)], id="review-before-allocated"),
        pytest.param({"review_by": "2026-03-14"}, [], id="review-on-allocated"),
        pytest.param(
            {"status": "reserved", "expires": "2026-03-01"}, [at(8, 10)], id="expires-before"
        ),
        # Conditionals on status.
        pytest.param({"status": "retired"}, [at(7, 9)], id="retired-without-date"),
        pytest.param({"status": "retired", "retired_on": "2026-09-01"}, [], id="retired-ok"),
        pytest.param(
            {"status": "retired", "retired_on": "2026-03-01"}, [at(8, 13)], id="retired-before"
        ),
        pytest.param({"status": "retired", "retired_on": ""}, [at(8, 1)], id="retired-on-null"),
        pytest.param({"retired_on": "2026-09-01"}, [(PATH, 7, 1, "PC200")], id="retired-on-active"),
        pytest.param(
            {"status": "deprecated", "retired_on": "2026-09-01"}, [at(8, 1)], id="retired-on-depr"
        ),
        pytest.param({"status": "reserved"}, [at(7, 9)], id="reserved-without-expires"),
        pytest.param({"status": "reserved", "expires": "2026-06-30"}, [], id="reserved-ok"),
        # Ranges.
        pytest.param({"port": '"30000-30009"'}, [], id="range"),
        pytest.param({"port": "1-2"}, [], id="range-lowest"),
        pytest.param({"port": "65534-65535"}, [], id="range-highest"),
        pytest.param({"port": '"30009-30000"'}, [at(2, 7)], id="range-reversed"),
        pytest.param({"port": '"1-1"'}, [at(2, 7)], id="range-single"),
        pytest.param({"port": "0-5"}, [at(2, 7)], id="range-from-zero"),
        pytest.param({"port": "65535-65536"}, [at(2, 7)], id="range-above"),
        pytest.param({"port": "99999-100000"}, [at(2, 7)], id="range-pattern"),
        pytest.param({"port": "1-2-3"}, [at(2, 7)], id="range-three"),
        # Repeated list items, at the repeat.
        pytest.param({"protocol": "[tcp, udp, tcp]"}, [at(3, 22)], id="protocol-repeat"),
        pytest.param({"scope": "[prod, prod/eu, prod]"}, [at(7, 24)], id="scope-repeat"),
        pytest.param({"depends_on": "[a, b, a]"}, [at(7, 20)], id="depends-repeat"),
        pytest.param(
            {"links": "[https://a.example, https://a.example]"}, [at(7, 28)], id="link-rep"
        ),
    ],
)
def test_schema_stage(
    fields: dict[str, str | None], expected: list[tuple[str, int, int, str]]
) -> None:
    assert stage(allocation(**fields)) == expected


def test_several_problems_are_all_reported() -> None:
    text = allocation(owner="acme", protocol="[tcp, tcp]", status="retired", port='"9-1"')
    assert stage(text) == [at(2, 7), at(3, 17), at(4, 8), at(7, 9)]


def test_block_style_positions() -> None:
    """The strict reader's positions: block lists and multi-line mappings."""
    text = "service: svc\nport: 8080\nprotocol:\n  - tcp\n  - tcpp\nowner: '@a'\n"
    text += "description: d\nallocated: 2026-03-14\nscope:\n  - prod\n  - prod\n"
    assert stage(text) == [at(5, 5), at(11, 5)]


def test_broken_file_gets_nothing_but_its_schema_findings(tmp_path: Path) -> None:
    """Through the engine: a file failing the schema stage is not checked further
    (port 40000 is outside the policy's ranges, yet no PC300)."""
    files = {
        "ports/a.yaml": allocation(port="40000", owner="acme"),
        "ports/b.yaml": allocation(service="b", port="8081"),
    }
    findings = run(write_register(tmp_path, files))
    assert located(findings) == [at(4, 8)]


# Hypothesis: anything YAML can produce, in any field, never raises; and what the
# stage accepts, the published JSON Schema accepts too.
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**64)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.text(st.characters(codec=None, categories=("Cs", "Cc", "Cf")))
    | st.sampled_from(["tcp", "prod", "2026-03-14", "1-2", "retired", "reserved", "@a/b"])
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)
_FIELDS = st.sampled_from([*sorted(Allocation.model_fields), "protcol", "x\u200b"])
_VALID: dict[str, object] = {
    "service": "svc",
    "port": 8080,
    "protocol": "tcp",
    "owner": "@acme/team",
    "description": "A service",
    "allocated": "2026-03-14",
}


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_FIELDS, _VALUES, max_size=4), st.booleans())
def test_never_raises_and_agrees_with_the_schema(
    changes: dict[str, object], start_valid: bool
) -> None:
    data = {**_VALID, **changes} if start_valid else changes
    result = validate_allocation(Document(PATH, data))
    if isinstance(result, Allocation):
        assert not list(validator("allocation").iter_errors(data))
    else:
        assert result
        assert all(isinstance(f, Finding) and f.code in {"PC200", "PC201", "PC202"} for f in result)


_HOSTILE: list[object] = [
    None,
    math.nan,
    math.inf,
    -math.inf,
    2**70,
    -(2**70),
    10**5000,
    "\ud800",
    [[[]]],
    {"a": {}},
]


@pytest.mark.parametrize("value", _HOSTILE, ids=range(len(_HOSTILE)))
@pytest.mark.parametrize("field", sorted(Allocation.model_fields))
def test_hostile_values_are_findings(field: str, value: object) -> None:
    result = validate_allocation(Document(PATH, {**_VALID, field: value}))
    assert isinstance(result, list)
    assert all(f.code in {"PC200", "PC202"} for f in result)


def test_hostile_corpus_files_never_raise() -> None:
    """Every hostile file that loads gets schema-stage findings or passes; none raises."""
    for path in sorted((require_corpus("hostile") / "files").glob("*.yaml")):
        doc = parse_document(path.read_bytes(), f"ports/{path.name}")
        if isinstance(doc, Document):
            result = validate_allocation(doc)
            codes = {"PC200", "PC201", "PC202"}
            assert isinstance(result, Allocation) or {f.code for f in result} <= codes, path
