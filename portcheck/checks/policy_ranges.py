"""Policy checks on one allocation: protocols, ranges, reserved blocks, scopes, size.

PC300 outside-range, PC301 reserved-range, PC302 protocol-not-allowed,
PC303 unknown-scope, PC304 range-too-large. Only the most specific finding is
reported for a protocol (SPEC §4): a protocol the policy does not accept gets
PC302 alone, a reserved port gets PC301 and not also PC300.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence

from portcheck.finding import Finding, Location, printable
from portcheck.model import GLOBAL, Policy, PortSpan, Reserved
from portcheck.register import Entry, Register
from portcheck.rules import (
    OUTSIDE_RANGE,
    PROTOCOL_NOT_ALLOWED,
    RANGE_TOO_LARGE,
    RESERVED_RANGE,
    UNKNOWN_SCOPE,
    Rule,
)

RULES: tuple[Rule, ...] = (
    OUTSIDE_RANGE,
    RESERVED_RANGE,
    PROTOCOL_NOT_ALLOWED,
    UNKNOWN_SCOPE,
    RANGE_TOO_LARGE,
)


def check(register: Register) -> Iterator[Finding]:
    policy = register.policy
    # Most allocations share a handful of (protocol, span) pairs' verdicts with
    # none: judge each pair once per run rather than once per file.
    verdicts: dict[tuple[str, PortSpan], tuple[Rule, str] | None] = {}
    for entry in register.entries:
        if _passes(entry, policy, verdicts):
            continue  # the common case, without three generators per file
        yield from protocol_findings(entry, policy, verdicts)
        yield from size_findings(entry, policy)
        yield from scope_findings(entry, policy)


def _passes(
    entry: Entry, policy: Policy, verdicts: dict[tuple[str, PortSpan], tuple[Rule, str] | None]
) -> bool:
    """True when none of this module's rules has anything to say about ``entry``."""
    allocation = entry.allocation
    span = allocation.span
    if span.size > policy.max_range:
        return False
    for protocol in allocation.protocols:
        if protocol not in policy.protocols:
            return False
        pair = (protocol, span)
        if pair not in verdicts:
            verdicts[pair] = range_verdict(protocol, span, policy)
        if verdicts[pair] is not None:
            return False
    return all(policy.knows_scope(scope) for scope in allocation.scopes)


def item_location(entry: Entry, field: str, index: int) -> Location:
    """The ``index``-th value of a field written either as one value or as a list."""
    is_list = isinstance(entry.document.data.get(field), list)
    return entry.document.locate((field, index) if is_list else (field,))


def protocol_findings(
    entry: Entry,
    policy: Policy,
    verdicts: dict[tuple[str, PortSpan], tuple[Rule, str] | None] | None = None,
) -> Iterator[Finding]:
    span = entry.allocation.span
    known = {} if verdicts is None else verdicts
    checked: set[str] = set()
    for index, protocol in enumerate(entry.allocation.protocols):
        if protocol not in policy.protocols:
            yield PROTOCOL_NOT_ALLOWED.finding(
                item_location(entry, "protocol", index),
                f"protocol {protocol} is not accepted by the policy "
                f"(accepted: {', '.join(policy.protocols)})",
            )
        elif protocol not in checked:
            checked.add(protocol)
            pair = (protocol, span)
            if pair not in known:
                known[pair] = range_verdict(protocol, span, policy)
            verdict = known[pair]
            if verdict is not None:
                yield verdict[0].finding(entry.document.locate(("port",)), verdict[1])


def range_finding(protocol: str, span: PortSpan, policy: Policy, at: Location) -> Finding | None:
    """PC301 when ``span`` touches a reserved block, else PC300 when it is not allowed."""
    verdict = range_verdict(protocol, span, policy)
    return None if verdict is None else verdict[0].finding(at, verdict[1])


def range_verdict(protocol: str, span: PortSpan, policy: Policy) -> tuple[Rule, str] | None:
    """The rule and message of :func:`range_finding`, before it has a location."""
    blocks = reserved_blocks(protocol, span, policy)
    if blocks:
        named = "; ".join(f"{block.span} ({printable(block.reason)})" for block in blocks)
        noun = "block" if len(blocks) == 1 else "blocks"
        return RESERVED_RANGE, f"{protocol}/{span} is in the reserved {noun} {named}"
    allowed = policy.allowed(protocol)
    if inside_one(span, allowed):
        return None
    ranges = ", ".join(str(spec) for spec in allowed) or "none"
    return OUTSIDE_RANGE, f"{protocol}/{span} is outside the allowed {protocol} ranges: {ranges}"


def reserved_blocks(protocol: str, span: PortSpan, policy: Policy) -> list[Reserved]:
    return [block for block in policy.reserved_for(protocol) if block.span.intersects(span)]


def inside_one(span: PortSpan, allowed: Sequence[PortSpan]) -> bool:
    """True when one of the (merged) ``allowed`` spans holds all of ``span``."""
    return any(outer.start <= span.start and span.end <= outer.end for outer in allowed)


def size_findings(entry: Entry, policy: Policy) -> Iterator[Finding]:
    span = entry.allocation.span
    if span.size > policy.max_range:
        yield RANGE_TOO_LARGE.finding(
            entry.document.locate(("port",)),
            f"range {span} holds {span.size} ports, more than max_range {policy.max_range}",
        )


def scope_findings(entry: Entry, policy: Policy) -> Iterator[Finding]:
    for index, scope in enumerate(entry.allocation.scopes):
        if not policy.knows_scope(scope):
            known = [GLOBAL, *(scope for scope in policy.scopes if scope != GLOBAL)]
            yield UNKNOWN_SCOPE.finding(
                item_location(entry, "scope", index),
                f"scope {printable(scope)} is not in the policy's scopes{suggestion(scope, known)}",
            )


def suggestion(value: str, choices: Sequence[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or nothing."""
    best = closest(value, choices)
    return f" (did you mean {printable(best)}?)" if best is not None else ""


def closest(value: str, choices: Sequence[str]) -> str | None:
    """The most similar choice above difflib's cutoff. Among equals the one with the
    same letters wins, so a transposition (``prod/ue`` -> ``prod/eu``) beats a
    substitution (``prod/us``)."""
    close = difflib.get_close_matches(value, choices, n=5)
    return max(
        close,
        key=lambda choice: (similarity(value, choice), similarity(sorted(value), sorted(choice))),
        default=None,
    )


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()
