"""Every claim's span placed once per (protocol, scope) it names, on one line of ports.

Each (protocol, scope) is a *segment* of WIDTH ports; a span is shifted by its
segment's offset, so the spans of all segments lie on one line of integers and
spans of different segments never touch. portcheck.checks.suspects sorts that
line: first as sorted_spans gives it, starts and ends sorted each on its own
(enough to tell that nothing overlaps), and only when something does as
Spread gives it, each span at a known position, to say whose it is. Each is
one Python loop over the claims (the only step per claim) plus whole-list
steps for the claims that name several protocols or scopes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from itertools import islice, product, repeat
from operator import add, itemgetter

from portcheck.model import PORT_MAX, PortSpan

#: A claim's (protocols, span, scopes): portcheck.checks.pairs.Claim is one. As the
#: model makes them, it names at least one protocol and one scope.
ClaimTuple = tuple[tuple[str, ...], PortSpan, tuple[str, ...]]
Pair = tuple[str, str]  # (protocol, scope)
Shape = tuple[tuple[str, ...], tuple[str, ...]]  # (protocols, scopes)

#: Room for every port (the model keeps them in 1-65535), so shifted segments never touch.
WIDTH = PORT_MAX + 1


class Spread:
    """Every claim's span once per (protocol, scope) it names, shifted into that
    segment: claim i's first one at position i, the others after all claims."""

    def __init__(self, claims: Sequence[ClaimTuple]) -> None:
        self.named: list[Pair] = []  # segment number -> (protocol, scope)
        self.shifts = _Shifts(self.named)
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.extra: list[int] = []  # the claim of each position from len(claims) on
        self.claims = len(claims)
        self._place_others(self._place_firsts(claims))

    def _place_firsts(self, claims: Sequence[ClaimTuple]) -> dict[Shape, list[int]]:
        """Places each claim in its first segment; the claims with several, by shape.
        The loop's names are local: at 100,000 claims each lookup saved counts."""
        shifts, several = self.shifts, defaultdict[Shape, list[int]](list)
        add_start, add_end = self.starts.append, self.ends.append
        for protocols, (start, end), scopes in claims:
            shift = shifts[protocols[0]][scopes[0]]
            add_start(shift + start)
            add_end(shift + end)
            if len(protocols) + len(scopes) > 2:
                several[protocols, scopes].append(len(self.starts) - 1)
        return several

    def _place_others(self, several: dict[Shape, list[int]]) -> None:
        """Places the claims of each shape in their other segments, a whole list at a
        time: each segment is at a fixed distance from the shape's first one. A name
        listed twice only makes a claim overlap itself (a suspect the sweep clears)."""
        for (protocols, scopes), indexes in several.items():
            first = self.shifts[protocols[0]][scopes[0]]
            starts = list(map(self.starts.__getitem__, indexes))
            ends = list(map(self.ends.__getitem__, indexes))
            for protocol, scope in islice(product(protocols, scopes), 1, None):
                distance = self.shifts[protocol][scope] - first
                self.starts.extend(map(add, starts, repeat(distance)))
                self.ends.extend(map(add, ends, repeat(distance)))
                self.extra.extend(indexes)

    def owner(self, position: int) -> int:
        return position if position < self.claims else self.extra[position - self.claims]


def sorted_spans(claims: Sequence[ClaimTuple]) -> tuple[list[Pair], list[int], list[int]]:
    """Every claim's span once per (protocol, scope) it names, shifted into that
    segment: the segments by number, and the spans' starts and ends, each sorted on
    its own (whose span is whose is not kept; Spread keeps it). Most spans are one
    port, whose start is its end: those are sorted once for both lists, and merged
    with the ranges' starts and ends (two sorted runs merge in one pass)."""
    named: list[Pair] = []
    shifts = _Shifts(named)
    points: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    several = defaultdict[Shape, list[PortSpan]](list)
    add_point, add_start, add_end = points.append, starts.append, ends.append
    for protocols, span, scopes in claims:  # names local: 100,000 claims
        shift = shifts[protocols[0]][scopes[0]]
        start, end = span
        if start == end:
            add_point(shift + start)
        else:
            add_start(shift + start)
            add_end(shift + end)
        if len(protocols) + len(scopes) > 2:
            several[protocols, scopes].append(span)
    for (protocols, scopes), spans in several.items():
        ones = [start for start, end in spans if start == end]
        ranges = [(start, end) for start, end in spans if start != end]
        for protocol, scope in islice(product(protocols, scopes), 1, None):
            shifted = repeat(shifts[protocol][scope])
            points.extend(map(add, ones, shifted))
            starts.extend(map(add, map(itemgetter(0), ranges), shifted))
            ends.extend(map(add, map(itemgetter(1), ranges), shifted))
    points.sort()
    starts.sort()
    ends.sort()
    return named, sorted(points + starts), sorted(points + ends)


class _Shifts(dict[str, dict[str, int]]):
    """protocol -> scope -> the shift of that segment, numbered as first met."""

    def __init__(self, named: list[Pair]) -> None:
        super().__init__()
        self.named = named

    def __missing__(self, protocol: str) -> dict[str, int]:
        scopes = self[protocol] = _ScopeShifts(protocol, self.named)
        return scopes


class _ScopeShifts(dict[str, int]):
    def __init__(self, protocol: str, named: list[Pair]) -> None:
        super().__init__()
        self.protocol, self.named = protocol, named

    def __missing__(self, scope: str) -> int:
        shift = self[scope] = len(self.named) * WIDTH
        self.named.append((self.protocol, scope))
        return shift
