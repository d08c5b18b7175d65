"""Policy checks on one allocation: protocols, ranges, reserved blocks, scopes, size.

PC300 outside-range, PC301 reserved-range, PC302 protocol-not-allowed,
PC303 unknown-scope, PC304 range-too-large. Only the most specific finding is
reported for a protocol (docs/policy.md): a protocol the policy does not accept gets
PC302 alone, a reserved port gets PC301 and not also PC300.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import cast

from portcheck.checks.span_table import SpanTable
from portcheck.finding import Finding, Location, printable
from portcheck.ledger import Ledger
from portcheck.model import GLOBAL, PORT_MAX, Policy, PortSpan, Reserved
from portcheck.model.facts import Facts
from portcheck.model.messages import did_you_mean
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
    passes = _Passes(policy)
    for entry in register.entries:
        if passes(entry.facts):
            continue  # the common case, without three generators per file
        yield from protocol_findings(entry, policy)
        yield from size_findings(entry, policy)
        yield from scope_findings(entry, policy)


def candidates(register: Register, ledger: Ledger) -> list[int]:
    """The rows _Passes does not pass: the spans each distinct protocols list refuses,
    asked of the table of distinct spans at once, and the distinct scopes."""
    passes = _Passes(register.policy)
    refused = _refused_rows(passes, ledger)
    unknown = ledger.rows_valued("scopes", lambda scopes: not passes.known(scopes))
    return sorted({*refused, *unknown})


def _refused_rows(passes: _Passes, ledger: Ledger) -> list[int]:
    spans = cast(list[PortSpan], ledger.distinct("span"))
    lists = cast(list[tuple[str, ...]], ledger.distinct("protocols"))
    table = SpanTable(spans)
    if not table.plain:
        return ledger.rows_where(
            lambda span, listed: not passes.ports(spans[span], lists[listed]),
            ledger.column("span"),
            ledger.column("protocols"),
        )
    unaccepted = {n for n, listed in enumerate(lists) if not passes.open.keys() >= set(listed)}
    rows = ledger.rows_numbered("protocols", unaccepted)  # every span refused
    refused = _refused_spans(passes, table, lists, unaccepted)
    refused_any = set().union(*refused.values())
    if not refused_any:
        return rows  # the common case: no column read
    span_of, listed_of = ledger.column("span"), ledger.column("protocols")
    return rows + [
        row
        for row in ledger.rows_numbered("span", refused_any)
        if span_of[row] in refused.get(listed_of[row], ())
    ]


def _refused_spans(
    passes: _Passes, table: SpanTable, lists: list[tuple[str, ...]], unaccepted: set[int]
) -> dict[int, set[int]]:
    """Protocols list -> the spans _Passes.ports refuses with it, for the lists of
    protocols the policy accepts."""
    wide = table.wider_than(passes.max_range)
    used = set().union(*(lists[n] for n in range(len(lists)) if n not in unaccepted))
    meeting = {protocol: table.meeting(passes.open[protocol]) for protocol in used}
    return {
        n: wide.union(*map(meeting.__getitem__, listed))
        for n, listed in enumerate(lists)
        if n not in unaccepted
    }


class _Passes:
    """True for an allocation none of this module's rules has anything to say about.

    Asked once per file, so the policy is read once per run into one byte per port
    and protocol: 1 where a port is allocatable and in no reserved block. A span
    passes PC300 and PC301 when all its ports are 1: the merged allowed spans are
    disjoint and never adjacent, so allocatable ports without a gap lie in one
    of them (inside_one), and a span without a reserved port meets no block."""

    def __init__(self, policy: Policy) -> None:
        self.max_range = policy.max_range
        self.scopes = frozenset((GLOBAL, *policy.scopes))
        self.open: dict[str, bytearray] = {p: _open_ports(policy, p) for p in policy.protocols}

    def __call__(self, allocation: Facts) -> bool:
        return self.ports(allocation.span, allocation.protocols) and self.known(allocation.scopes)

    def ports(self, span: PortSpan, protocols: Sequence[str]) -> bool:
        start, end = span
        if end - start >= self.max_range:
            return False
        for protocol in protocols:
            ports = self.open.get(protocol)
            if ports is None or ports.find(0, start, end + 1) >= 0:
                return False
        return True

    def known(self, scopes: Sequence[str]) -> bool:
        return self.scopes.issuperset(scopes)


def _open_ports(policy: Policy, protocol: str) -> bytearray:
    ports = bytearray(PORT_MAX + 1)
    for span in policy.allowed(protocol):
        ports[span.start : span.end + 1] = b"\x01" * span.size
    for block in policy.reserved_for(protocol):
        ports[block.span.start : block.span.end + 1] = bytes(block.span.size)
    return ports


def item_location(entry: Entry, field: str, index: int) -> Location:
    """The ``index``-th value of a field written either as one value or as a list."""
    is_list = isinstance(entry.document.data.get(field), list)
    return entry.document.locate((field, index) if is_list else (field,))


def protocol_findings(entry: Entry, policy: Policy) -> Iterator[Finding]:
    accepted: list[str] = []
    for index, protocol in enumerate(entry.facts.protocols):
        if protocol not in policy.protocols:
            yield PROTOCOL_NOT_ALLOWED.finding(
                item_location(entry, "protocol", index),
                f"protocol {protocol} is not accepted by the policy "
                f"(accepted: {', '.join(policy.protocols)})",
            )
        elif protocol not in accepted:
            accepted.append(protocol)
    yield from range_findings(accepted, entry.facts.span, policy, entry.document.locate(("port",)))


def range_findings(
    protocols: Sequence[str], span: PortSpan, policy: Policy, at: Location
) -> Iterator[Finding]:
    """PC301 for the protocols whose reserved blocks ``span`` touches, else PC300 for those
    that do not allow it: one finding per rule, naming every protocol it concerns (a
    tcp+udp allocation on a reserved port is one problem, not two)."""
    reserved = {p: reserved_blocks(p, span, policy) for p in protocols}
    hit = [p for p in protocols if reserved[p]]
    if hit:
        blocks = list(dict.fromkeys(block for p in hit for block in reserved[p]))
        named = "; ".join(f"{block.span} ({printable(block.reason)})" for block in blocks)
        noun = "block" if len(blocks) == 1 else "blocks"
        yield RESERVED_RANGE.finding(
            at, f"{'+'.join(hit)}/{span} is in the reserved {noun} {named}"
        )
    outside = [p for p in protocols if not reserved[p] and not inside_one(span, policy.allowed(p))]
    if outside:
        yield OUTSIDE_RANGE.finding(
            at, f"{'+'.join(outside)}/{span} is outside {_allowed(outside, policy)}"
        )


def _allowed(protocols: Sequence[str], policy: Policy) -> str:
    ranges = {p: ", ".join(str(spec) for spec in policy.allowed(p)) or "none" for p in protocols}
    if len(set(ranges.values())) == 1:
        return f"the allowed {'/'.join(protocols)} ranges: {ranges[protocols[0]]}"
    return "the allowed ranges: " + "; ".join(f"{p} {ranges[p]}" for p in protocols)


def reserved_blocks(protocol: str, span: PortSpan, policy: Policy) -> list[Reserved]:
    return [block for block in policy.reserved_for(protocol) if block.span.intersects(span)]


def inside_one(span: PortSpan, allowed: Sequence[PortSpan]) -> bool:
    """True when one of the (merged) ``allowed`` spans holds all of ``span``."""
    return any(outer.start <= span.start and span.end <= outer.end for outer in allowed)


def size_findings(entry: Entry, policy: Policy) -> Iterator[Finding]:
    span = entry.facts.span
    if span.size > policy.max_range:
        yield RANGE_TOO_LARGE.finding(
            entry.document.locate(("port",)),
            f"range {span} holds {span.size} ports, more than max_range {policy.max_range}",
        )


def scope_findings(entry: Entry, policy: Policy) -> Iterator[Finding]:
    for index, scope in enumerate(entry.facts.scopes):
        if not policy.knows_scope(scope):
            known = [GLOBAL, *(scope for scope in policy.scopes if scope != GLOBAL)]
            guess = did_you_mean(scope, known)
            yield UNKNOWN_SCOPE.finding(
                item_location(entry, "scope", index),
                f"scope {printable(scope)} is not in the policy's scopes{guess}",
            )
