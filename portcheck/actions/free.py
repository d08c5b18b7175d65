"""Free ports for the commands: what a claim may not ask for, and why a port is not free.

The interval arithmetic itself (free spans, blocks, the nearest free block)
lives in :mod:`portcheck.checks.free_ports`, so PC400 can name the nearest free
port exactly as claim does; its names are re-exported here.
Every status occupies its ports until the file is deleted (docs/file-format.md),
so retired allocations count as occupied; quarantine only decides when that
file may go.
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
from portcheck.checks.policy_ranges import inside_one, reserved_blocks
from portcheck.errors import Refused
from portcheck.finding import escape_controls, printable
from portcheck.model import Policy, PortSpan
from portcheck.register import Register
from portcheck.rules import OUTSIDE_RANGE, PORT_COLLISION, RESERVED_RANGE, Rule

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
