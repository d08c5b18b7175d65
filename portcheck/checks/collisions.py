"""PC400 port-collision: two allocations claim one port in overlapping scopes.

Two allocations collide when they share a protocol, their port sets intersect,
and one scope contains the other (docs/file-format.md, Scopes and collisions).
Every status occupies its ports, ``retired`` included. The colliding pairs come
from portcheck.checks.pairs (never all pairs); this module turns them into one
finding per file.
"""

from __future__ import annotations

import dataclasses
import heapq
import operator
from collections import defaultdict
from collections.abc import Iterator, Sequence
from itertools import compress, repeat
from typing import cast

from portcheck.checks.free_ports import Want, free_spans, nearest_block
from portcheck.checks.pairs import (
    Claim,
    claims_of,
    colliding_pairs,
    each_colliding_pair,
    new_claim,
    sweep,
)
from portcheck.checks.spread import ClaimTuple
from portcheck.checks.suspects import lineage, suspects
from portcheck.finding import Finding, Location
from portcheck.ledger import Ledger
from portcheck.model import PROTOCOLS, PortSpan, scope_contains
from portcheck.model.columns import FactTable
from portcheck.register import Entry, Register
from portcheck.rules import PORT_COLLISION, Rule

RULES: tuple[Rule, ...] = (PORT_COLLISION,)
# Claim, colliding_pairs, lineage and sweep were defined here; other modules may use them.
__all__ = [
    "RULES",
    "Claim",
    "apart",
    "candidates",
    "check",
    "colliding_pairs",
    "describe",
    "each_colliding_pair",
    "lineage",
    "sweep",
]


#: Other files a PC400 message names before it says "and N more".
NAMED_IN_MESSAGE = 3


def check(register: Register) -> Iterator[Finding]:
    """One PC400 per colliding file, naming the first files it collides with and
    counting the rest.

    One finding per pair would grow as n*(n-1): 161 files on one port gave
    25,760 results, more than code scanning accepts in a run.
    """
    entries = register.entries
    claims = claims_of(entry.facts for entry in entries)
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


def candidates(register: Register, ledger: Ledger) -> list[int] | None:
    """No rows when no claim can collide with another (suspects finds none), else
    every row: the nearest free block a finding names reads them all. When the
    rows the cache stored are known to be apart, only the claims whose spans meet
    a row judged now can collide."""
    fresh, rows = ledger.fresh, None
    if fresh is not None and len(fresh) <= MEETING_MAX:
        rows = _meeting(ledger.table, fresh)
    return [] if not suspects(_claims(ledger.table, rows)) else None


#: Rows judged now up to which the claims meeting them are looked for one row at a
#: time (a pass over the distinct spans each, 1-2 ms at 100,000 files); from there
#: every claim is asked at once (0.1 s).
MEETING_MAX = 32


def apart(table: FactTable) -> bool:
    """True when no two rows of ``table`` can collide: the cache stores it with them."""
    return not suspects(_claims(table, None))


def _claims(table: FactTable, rows: list[int] | None) -> list[ClaimTuple]:
    chosen = table if rows is None else table.select(rows)
    fields = map(chosen.values, ("protocols", "span", "scopes"))
    return list(map(new_claim, zip(*fields, strict=True)))


def _meeting(table: FactTable, fresh: list[int]) -> list[int]:
    """The rows whose spans meet the span of a row in ``fresh`` (those rows too), found
    among the distinct spans in C, whatever their protocols and scopes."""
    spans = cast(list[PortSpan], table.tables["span"])
    starts, ends = [span.start for span in spans], [span.end for span in spans]
    column = table.columns["span"]
    met: set[int] = set()
    for row in fresh:
        low, high = spans[column[row]]
        overlap = map(
            operator.and_,
            map(operator.le, starts, repeat(high)),
            map(operator.ge, ends, repeat(low)),
        )
        met.update(compress(range(len(spans)), overlap))
    return list(compress(range(len(column)), map(met.__contains__, column)))


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
