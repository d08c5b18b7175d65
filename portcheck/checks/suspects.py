"""Which claims can collide at all, found in whole-list passes before the exact sweep.

A register that passes has almost no collisions, yet a sweep takes a Python
step per claim and scope (0.37 s for 100,000 claims). Here sorts, maps and
bisects over whole lists, which run in C, find the claims that overlap another
claim of a related scope (benchmarks/README.md, "Collision pairs"); the sweep
in portcheck.checks.pairs then meets only those.

The spans lie on one line, a segment per (protocol, scope) (portcheck.checks.
spread). Spans are pairwise apart exactly when, with starts and ends each
sorted, every end comes before the next start: one pass over the whole line.
Claims in a scope and in one of its ancestors can meet only where the two
segments' hulls meet; there each span is bisected into the other segment (a
register that gives each scope depth its own band of ports has no such place).
Only when something meets are the spans sorted together, to say whose they are.
"""

from __future__ import annotations

import functools
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate, chain, compress, count, islice, repeat
from operator import ge, gt, le, sub
from typing import NamedTuple

from portcheck.checks.spread import WIDTH, ClaimTuple, Pair, Spread, sorted_spans
from portcheck.model import GLOBAL


@functools.lru_cache(maxsize=4096)
def lineage(scope: str) -> tuple[str, ...]:
    """``scope`` and every scope that contains it, root first: ``prod/eu`` ->
    ``(global, prod, prod/eu)``."""
    parts = scope.split("/")
    outer = [GLOBAL, *("/".join(parts[: depth + 1]) for depth in range(len(parts)))]
    return tuple(dict.fromkeys(outer))


