"""Properties of claim and free on random registers, against a port-by-port oracle.

The oracle walks ports one by one with its own reading of SPEC §2 (scopes
collide when one contains the other; every status occupies its ports) and §3
(ranges minus reserved blocks): what interval arithmetic must agree with.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from portcheck.model import PortSpan
from tests.conftest import allocation, located, run, write_register
from tests.small_register import OWNER, SMALL_POLICY, cli

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


def claim(root: Path, protocols: tuple[str, ...], scope: str, *extra: str) -> tuple[int, str]:
    args = ["claim", "new", "--owner", OWNER, "--description", "New", "--scope", scope]
    for protocol in protocols:
        args += ["--protocol", protocol]
    code, out, _ = cli(*args, "--as-of", "2026-11-27", "--root", str(root), *extra)
    return code, out


@settings(max_examples=60, deadline=None)
@given(register=registers, want=wants, size=st.integers(1, 4))
def test_every_claimed_block_is_the_lowest_free_and_passes_check(
    register: list[Held], want: tuple[tuple[str, ...], str], size: int
) -> None:
    protocols, scope = want
    free = oracle_free(register, protocols, scope)
    lowest = next((p for p in sorted(free) if all(p + i in free for i in range(size))), None)
    with tempfile.TemporaryDirectory() as folder:
        root = build(Path(folder), register)
        before = run(root)
        code, out = claim(root, protocols, scope, "--size", str(size))
        if lowest is None:
            assert code == 1
            return
        block = PortSpan(lowest, lowest + size - 1)
        assert (code, out) == (0, f"ports/new.yaml {block}\n")
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
        root = build(Path(folder), register)
        args = [a for p in protocols for a in ("--protocol", p)]
        code, listed, _ = cli("free", "--root", str(root), "--scope", scope, *args)
        assert (code, set(expand(listed))) == (0, free)
        accepted, _ = claim(root, protocols, scope, "--port", str(port), "--size", str(size))
        wanted = set(range(port, port + size))
        assert accepted == (0 if wanted <= free else 1)
