"""The distinct spans of a register asked about at once: which a policy refuses.

A register of 100,000 files holds tens of thousands of distinct spans; asking
each whether all its ports are open (policy_ranges' bytes per port) was a
Python call per span. Counting the closed ports below each port once per
protocol answers it for every span in a few passes of C: a span holds no
closed port when as many lie below its start as below the port after its end.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable, Sequence

from portcheck.model import PORT_MAX, PortSpan

#: A protocol's bytes per port flipped: open (1) to 0, closed (0) to 1, to count the closed.
_FLIP = bytes([1, 0]) + bytes(254)


class SpanTable:
    """Spans by their index in a table of distinct spans."""

    def __init__(self, spans: Sequence[PortSpan]) -> None:
        self.starts = list(map(operator.itemgetter(0), spans))
        self.ends = list(map(operator.itemgetter(1), spans))
        #: Every span a start no later than its end, within the ports: the only spans
        #: the counting below is exact for (the cache and the schema admit no other).
        self.plain = not spans or (
            min(self.starts) >= 0
            and max(self.ends) <= PORT_MAX
            and all(map(operator.le, self.starts, self.ends))
        )

    def wider_than(self, most: int) -> set[int]:
        """The spans of ``most`` or more ports beyond their first (end - start >= most)."""
        widths = map(operator.sub, self.ends, self.starts)
        return _indexes(map(operator.ge, widths, itertools.repeat(most)))

    def meeting(self, open_ports: bytes | bytearray) -> set[int]:
        """The spans holding a port ``open_ports`` has as 0 (plain spans only)."""
        below = list(itertools.accumulate(open_ports.translate(_FLIP), initial=0))
        after_end = map(below.__getitem__, map(operator.add, self.ends, itertools.repeat(1)))
        return _indexes(map(operator.ne, map(below.__getitem__, self.starts), after_end))


def _indexes(flags: Iterable[bool]) -> set[int]:
    return set(itertools.compress(itertools.count(), flags))
