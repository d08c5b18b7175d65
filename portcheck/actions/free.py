"""Free ports: allowed ranges, minus reserved blocks, minus what overlapping scopes occupy.

Everything is interval arithmetic over sorted, merged spans, so a search costs
one pass over the register and never walks 65,535 ports one by one. Every
status occupies its ports until the file is deleted (docs/file-format.md), so retired
allocations count as occupied; quarantine only decides when that file may go.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Iterator, Sequence

from portcheck.checks.policy_ranges import inside_one, reserved_blocks
from portcheck.errors import Refused
from portcheck.finding import escape_controls, printable
from portcheck.model import GLOBAL, Policy, PortSpan, merge_spans, scopes_overlap
from portcheck.register import Entry, Register
from portcheck.rules import OUTSIDE_RANGE, PORT_COLLISION, RESERVED_RANGE, Rule


@dataclasses.dataclass(frozen=True)
class Want:
    """The protocols and scopes a claim needs a port in (every protocol, every scope)."""

    protocols: tuple[str, ...]
    scopes: tuple[str, ...] = (GLOBAL,)


def refuse_unknown(policy: Policy, want: Want) -> None:
    """Refused when the policy does not accept a protocol (PC302) or know a scope (PC303)."""
    for protocol in want.protocols:
        if protocol not in policy.protocols:
            accepted = ", ".join(policy.protocols)
            raise Refused(f"the policy accepts {accepted}, not {protocol}: PC302")
    for scope in want.scopes:
        if not policy.knows_scope(scope):
            raise Refused(f"scope {printable(scope)} is not in the policy's scopes: PC303")


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
        allocation = entry.allocation
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
        taken = merge_spans(
            entry.allocation.span for entry in holders(register, protocol, want.scopes)
        )
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


def obstacle(register: Register, want: Want, block: PortSpan) -> str:
    """Why ``block`` is not free for ``want``, naming the rule a claim of it would break."""
    for protocol in dict.fromkeys(want.protocols):
        reason = _obstacle(register, protocol, want.scopes, block)
        if reason is not None:
            return reason
    return f"{block} is free"


def _obstacle(
    register: Register, protocol: str, scopes: Sequence[str], block: PortSpan
) -> str | None:
    # The same decisions, in the same order, as the checks a claim of it would fail.
    policy = register.policy
    reserved_here = reserved_blocks(protocol, block, policy)
    if reserved_here:
        reserved = reserved_here[0]
        why = escape_controls(reserved.reason)
        return f"{protocol}/{block} is reserved ({reserved.span}: {why}): {_rule(RESERVED_RANGE)}"
    allowed = policy.allowed(protocol)
    if not inside_one(block, allowed):
        ranges = ", ".join(map(str, allowed)) or "none"
        return (
            f"{protocol}/{block} is outside the allowed ranges ({ranges}): {_rule(OUTSIDE_RANGE)}"
        )
    for entry in holders(register, protocol, scopes):
        if entry.allocation.span.intersects(block):
            where = ", ".join(entry.allocation.scopes)
            return f"{protocol}/{block} is taken by {entry.path} ({where}): {_rule(PORT_COLLISION)}"
    return None


def _rule(rule: Rule) -> str:
    return f"{rule.code} {rule.name}"