def suspects(claims: Sequence[ClaimTuple]) -> list[int]:
    """Indexes, ascending, of the claims that collide with another (they share a
    protocol, their spans meet and a scope of one contains a scope of the other),
    and of the claims that meet themselves: a name listed twice, or a scope listed
    with one of its ancestors. The sweep pairs only these."""
    if Line(*sorted_spans(claims)).apart():
        return []
    line = Line.aligned(Spread(claims))
    found: set[int] = set()
    for segment in line.segments.values():
        if line.is_crowded(segment):
            found.update(line.owners(line.meeting_within(segment)))
    # The spans below each segment that meet one of its spans, in its ports: its own
    # spans are then bisected into those once, not once per segment below it.
    met_from_below: defaultdict[range, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for segment, above in line.related():
        if hits := list(line.meeting(segment, above)):
            found.update(line.owners(hits))
            starts, ends = met_from_below[above]
            starts.extend(line.in_ports(segment, map(line.starts.__getitem__, hits)))
            ends.extend(line.in_ports(segment, map(line.ends.__getitem__, hits)))
    for above, (starts, ends) in met_from_below.items():
        found.update(line.owners(line.meeting_spans(above, sorted(starts), sorted(ends), above)))
    return sorted(found)


class Line:
    """The spans by start: ``starts[k]``, ``ends[k]``. Aligned, the k-th end is the
    k-th start's; else the ends are sorted on their own, which is cheaper and enough
    for ``apart`` (the only question such a line answers). ``segments`` maps each
    (protocol, scope) to its positions, which are the same in both lists.
    """

    def __init__(self, named: list[Pair], starts: list[int], ends: list[int]) -> None:
        self.named, self.starts, self.ends = named, starts, ends
        self.segments = self._segments()
        self.order: list[int] = []  # aligned: the spread position at each line position
        self.spread: Spread | None = None  # aligned: whose each spread position is
        self.crowded_numbers: set[int] = set()  # aligned: segments where two spans overlap
        self._ports: dict[int, Ports] = {}

    @classmethod
    def aligned(cls, spread: Spread) -> Line:
        """The spread spans sorted by start together with their ends."""
        order = sorted(range(len(spread.starts)), key=spread.starts.__getitem__)
        starts = list(map(spread.starts.__getitem__, order))
        line = cls(spread.named, starts, list(map(spread.ends.__getitem__, order)))
        line.order, line.spread = order, spread
        line.crowded_numbers = {starts[k] // WIDTH for k in line._reaching()}
        return line

    def _segments(self) -> dict[Pair, range]:
        found: dict[Pair, range] = {}
        lo = 0
        while lo < len(self.starts):
            number = self.starts[lo] // WIDTH
            hi = bisect_left(self.starts, (number + 1) * WIDTH, lo)
            found[self.named[number]] = range(lo, hi)
            lo = hi
        return found

    def related(self) -> Iterator[tuple[range, range]]:
        """Each segment with each segment of its protocol and an ancestor scope."""
        for (protocol, scope), segment in self.segments.items():
            for outer in lineage(scope)[:-1]:
                above = self.segments.get((protocol, outer))
                if above is not None:
                    yield segment, above

    def _reaching(self) -> Iterator[int]:
        """Positions whose end reaches the next start. Sorted, spans are apart when
        every end comes before the next start (in both an aligned and the other line)."""
        return compress(count(), map(ge, self.ends, islice(self.starts, 1, None)))

    def apart(self) -> bool:
        """True when no two spans of one segment or of related segments overlap."""
        if next(self._reaching(), None) is not None:
            return False
        meetings = (self.meeting(one, other) for one, other in self.related())
        return all(next(positions, None) is None for positions in meetings)

    def number(self, segment: range) -> int:
        return self.starts[segment.start] // WIDTH

    def is_crowded(self, segment: range) -> bool:
        """True when two spans of ``segment`` overlap."""
        return self.number(segment) in self.crowded_numbers

    def owners(self, positions: Iterable[int]) -> Iterator[int]:
        """The claim of each position (aligned lines only)."""
        assert self.spread is not None, "only an aligned line knows whose a span is"
        return map(self.spread.owner, map(self.order.__getitem__, positions))

    def meeting_within(self, segment: range) -> Iterator[int]:
        """Positions in ``segment`` whose span overlaps another one there (aligned lines
        only). By start, a span meets a later one when it reaches the next start, and
        an earlier one when an earlier span reaches its start."""
        starts = self.starts[segment.start : segment.stop]
        ends = self.ends[segment.start : segment.stop]
        later = compress(count(segment.start), map(ge, ends, islice(starts, 1, None)))
        reach = accumulate(ends, max)
        earlier = compress(count(segment.start + 1), map(le, islice(starts, 1, None), reach))
        return chain(later, earlier)

    def meeting(self, segment: range, other: range) -> Iterator[int]:
        """Positions in ``segment`` whose span overlaps one of ``other``'s: more of those
        start before it ends than end before it starts. Only the spans within
        ``other``'s hull are counted; ``segment`` must be aligned or apart."""
        delta = (self.number(other) - self.number(segment)) * WIDTH
        hi = bisect_right(self.starts, self._last_end(other) - delta, segment.start, segment.stop)
        lo = segment.start
        if not self.is_crowded(segment):  # its ends are in order too
            lo = bisect_left(self.ends, self.starts[other.start] - delta, lo, hi)
        if lo >= hi:
            return iter(())
        theirs = self.ports(other)
        return self.meeting_spans(segment, theirs.starts, theirs.sorted_ends, range(lo, hi))

    def meeting_spans(
        self, segment: range, starts: list[int], ends: list[int], window: range
    ) -> Iterator[int]:
        """Positions in ``window``, part of ``segment``, whose span overlaps one of the
        spans whose starts and ends, each in order and in ports, are given: more of
        those start before it ends than end before it starts."""
        mine = self.ports(segment)
        within = slice(window.start - segment.start, window.stop - segment.start)
        begun = map(bisect_right, repeat(starts), mine.ends[within])
        ended = map(bisect_left, repeat(ends), mine.starts[within])
        return compress(count(window.start), map(gt, begun, ended))

    def in_ports(self, segment: range, values: Iterable[int]) -> Iterator[int]:
        """Positions on the line of ``segment`` as ports."""
        return map(sub, values, repeat(self.number(segment) * WIDTH))

    def _last_end(self, segment: range) -> int:
        """The end of ``segment``'s span that ends last, on the line."""
        if self._mixed(segment):
            return self.ports(segment).sorted_ends[-1] + self.number(segment) * WIDTH
        return self.ends[segment.stop - 1]

    def _mixed(self, segment: range) -> bool:
        """True when ``segment``'s ends are not in order on the line."""
        return bool(self.order) and self.is_crowded(segment)

    def ports(self, segment: range) -> Ports:
        """``segment``'s spans in ports (not shifted), made once."""
        number = self.number(segment)
        if number not in self._ports:
            shift = repeat(number * WIDTH)
            starts = list(map(sub, self.starts[segment.start : segment.stop], shift))
            ends = list(map(sub, self.ends[segment.start : segment.stop], shift))
            self._ports[number] = Ports(
                starts, ends, sorted(ends) if self._mixed(segment) else ends
            )
        return self._ports[number]


class Ports(NamedTuple):
    """One segment's spans by start, in ports: their starts, ends, and ends in order."""

    starts: list[int]
    ends: list[int]
    sorted_ends: list[int]
