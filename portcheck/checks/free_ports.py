"""Free ports as interval arithmetic: allowed ranges, minus reserved blocks, minus what
overlapping scopes occupy.

Pure functions over sorted, merged spans, so a search costs one pass over the
register and never walks 65,535 ports one by one. Every status occupies its
ports until the file is deleted (README.md, "Claiming"), so retired allocations
count as occupied. Shared by ``portcheck free``/``claim`` (portcheck.actions.free)
and by PC400, which names the nearest free port as claim does.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Iterator, Sequence

from portcheck.model import GLOBAL, PortSpan, merge_spans, scopes_overlap
from portcheck.register import Entry, Register


@dataclasses.dataclass(frozen=True)
class Want:
    """The protocols and scopes a claim needs a port in (every protocol, every scope)."""

    protocols: tuple[str, ...]
    scopes: tuple[str, ...] = (GLOBAL,)


def subtract(spans: Sequence[PortSpan], holes: Sequence[PortSpan]) -> list[PortSpan]:
    """The ports of ``spans`` outside every hole; both sorted and merged."""
    result: list[PortSpan] = []
    first = 0
    for span in spans:
        while first < len(holes) and holes[first].end < span.start:
            first += 1
        start = span.start
        for hole in holes[first:]:
            if hole.start > span.end:
                break
            if hole.start > start:
                result.append(PortSpan(start, hole.start - 1))
            start = max(start, hole.end + 1)
        if start <= span.end:
            result.append(PortSpan(start, span.end))
    return result


def intersect(a: Sequence[PortSpan], b: Sequence[PortSpan]) -> list[PortSpan]:
    """The ports in both; both sorted and merged."""
    result: list[PortSpan] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i].start, b[j].start), min(a[i].end, b[j].end)
        if start <= end:
            result.append(PortSpan(start, end))
        if a[i].end < b[j].end:
            i += 1
        else:
            j += 1
    return result


def holders(register: Register, protocol: str, scopes: Sequence[str]) -> Iterator[Entry]:
    """The allocations that occupy ports of ``protocol`` in a scope overlapping ``scopes``."""
    for entry in register.entries:
        allocation = entry.facts
        if protocol in allocation.protocols and any(
            scopes_overlap(mine, theirs) for mine in scopes for theirs in allocation.scopes
        ):
            yield entry


def free_spans(register: Register, want: Want) -> list[PortSpan]:
    """The ports free for every protocol of ``want`` in every one of its scopes."""
    result: list[PortSpan] | None = None
    for protocol in dict.fromkeys(want.protocols):
        policy = register.policy
        spans = subtract(
            policy.allowed(protocol), merge_spans(b.span for b in policy.reserved_for(protocol))
        )
        taken = merge_spans(entry.facts.span for entry in holders(register, protocol, want.scopes))
        spans = subtract(spans, taken)
        result = spans if result is None else intersect(result, spans)
    return result or []


def first_block(free: Sequence[PortSpan], size: int) -> PortSpan | None:
    """The lowest ``size`` consecutive free ports."""
    for span in free:
        if span.size >= size:
            return PortSpan(span.start, span.start + size - 1)
    return None


def nearest_block(free: Sequence[PortSpan], size: int, near: int) -> PortSpan | None:
    """The ``size`` consecutive free ports starting closest to ``near`` (the lower on a tie)."""
    starts = [min(max(near, span.start), span.end - size + 1) for span in free if span.size >= size]
    if not starts:
        return None
    start = min(starts, key=lambda candidate: (abs(candidate - near), candidate))
    return PortSpan(start, start + size - 1)


def fits(free: Sequence[PortSpan], block: PortSpan) -> bool:
    """Whether ``block`` lies inside one free span."""
    index = bisect.bisect_right(free, PortSpan(block.start, 65536)) - 1
    return index >= 0 and free[index].start <= block.start and block.end <= free[index].end
