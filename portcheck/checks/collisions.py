"""PC400 port-collision: two allocations claim one port in overlapping scopes.

Two allocations collide when they share a protocol, their port sets intersect,
and one scope contains the other (docs/file-format.md, Scopes and collisions).
Every status occupies its ports, ``retired`` included. Detection is a
sort-and-sweep over intervals per protocol, never all pairs. The active set is
indexed by scope, so a new claim meets only the active claims its scope
overlaps: many allocations of one port in sibling scopes (``site-1`` ...
``site-n``) cost O(n), not O(n²).
"""

from __future__ import annotations

import dataclasses
import functools
import heapq
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from portcheck.checks.free_ports import Want, free_spans, nearest_block
from portcheck.finding import Finding, Location
from portcheck.model import GLOBAL, PROTOCOLS, Allocation, PortSpan, scope_contains
from portcheck.model.facts import Facts
from portcheck.register import Entry, Register
from portcheck.rules import PORT_COLLISION, Rule

RULES: tuple[Rule, ...] = (PORT_COLLISION,)


class Claim(NamedTuple):
    """What collision detection needs to know about one allocation."""

    protocols: tuple[str, ...]
    span: PortSpan
    scopes: tuple[str, ...]

    @classmethod
    def of(cls, allocation: Allocation | Facts) -> Claim:
        return cls(allocation.protocols, allocation.span, allocation.scopes)


@functools.lru_cache(maxsize=4096)
def lineage(scope: str) -> tuple[str, ...]:
    """``scope`` and every scope that contains it, root first: ``prod/eu`` ->
    ``(global, prod, prod/eu)``."""
    parts = scope.split("/")
    chain = [GLOBAL, *("/".join(parts[: depth + 1]) for depth in range(len(parts)))]
    return tuple(dict.fromkeys(chain))


class ActiveClaims:
    """The claims whose spans reach the sweep line, found by scope.

    ``at[s]`` holds the claims with scope ``s``; ``within[s]`` those with ``s``
    or a scope below it. The claims overlapping scope ``s`` are then those at a
    strict ancestor of ``s`` plus those within ``s``, each found directly.
    """

    def __init__(self) -> None:
        self.at: defaultdict[str, set[int]] = defaultdict(set)
        self.within: defaultdict[str, set[int]] = defaultdict(set)

    def add(self, index: int, scopes: Sequence[str]) -> None:
        for scope in scopes:
            self.at[scope].add(index)
            for outer in lineage(scope):
                self.within[outer].add(index)

    def remove(self, index: int, scopes: Sequence[str]) -> None:
        for scope in scopes:
            self.at[scope].discard(index)
            for outer in lineage(scope):
                self.within[outer].discard(index)

    def overlapping(self, scopes: Sequence[str]) -> set[int]:
        found: set[int] = set()
        for scope in scopes:
            found.update(self.within.get(scope, ()))
            for outer in lineage(scope)[:-1]:
                found.update(self.at.get(outer, ()))
        return found


