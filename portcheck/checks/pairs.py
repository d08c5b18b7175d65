"""Which allocations collide, as index pairs: the exact sweep behind PC400.

Two claims collide when they share a protocol, their port spans intersect, and
one scope contains the other (docs/file-format.md, Scopes and collisions).
``portcheck.checks.suspects`` first narrows the claims to those that can
collide at all, in whole-list passes; the sweep here then pairs them exactly.
The sweep goes over intervals per protocol, never all pairs, with its active
set indexed by scope, so a new claim meets only the active claims its scope
overlaps: many allocations of one port in sibling scopes (``site-1`` ...
``site-n``) cost O(n), not O(n²).
"""

from __future__ import annotations

import functools
import heapq
import operator
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from portcheck.checks.suspects import lineage, suspects
from portcheck.model import Allocation, PortSpan
from portcheck.model.facts import Facts


class Claim(NamedTuple):
    """What collision detection needs to know about one allocation."""

    protocols: tuple[str, ...]
    span: PortSpan
    scopes: tuple[str, ...]

    @classmethod
    def of(cls, allocation: Allocation | Facts) -> Claim:
        return cls(allocation.protocols, allocation.span, allocation.scopes)


def claims_of(facts: Iterable[Facts]) -> list[Claim]:
    """Claim.of for every one of ``facts``, made in C (100,000 Python calls cost 50 ms)."""
    return list(map(new_claim, map(_PICK, facts)))


_PICK = operator.itemgetter(1, 0, 2)  # Facts (span, protocols, scopes) -> Claim's order
#: A Claim from a tuple of its fields, made in C.
new_claim = functools.partial(tuple.__new__, Claim)


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
    """Every colliding pair ``(i, j)``, ``i < j``, once, in no particular order.

    Only the suspects (claims that overlap another of a related scope) are swept.
    A pair that shares several protocols is met by each protocol's sweep and
    kept by the first one only, so nothing needs to remember every pair (a
    pile-up of n files on one port has n*(n-1)/2 of them)."""
    by_protocol: defaultdict[str, list[int]] = defaultdict(list)
    for index in suspects(claims):
        for protocol in dict.fromkeys(claims[index].protocols):
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
