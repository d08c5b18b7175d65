"""PC300-PC304: ranges, reserved blocks, protocols, scopes and range size against policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portcheck.checks import policy_ranges
from portcheck.checks.policy_ranges import inside_one
from portcheck.load.document import Document
from portcheck.model import PROTOCOLS, Policy, PortSpan, Protocol
from portcheck.model.facts import Facts, facts_model
from portcheck.model.messages import did_you_mean
from portcheck.register import Entry
from tests.conftest import AS_OF, POLICY, allocation, located, run, write_register

PORT = ("ports/a.yaml", 2, 7)  # "port: " is line 2 of allocation()


def policy_findings(root: Path) -> list[tuple[str, int, int, str]]:
    findings = run(root)
    assert [f for f in findings if f.code < "PC300"] == []  # fixtures load cleanly
    return located(f for f in findings if f.code in {r.code for r in policy_ranges.RULES})


def one(tmp_path: Path, policy: str = POLICY, **fields: object) -> Path:
    return write_register(tmp_path, {"ports/a.yaml": allocation(**fields)}, policy=policy)


@pytest.mark.parametrize(
    ("protocol", "port", "codes"),
    [
        ("tcp", 1, ["PC301"]),
        ("tcp", 1023, ["PC301"]),
        ("tcp", 1024, []),
        ("tcp", 5431, []),
        ("tcp", 5432, ["PC301"]),
        ("tcp", 5433, []),
        ("tcp", 29999, []),
        ("tcp", 30000, ["PC301"]),
        ("tcp", 32767, ["PC301"]),
        ("tcp", 32768, ["PC301"]),
        ("tcp", 60999, ["PC301"]),
        ("tcp", 61000, []),
        ("tcp", 64999, []),
        ("tcp", 65000, ["PC300"]),
        ("tcp", 65535, ["PC300"]),
        ("udp", 5432, []),
        ("udp", 29999, []),
        ("udp", 30000, ["PC300"]),
        ("udp", 32767, ["PC300"]),
        ("udp", 32768, ["PC301"]),
        ("udp", 61000, ["PC300"]),
        ("sctp", 1023, ["PC301"]),
        ("sctp", 1024, []),
        ("tcp", '"1024-1087"', []),
        ("tcp", '"1000-1030"', ["PC301"]),
        ("tcp", '"29990-29999"', []),
        ("tcp", '"29990-30000"', ["PC301"]),
        ("tcp", '"5400-5463"', ["PC301"]),
        ("tcp", '"60990-61010"', ["PC301"]),
        ("tcp", '"64990-65000"', ["PC300"]),
        ("udp", '"29990-30010"', ["PC300"]),
    ],
)
def test_range_edges(tmp_path: Path, protocol: str, port: object, codes: list[str]) -> None:
    root = one(tmp_path, protocol=protocol, port=port)
    assert policy_findings(root) == [(*PORT, code) for code in codes]


@pytest.mark.parametrize(
    ("protocol", "expected"),
    [
        pytest.param("dccp", [("ports/a.yaml", 3, 11, "PC302")], id="alone-no-range-finding"),
        pytest.param(
            "[tcp, dccp]",
            [(*PORT, "PC301"), ("ports/a.yaml", 3, 17, "PC302")],
            id="flow-list-item",
        ),
        pytest.param(
            "\n  - udp\n  - dccp\n  - tcp",
            [(*PORT, "PC300"), (*PORT, "PC301"), ("ports/a.yaml", 5, 5, "PC302")],
            id="block-list-item",
        ),
    ],
)
def test_protocol_not_allowed(tmp_path: Path, protocol: str, expected: list[object]) -> None:
    assert policy_findings(one(tmp_path, protocol=protocol, port=30000)) == expected


def test_accepted_protocol_without_ranges_is_outside(tmp_path: Path) -> None:
    policy = POLICY.replace('  sctp: ["1024-29999"]\n', "")
    assert policy_findings(one(tmp_path, policy, protocol="sctp")) == [(*PORT, "PC300")]


def test_adjacent_policy_ranges_merge(tmp_path: Path) -> None:
    policy = POLICY.replace('tcp: ["1024-29999", "61000-64999"]', 'tcp: ["1024-2047", "2048-4095"]')
    assert policy_findings(one(tmp_path, policy, port='"2040-2050"')) == []
    assert policy_findings(one(tmp_path, policy, port='"4090-4100"')) == [(*PORT, "PC300")]


@pytest.mark.parametrize(
    ("port", "codes"),
    [
        ('"20000-20063"', []),
        ('"20000-20064"', ["PC304"]),
        ('"61000-61100"', ["PC304"]),
        ('"29990-30100"', ["PC301", "PC304"]),
    ],
)
def test_range_too_large(tmp_path: Path, port: str, codes: list[str]) -> None:
    assert policy_findings(one(tmp_path, port=port)) == [(*PORT, code) for code in codes]


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (None, []),
        ("global", []),
        ("prod/eu", []),
        ("prod/ue", [("ports/a.yaml", 7, 8, "PC303")]),
        ("prod/eu/db-01", [("ports/a.yaml", 7, 8, "PC303")]),
        ("[prod, qa]", [("ports/a.yaml", 7, 15, "PC303")]),
        (
            "\n  - qa\n  - staging\n  - dev",
            [("ports/a.yaml", 8, 5, "PC303"), ("ports/a.yaml", 10, 5, "PC303")],
        ),
    ],
)
def test_unknown_scope(tmp_path: Path, scope: str | None, expected: list[object]) -> None:
    assert policy_findings(one(tmp_path, scope=scope)) == expected


def test_unknown_scope_suggests_the_closest(tmp_path: Path) -> None:
    [finding] = [f for f in run(one(tmp_path, scope="prod/ue")) if f.code == "PC303"]
    assert "did you mean 'prod/eu'?" in finding.message


@pytest.mark.parametrize(
    ("span", "inside"),
    [
        (PortSpan(10, 20), True),
        (PortSpan(20, 20), True),
        (PortSpan(21, 29), False),
        (PortSpan(20, 30), False),
        (PortSpan(30, 40), True),
    ],
)
def test_inside_one(span: PortSpan, inside: bool) -> None:
    assert inside_one(span, [PortSpan(10, 20), PortSpan(30, 40)]) is inside


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("prod/ue", " (did you mean 'prod/eu'?)"),
        ("prod/uss", " (did you mean 'prod/us'?)"),
        ("stagign", " (did you mean 'staging'?)"),
        ("zzzz", ""),
    ],
)
def test_did_you_mean(value: str, shown: str) -> None:
    assert did_you_mean(value, ["global", "prod", "prod/eu", "prod/us", "staging"]) == shown


_PORTS = st.integers(1, 40)
_SPANS = st.tuples(_PORTS, _PORTS).map(lambda pair: PortSpan(min(pair), max(pair)))


def _spec(span: PortSpan) -> int | str:
    return span.start if span.size == 1 else f"{span.start}-{span.end}"


@st.composite
def _policies(draw: st.DrawFn) -> Policy:
    protocols = draw(st.lists(st.sampled_from(PROTOCOLS), min_size=1, unique=True))
    ranges = {p: [_spec(s) for s in draw(st.lists(_SPANS, max_size=3))] for p in protocols}
    blocks = draw(st.lists(st.tuples(_SPANS, st.none() | st.sampled_from(PROTOCOLS)), max_size=3))
    reserved = [{"port": _spec(s), "protocol": p, "reason": "r"} for s, p in blocks]
    return Policy.model_validate(
        {
            "protocols": protocols,
            "ranges": ranges,
            "reserved": reserved,
            "scopes": ["prod"],
            "max_range": draw(st.integers(1, 8)),
            "platform": "@acme/platform",
        }
    )


@settings(max_examples=600, deadline=None)
@given(
    _policies(),
    _SPANS,
    st.lists(st.sampled_from(PROTOCOLS), min_size=1, max_size=2, unique=True),
    st.sampled_from([("global",), ("prod",), ("lab",), ("prod", "lab")]),
)
def test_the_fast_path_passes_exactly_what_has_no_finding(
    policy: Policy, span: PortSpan, protocols: list[Protocol], scopes: tuple[str, ...]
) -> None:
    """The one-byte-per-port verdict agrees with the rules it skips."""
    claimed = tuple(protocols)
    facts = Facts(span, claimed, scopes, "@a", "active", AS_OF, None, None, None, (), None)
    path = "ports/svc.yaml"
    entry = Entry(path, "svc", facts, loaded=(Document(path, {}), facts_model(facts, "svc")))
    found = [
        *policy_ranges.protocol_findings(entry, policy),
        *policy_ranges.size_findings(entry, policy),
        *policy_ranges.scope_findings(entry, policy),
    ]
    assert policy_ranges._Passes(policy)(facts) == (not found), found