def colliding_pairs(claims: Sequence[Claim]) -> set[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, of claims that collide."""
    return set(each_colliding_pair(claims))


def each_colliding_pair(claims: Sequence[Claim]) -> Iterator[tuple[int, int]]:
    """Every colliding pair ``(i, j)``, ``i < j``, once, as the sweeps find it.

    A pair that shares several protocols is met by each protocol's sweep and
    kept by the first one only, so nothing needs to remember every pair (a
    pile-up of n files on one port has n*(n-1)/2 of them)."""
    by_protocol: defaultdict[str, list[int]] = defaultdict(list)
    for index, claim in enumerate(claims):
        for protocol in dict.fromkeys(claim.protocols):
            by_protocol[protocol].append(index)
    order = {protocol: rank for rank, protocol in enumerate(by_protocol)}
    for protocol, indexes in by_protocol.items():
        for first, second in sweep(claims, indexes):
            one, other = claims[first], claims[second]
            single = len(one.protocols) == 1 or len(other.protocols) == 1
            if single or _first_shared(one, other, order) == protocol:
                yield (first, second) if first < second else (second, first)


def _first_shared(claim: Claim, other: Claim, order: dict[str, int]) -> str:
    return min((p for p in claim.protocols if p in other.protocols), key=order.__getitem__)


def sweep(claims: Sequence[Claim], indexes: Sequence[int]) -> Iterator[tuple[int, int]]:
    """Colliding pairs among ``indexes``, which all share one protocol."""
    active = ActiveClaims()
    ending: list[tuple[int, int]] = []  # heap of (end, index) of the active claims
    for index in sorted(indexes, key=lambda i: claims[i].span.start):
        claim = claims[index]
        while ending and ending[0][0] < claim.span.start:
            _, gone = heapq.heappop(ending)
            active.remove(gone, claims[gone].scopes)
        for other in active.overlapping(claim.scopes):
            yield index, other
        active.add(index, claim.scopes)
        heapq.heappush(ending, (claim.span.end, index))


#: Other files a PC400 message names before it says "and N more".
NAMED_IN_MESSAGE = 3


def check(register: Register) -> Iterator[Finding]:
    """One PC400 per colliding file, naming the first files it collides with and
    counting the rest.

    One finding per pair would grow as n*(n-1): 161 files on one port gave
    25,760 results, more than code scanning accepts in a run.
    """
    entries = register.entries
    claims = [Claim.of(entry.facts) for entry in entries]
    by_path = sorted(range(len(entries)), key=lambda index: entries[index].path)
    rank = {index: position for position, index in enumerate(by_path)}
    others: defaultdict[int, Others] = defaultdict(Others)
    for first, second in each_colliding_pair(claims):
        others[first].add(rank[second], second)
        others[second].add(rank[first], first)
    nearest = NearestFree(register)
    for index in sorted(others):
        found = collision(entries, claims, index, others[index])
        yield nearest.named(found, claims[index])


#: Other files a PC400 finding points at, first by path; its message counts them all.
#: The bound keeps a pile-up of thousands of files on one port from costing n*n
#: memory and output (3,000 files: 930 MB of JSON and 9.9 GB of memory unbounded).
RELATED_MAX = 100


class Others:
    """The files one file collides with: how many, and the first RELATED_MAX by path."""

    def __init__(self) -> None:
        self.count = 0
        self._kept: list[tuple[int, int]] = []  # a max-heap of (-rank, index)

    def add(self, rank: int, index: int) -> None:
        self.count += 1
        if len(self._kept) < RELATED_MAX:
            heapq.heappush(self._kept, (-rank, index))
        elif -self._kept[0][0] > rank:
            heapq.heapreplace(self._kept, (-rank, index))

    def first(self) -> list[int]:
        """The kept files, by path."""
        return [index for _, index in sorted(self._kept, reverse=True)]


class NearestFree:
    """Appends "; nearest free: N" to a PC400 message, as claim names it, computing the
    free spans once per distinct protocols and scopes."""

    def __init__(self, register: Register) -> None:
        self.register = register
        self.spans: dict[Want, list[PortSpan]] = {}

    def named(self, finding: Finding, claim: Claim) -> Finding:
        want = Want(claim.protocols, claim.scopes)
        if want not in self.spans:
            self.spans[want] = free_spans(self.register, want)
        block = nearest_block(self.spans[want], claim.span.size, claim.span.start)
        suffix = f"; nearest free: {block}" if block else "; no free block of that size"
        return dataclasses.replace(finding, message=finding.message + suffix)


def collision(
    entries: Sequence[Entry], claims: Sequence[Claim], index: int, others: Others
) -> Finding:
    """The finding on one file's port, pointing at the first other files' ports."""
    ordered = others.first()
    there = [entries[other].document.locate(("port",)) for other in ordered]
    return PORT_COLLISION.finding(
        entries[index].document.locate(("port",)),
        f"{describe(claims[index], claims[ordered[0]])} also claimed by "
        f"{named(there, others.count)}",
        related=there,
    )


def named(locations: Sequence[Location], count: int) -> str:
    """``a.yaml:3:7, b.yaml:3:7 and 158 more``: the first few of ``count``, then the rest."""
    shown = [str(location) for location in locations[:NAMED_IN_MESSAGE]]
    rest = count - len(shown)
    if rest:
        return f"{', '.join(shown)} and {rest} more"
    if len(shown) == 1:
        return shown[0]
    return f"{', '.join(shown[:-1])} and {shown[-1]}"


def describe(claim: Claim, other: Claim) -> str:
    """``tcp/8080 (prod)``: the shared protocols and ports, and the narrower scopes."""
    ports = PortSpan(max(claim.span.start, other.span.start), min(claim.span.end, other.span.end))
    protocols = [p for p in PROTOCOLS if p in claim.protocols and p in other.protocols]
    claimed = ", ".join(f"{protocol}/{ports}" for protocol in protocols)
    return f"{claimed} ({', '.join(narrower_scopes(claim.scopes, other.scopes))})"


def narrower_scopes(scopes: Sequence[str], others: Sequence[str]) -> list[str]:
    """For each overlapping pair of scopes, the one the other contains."""
    narrower: dict[str, None] = {}
    for scope in scopes:
        for other in others:
            if scope_contains(scope, other):
                narrower[other] = None
            elif scope_contains(other, scope):
                narrower[scope] = None
    return list(narrower)
