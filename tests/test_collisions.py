"""PC400 port-collision: file-based boundary tables and a property against brute force."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portcheck.checks import collisions
from portcheck.checks.collisions import describe
from portcheck.checks.pairs import Claim, colliding_pairs, each_colliding_pair
from portcheck.checks.suspects import lineage, suspects
from portcheck.finding import Location
from portcheck.model import Allocation, PortSpan
from tests.conftest import allocation, located, run, write_register

BOTH = [("ports/a.yaml", 2, 7, "PC400"), ("ports/b.yaml", 2, 7, "PC400")]
RETIRED = {"status": "retired", "retired_on": "2026-04-01"}
RESERVED = {"status": "reserved", "expires": "2027-01-01"}


def collisions_in(root: Path) -> list[tuple[str, int, int, str]]:
    findings = run(root)
    assert [f for f in findings if f.code < "PC300"] == []  # fixtures load cleanly
    return located(f for f in findings if f.code in {r.code for r in collisions.RULES})


def pair(tmp_path: Path, a: dict[str, object], b: dict[str, object]) -> Path:
    return write_register(
        tmp_path,
        {
            "ports/a.yaml": allocation(service="a", **a),
            "ports/b.yaml": allocation(service="b", **b),
        },
    )


@pytest.mark.parametrize(
    ("a", "b", "collide"),
    [
        pytest.param({"port": 8080}, {"port": 8080}, True, id="same-port"),
        pytest.param({"port": 8080}, {"port": 8081}, False, id="next-port"),
        pytest.param({"port": '"8080-8089"'}, {"port": 8089}, True, id="range-last-port"),
        pytest.param({"port": '"8080-8089"'}, {"port": 8090}, False, id="after-range"),
        pytest.param({"port": '"8080-8089"'}, {"port": 8080}, True, id="range-first-port"),
        pytest.param({"port": '"8080-8089"'}, {"port": 8079}, False, id="before-range"),
        pytest.param({"port": '"8080-8089"'}, {"port": '"8089-8095"'}, True, id="ranges-touch"),
        pytest.param({"port": '"8080-8089"'}, {"port": '"8090-8095"'}, False, id="ranges-adjacent"),
        pytest.param({"port": '"8070-8099"'}, {"port": '"8080-8081"'}, True, id="range-inside"),
    ],
)
def test_port_overlap(
    tmp_path: Path, a: dict[str, object], b: dict[str, object], collide: bool
) -> None:
    assert collisions_in(pair(tmp_path, a, b)) == (BOTH if collide else [])


@pytest.mark.parametrize(
    ("a", "b", "collide"),
    [
        pytest.param("tcp", "udp", False, id="different"),
        pytest.param("udp", "udp", True, id="same"),
        pytest.param("[tcp, udp]", "udp", True, id="list-shares-one"),
        pytest.param("[tcp, udp]", "[udp, tcp]", True, id="share-two-one-finding"),
        pytest.param("[tcp, sctp]", "udp", False, id="list-shares-none"),
    ],
)
def test_protocols(tmp_path: Path, a: str, b: str, collide: bool) -> None:
    root = pair(tmp_path, {"protocol": a}, {"protocol": b})
    assert collisions_in(root) == (BOTH if collide else [])


@pytest.mark.parametrize(
    ("a", "b", "collide"),
    [
        pytest.param("prod", "prod", True, id="equal"),
        pytest.param("prod", "prod/eu", True, id="ancestor"),
        pytest.param("prod/eu", "prod", True, id="descendant"),
        pytest.param(None, "prod/eu", True, id="default-global"),
        pytest.param("global", "prod/us", True, id="explicit-global"),
        pytest.param("global", "global", True, id="both-global"),
        pytest.param("prod/eu", "prod/us", False, id="siblings"),
        pytest.param("prod", "staging", False, id="unrelated"),
        pytest.param("prod", "production", False, id="name-prefix-is-not-ancestor"),
        pytest.param("[prod/eu, staging]", "staging", True, id="multi-scope-one-overlaps"),
        pytest.param("[prod/eu, prod/us]", "prod", True, id="multi-scope-under-one"),
        pytest.param("[prod/eu]", "[prod/us, staging]", False, id="multi-scope-none"),
    ],
)
def test_scope_containment(tmp_path: Path, a: str | None, b: str, collide: bool) -> None:
    root = pair(tmp_path, {"scope": a}, {"scope": b})
    assert collisions_in(root) == (BOTH if collide else [])


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param(RETIRED, {}, id="retired-still-occupies"),
        pytest.param(RETIRED, RETIRED, id="both-retired"),
        pytest.param(RESERVED, {"status": "deprecated"}, id="reserved-and-deprecated"),
    ],
)
def test_every_status_occupies(tmp_path: Path, a: dict[str, object], b: dict[str, object]) -> None:
    assert collisions_in(pair(tmp_path, a, b)) == BOTH


def test_both_sides_point_at_each_other(tmp_path: Path) -> None:
    root = write_register(
        tmp_path,
        {
            "ports/a.yaml": "# first\n" + allocation(service="a", scope="prod"),
            "ports/team/b.yaml": allocation(service="b", scope="prod/eu", port='"8075-8085"'),
        },
    )
    found = [f for f in run(root) if f.code == "PC400"]
    assert [(f.location, f.related) for f in found] == [
        (Location("ports/a.yaml", 3, 7), (Location("ports/team/b.yaml", 2, 7),)),
        (Location("ports/team/b.yaml", 2, 7), (Location("ports/a.yaml", 3, 7),)),
    ]
    assert found[1].message.startswith("tcp/8080 (prod/eu) also claimed by ports/a.yaml:3:7")


def test_three_way_collision_is_one_finding_per_file(tmp_path: Path) -> None:
    root = write_register(
        tmp_path, {f"ports/{name}.yaml": allocation(service=name) for name in "abc"}
    )
    found = [f for f in run(root) if f.code == "PC400"]
    assert located(found) == [(f"ports/{name}.yaml", 2, 7, "PC400") for name in "abc"]
    assert found[0].message == (
        "tcp/8080 (global) also claimed by ports/b.yaml:2:7 and ports/c.yaml:2:7; "
        "nearest free: 8079"
    )
    assert found[0].related == (Location("ports/b.yaml", 2, 7), Location("ports/c.yaml", 2, 7))


def test_161_files_on_one_port_give_161_findings_naming_three(tmp_path: Path) -> None:
    names = [f"s{n:03}" for n in range(161)]
    root = write_register(tmp_path, {f"ports/{n}.yaml": allocation(service=n) for n in names})
    found = [f for f in run(root) if f.code == "PC400"]
    assert len(found) == 161
    assert found[0].message == (
        "tcp/8080 (global) also claimed by ports/s001.yaml:2:7, ports/s002.yaml:2:7, "
        "ports/s003.yaml:2:7 and 157 more; nearest free: 8079"
    )
    # Related locations: the first RELATED_MAX others by path (bounded memory and output).
    assert [loc.path for loc in found[-1].related] == [f"ports/{n}.yaml" for n in names[:100]]


def test_many_sibling_scopes_on_one_port_do_not_collide() -> None:
    claims = [Claim(("tcp",), PortSpan(8080, 8080), (f"prod/site-{n}",)) for n in range(2000)]
    assert colliding_pairs(claims) == set()
    assert colliding_pairs([*claims, Claim(("tcp",), PortSpan(8080, 8080), ("prod",))]) == {
        (n, 2000) for n in range(2000)
    }


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("global", ("global",)),
        ("prod", ("global", "prod")),
        ("prod/eu/db-01", ("global", "prod", "prod/eu", "prod/eu/db-01")),
    ],
)
def test_lineage(scope: str, expected: tuple[str, ...]) -> None:
    assert lineage(scope) == expected


def test_describe_shows_shared_ports_protocols_and_narrower_scope() -> None:
    mine = Claim(("tcp", "udp"), PortSpan(8080, 8089), ("prod", "staging"))
    other = Claim(("udp", "sctp"), PortSpan(8085, 8095), ("prod/eu",))
    assert describe(mine, other) == "udp/8085-8089 (prod/eu)"


# -- property: the sweep agrees with checking every pair -------------------------------

SCOPE_TREE = ("global", "prod", "prod/eu", "prod/us", "prod/eu/db", "staging", "staging/eu")
STATUSES = ("reserved", "active", "deprecated", "retired")


def one_or_list(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


@st.composite
def allocations(draw: st.DrawFn) -> Allocation:
    start, size = draw(st.integers(1024, 1040)), draw(st.integers(1, 6))
    status = draw(st.sampled_from(STATUSES))
    protocols = draw(st.lists(st.sampled_from(("tcp", "udp", "sctp")), min_size=1, max_size=3))
    scopes = draw(st.lists(st.sampled_from(SCOPE_TREE), min_size=1, max_size=3))
    fields: dict[str, object] = {
        "service": "svc",
        "port": start if size == 1 else f"{start}-{start + size - 1}",
        "protocol": one_or_list(protocols),
        "scope": one_or_list(scopes),
        "owner": "@acme/team",
        "description": "generated",
        "status": status,
        "allocated": "2026-01-01",
        "retired_on": "2026-02-01" if status == "retired" else None,
        "expires": "2026-06-01" if status == "reserved" else None,
    }
    return Allocation.model_validate({k: v for k, v in fields.items() if v is not None})


def ports_of(port: int | str) -> set[int]:
    if isinstance(port, int):
        return {port}
    start, end = port.split("-")
    return set(range(int(start), int(end) + 1))


def contains(outer: str, inner: str) -> bool:
    outer_parts, inner_parts = outer.split("/"), inner.split("/")
    return outer == "global" or inner_parts[: len(outer_parts)] == outer_parts


def brute_force(allocations: Sequence[Allocation]) -> set[tuple[int, int]]:
    return {
        (i, j)
        for (i, a), (j, b) in itertools.combinations(enumerate(allocations), 2)
        if set(a.protocols) & set(b.protocols)
        and ports_of(a.port) & ports_of(b.port)
        and any(contains(x, y) or contains(y, x) for x in a.scopes for y in b.scopes)
    }


@settings(max_examples=300, deadline=None)
@given(st.lists(allocations(), max_size=30))
def test_sweep_equals_brute_force(allocations: list[Allocation]) -> None:
    claims = [Claim.of(allocation) for allocation in allocations]
    assert colliding_pairs(claims) == brute_force(allocations)


# -- property: claims made to stress the filter and the sweep ---------------------------

#: Nested, sibling and look-alike scopes: ``production`` and ``prod/eu-west`` share a
#: prefix with ``prod`` and ``prod/eu`` without being inside them.
STRESS_SCOPES = (
    *("global", "prod", "prod/eu", "prod/eu/db", "prod/eu/db/01", "prod/us", "prod/eu-west"),
    *("production", "staging", "staging/eu", "global/x"),
)
#: Ports at both ends of the range: a segment's last port must not touch the next one's first.
EDGE_PORTS = (1, 2, 65534, 65535)


@st.composite
def stress_claims(draw: st.DrawFn) -> Claim:
    start = draw(st.integers(1024, 1036) | st.sampled_from(EDGE_PORTS))
    size = draw(st.sampled_from((1, 1, 1, 2, 3, 8)))
    end = min(start + size - 1, 65535)
    protocols = draw(st.lists(st.sampled_from(("tcp", "udp", "sctp")), min_size=1, max_size=3))
    scopes = draw(st.lists(st.sampled_from(STRESS_SCOPES), min_size=1, max_size=3))
    return Claim(tuple(protocols), PortSpan(start, end), tuple(scopes))


def brute_force_claims(claims: Sequence[Claim]) -> set[tuple[int, int]]:
    return {
        (i, j)
        for (i, a), (j, b) in itertools.combinations(enumerate(claims), 2)
        if set(a.protocols) & set(b.protocols)
        and a.span.start <= b.span.end
        and b.span.start <= a.span.end
        and any(contains(x, y) or contains(y, x) for x in a.scopes for y in b.scopes)
    }


def meets_itself(claim: Claim) -> bool:
    """A protocol or scope named twice, or a scope with one of its ancestors: the claim
    overlaps itself in some segment, which makes it a suspect (the sweep clears it)."""
    twice = len(set(claim.protocols)) < len(claim.protocols)
    return twice or any(contains(x, y) for x, y in itertools.permutations(claim.scopes, 2))


@settings(max_examples=500, deadline=None)
@given(st.lists(stress_claims(), max_size=40))
def test_pairs_and_suspects_equal_brute_force(claims: list[Claim]) -> None:
    expected = brute_force_claims(claims)
    found = list(each_colliding_pair(claims))
    assert len(found) == len(set(found))  # each pair once
    assert all(i < j for i, j in found)
    assert set(found) == expected
    colliding = {index for pair in expected for index in pair}
    selfish = {index for index, claim in enumerate(claims) if meets_itself(claim)}
    assert set(suspects(claims)) == colliding | selfish


@pytest.mark.parametrize(
    ("protocols", "scopes"),
    [
        pytest.param(("tcp",), ("global",), id="one-protocol-one-scope"),
        pytest.param(("tcp", "udp"), ("prod", "staging"), id="found-by-two-protocols-two-scopes"),
    ],
)
def test_pile_up_yields_each_pair_once(protocols: tuple[str, ...], scopes: tuple[str, ...]) -> None:
    claims = [Claim(protocols, PortSpan(8080, 8080), scopes)] * 400
    found = list(each_colliding_pair(claims))
    assert len(found) == 400 * 399 // 2
    assert set(found) == set(itertools.combinations(range(400), 2))


def test_port_65535_and_port_1_of_next_segment_do_not_meet() -> None:
    claims = [
        Claim(("tcp",), PortSpan(65535, 65535), ("prod",)),
        Claim(("tcp",), PortSpan(1, 1), ("prod/eu",)),
        Claim(("udp",), PortSpan(1, 65535), ("staging",)),
        Claim(("udp",), PortSpan(1, 1), ("production",)),
    ]
    assert colliding_pairs(claims) == set()
    assert suspects(claims) == []
    last_port = Claim(("udp",), PortSpan(65535, 65535), ("global",))
    assert colliding_pairs([*claims, last_port]) == {(2, 4)}
