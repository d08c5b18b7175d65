"""Properties of claim and free on random registers, against a port-by-port oracle.

The oracle walks ports one by one with its own reading of docs/file-format.md
(scopes collide when one contains the other; every status occupies its ports)
and docs/policy.md (ranges minus reserved blocks): what interval arithmetic must agree with.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portcheck.actions.claim import ClaimRequest, choose, plan, write
from portcheck.actions.free import Want, free_spans
from portcheck.errors import Refused
from portcheck.model import PortSpan
from portcheck.register import Register, build_register, read_policy
from tests.conftest import (
    AS_OF,
    OWNER,
    SMALL_POLICY,
    allocation,
    claim_args,
    cli,
    located,
    run,
    write_register,
)

SCOPES = ("global", "prod", "prod/eu", "prod/us", "staging")
ALLOWED = {"tcp": [(2000, 2009), (3000, 3004)], "udp": [(2000, 2009)]}
RESERVED = {"tcp": [(2003, 2004)], "udp": []}
UNIVERSE = range(1990, 3020)  # every allowed port, and some on either side
STATUS_FIELDS = {
    "active": {},
    "deprecated": {"status": "deprecated"},
    "reserved": {"status": "reserved", "expires": "2027-01-01"},
    "retired": {"status": "retired", "retired_on": "2026-04-01"},
}


@dataclass(frozen=True)
class Held:
    start: int
    size: int
    protocols: tuple[str, ...]
    scopes: tuple[str, ...]
    status: str

    def fields(self) -> dict[str, object]:
        span = PortSpan(self.start, self.start + self.size - 1)
        return {
            "port": self.start if self.size == 1 else f'"{span}"',
            "protocol": f"[{', '.join(self.protocols)}]",
            "scope": f"[{', '.join(self.scopes)}]",
            **STATUS_FIELDS[self.status],
        }


def _subset(items: tuple[str, ...]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(items), min_size=1, max_size=2, unique=True).map(tuple)


held = st.builds(
    Held,
    start=st.integers(1998, 3004),
    size=st.integers(1, 3),
    protocols=_subset(("tcp", "udp")),
    scopes=_subset(SCOPES),
    status=st.sampled_from(tuple(STATUS_FIELDS)),
)
registers = st.lists(held, max_size=8)
wants = st.tuples(_subset(("tcp", "udp")), st.sampled_from(SCOPES))


def contains(outer: str, inner: str) -> bool:
    return outer in ("global", inner) or inner.startswith(outer + "/")


def oracle_free(register: list[Held], protocols: tuple[str, ...], scope: str) -> set[int]:
    return {port for port in UNIVERSE if all(_free(register, p, scope, port) for p in protocols)}


def _free(register: list[Held], protocol: str, scope: str, port: int) -> bool:
    if not any(lo <= port <= hi for lo, hi in ALLOWED[protocol]):
        return False
    if any(lo <= port <= hi for lo, hi in RESERVED[protocol]):
        return False
    return not any(
        protocol in h.protocols
        and h.start <= port < h.start + h.size
        and any(contains(a, scope) or contains(scope, a) for a in h.scopes)
        for h in register
    )


def build(folder: Path, register: list[Held]) -> Path:
    files = {
        f"ports/held-{n}.yaml": allocation(service=f"held-{n}", **h.fields())
        for n, h in enumerate(register)
    }
    return write_register(folder, files, policy=SMALL_POLICY)


def expand(lines: str) -> Iterator[int]:
    for line in lines.splitlines():
        start, _, end = line.partition("-")
        yield from range(int(start), int(end or start) + 1)


def load(root: Path) -> Register:
    register, failed = build_register(root, read_policy(root, None), AS_OF)
    assert failed == []
    return register


def request(protocols: tuple[str, ...], scope: str, port: int | None, size: int) -> ClaimRequest:
    return ClaimRequest("new", "new", Want(protocols, (scope,)), OWNER, "New", port, size)


def lowest_block(free: set[int], size: int) -> PortSpan | None:
    start = next((p for p in sorted(free) if all(p + i in free for i in range(size))), None)
    return None if start is None else PortSpan(start, start + size - 1)


# The properties call the domain functions directly (fast enough for many examples);
# one CLI test each below shows the commands are those functions.


@settings(max_examples=60, deadline=None)
@given(register=registers, want=wants, size=st.integers(1, 4))
def test_every_claimed_block_is_the_lowest_free_and_passes_check(
    register: list[Held], want: tuple[tuple[str, ...], str], size: int
) -> None:
    protocols, scope = want
    lowest = lowest_block(oracle_free(register, protocols, scope), size)
    with tempfile.TemporaryDirectory() as folder:
        root = build(Path(folder), register)
        before = run(root)
        if lowest is None:
            with pytest.raises(Refused):
                plan(load(root), request(protocols, scope, None, size))
            return
        claimed = plan(load(root), request(protocols, scope, None, size))
        assert (claimed.path, claimed.block) == ("ports/new.yaml", lowest)
        write(root, claimed)
        # Nothing new: no finding on the new file, no collision (a PC400 already there
        # may now name another nearest free port).
        assert located(run(root)) == located(before)


@settings(max_examples=60, deadline=None)
@given(
    register=registers,
    want=wants,
    port=st.sampled_from(UNIVERSE),
    size=st.integers(1, 3),
)
def test_free_lists_exactly_what_claim_port_accepts(
    register: list[Held], want: tuple[tuple[str, ...], str], port: int, size: int
) -> None:
    protocols, scope = want
    free = oracle_free(register, protocols, scope)
    with tempfile.TemporaryDirectory() as folder:
        loaded = load(build(Path(folder), register))
        spans = free_spans(loaded, Want(protocols, (scope,)))
        assert {p for span in spans for p in range(span.start, span.end + 1)} == free
        wanted = set(range(port, port + size))
        if wanted <= free:
            assert choose(loaded, request(protocols, scope, port, size)) == PortSpan(
                port, port + size - 1
            )
        else:
            with pytest.raises(Refused):
                choose(loaded, request(protocols, scope, port, size))


EXAMPLE = [
    Held(2000, 2, ("tcp",), ("prod",), "active"),
    Held(2002, 1, ("tcp", "udp"), ("prod/eu",), "retired"),
    Held(2005, 1, ("tcp",), ("prod/us",), "reserved"),
]


def test_claim_command_takes_the_lowest_free_block(tmp_path: Path) -> None:
    lowest = lowest_block(oracle_free(EXAMPLE, ("tcp",), "prod/eu"), 2)
    assert lowest == PortSpan(2005, 2006)
    root = build(tmp_path, EXAMPLE)
    before = run(root)
    code, out, _ = cli(*claim_args("new", "--scope", "prod/eu", "--size", "2", "--root", str(root)))
    assert (code, out) == (0, f"ports/new.yaml {lowest}\n")
    assert located(run(root)) == located(before)


def test_free_command_lists_the_free_ports(tmp_path: Path) -> None:
    root = build(tmp_path, EXAMPLE)
    code, out, _ = cli("free", "--root", str(root), "--scope", "prod/eu", "--protocol", "tcp")
    assert (code, set(expand(out))) == (0, oracle_free(EXAMPLE, ("tcp",), "prod/eu"))
    assert out == "2005-2009\n3000-3004\n"
