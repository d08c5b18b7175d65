"""What a change releases: the (protocol, scope, ports) an allocation held and no longer holds.

A port is released when nobody keeps holding it: not the allocation itself
after the change (a wider range, a new protocol, a wider scope release
nothing), and not another allocation that already held it at the base (moving
off a port that was contested there frees nothing, README "How the gate decides").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

from portcheck.model import Allocation, PortSpan, scope_contains
from portcheck.model.facts import Facts


@dataclasses.dataclass(frozen=True)
class Released:
    protocol: str
    scope: str
    spans: tuple[PortSpan, ...]
    #: The field whose edit released it: "protocol", "scope" or "port".
    field: str

    def __str__(self) -> str:
        ports = ", ".join(str(span) for span in self.spans)
        return f"{self.protocol}/{ports} ({self.scope})"


def released(
    old: Allocation | Facts,
    new: Allocation | Facts | None,
    holders: Iterable[Allocation | Facts] = (),
) -> Iterator[Released]:
    """What ``old`` held that neither ``new`` nor any of ``holders`` holds."""
    keepers = [*holders, *([new] if new is not None else [])]
    for protocol in old.protocols:
        for scope in old.scopes:
            spans = [old.span]
            for keeper in keepers:
                if holds(keeper, protocol, scope):
                    spans = _subtract(spans, keeper.span)
            if spans:
                yield Released(protocol, scope, tuple(spans), _field(new, protocol, scope))


def holds(allocation: Allocation | Facts, protocol: str, scope: str) -> bool:
    """``allocation`` occupies its ports for ``protocol`` in all of ``scope``."""
    return protocol in allocation.protocols and any(
        scope_contains(own, scope) for own in allocation.scopes
    )


def same_coverage(old: Allocation | Facts, new: Allocation | Facts) -> bool:
    """A rename or a move: the same ports, protocols and scopes, nothing more or less."""
    return not any(released(old, new)) and not any(released(new, old))


def _field(new: Allocation | Facts | None, protocol: str, scope: str) -> str:
    if new is None or protocol not in new.protocols:
        return "protocol"
    if not any(scope_contains(own, scope) for own in new.scopes):
        return "scope"
    return "port"


def _subtract(spans: list[PortSpan], cut: PortSpan) -> list[PortSpan]:
    kept: list[PortSpan] = []
    for span in spans:
        if not span.intersects(cut):
            kept.append(span)
            continue
        if span.start < cut.start:
            kept.append(PortSpan(span.start, cut.start - 1))
        if cut.end < span.end:
            kept.append(PortSpan(cut.end + 1, span.end))
    return kept
