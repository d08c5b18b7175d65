"""Free ports for the commands: what a claim may not ask for, and why a port is not free.

The interval arithmetic itself (free spans, blocks, the nearest free block)
lives in :mod:`portcheck.checks.free_ports`, so PC400 can name the nearest free
port exactly as claim does; its names are re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence

from portcheck.checks.free_ports import (
    Want,
    first_block,
    fits,
    free_spans,
    holders,
    intersect,
    nearest_block,
    subtract,
)
from portcheck.errors import Refused
from portcheck.finding import escape_controls, printable
from portcheck.model import Policy, PortSpan
from portcheck.register import Register

__all__ = [
    "Want",
    "first_block",
    "fits",
    "free_spans",
    "holders",
    "intersect",
    "nearest_block",
    "obstacle",
    "refuse_unknown",
    "subtract",
]


def refuse_unknown(policy: Policy, want: Want) -> None:
    """Refused when the policy does not accept a protocol (PC302) or know a scope (PC303)."""
    for protocol in want.protocols:
        if protocol not in policy.protocols:
            accepted = ", ".join(policy.protocols)
            raise Refused(f"the policy accepts {accepted}, not {protocol}: PC302")
    for scope in want.scopes:
        if not policy.knows_scope(scope):
            raise Refused(f"scope {printable(scope)} is not in the policy's scopes: PC303")


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
    policy = register.policy
    for reserved in policy.reserved_for(protocol):
        if reserved.span.intersects(block):
            why = escape_controls(reserved.reason)
            return f"{protocol}/{block} is reserved ({reserved.span}: {why}): PC301 reserved-range"
    allowed = policy.allowed(protocol)
    if not any(span.start <= block.start and block.end <= span.end for span in allowed):
        ranges = ", ".join(map(str, allowed)) or "none"
        return f"{protocol}/{block} is outside the allowed ranges ({ranges}): PC300 outside-range"
    for entry in holders(register, protocol, scopes):
        if entry.allocation.span.intersects(block):
            where = ", ".join(entry.allocation.scopes)
            return f"{protocol}/{block} is taken by {entry.path} ({where}): PC400 port-collision"
    return None
