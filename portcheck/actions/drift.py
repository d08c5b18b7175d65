"""`portcheck drift`: ports in use (manifests, saved ss/netstat output) against the register."""

from __future__ import annotations

from collections.abc import Iterable

from portcheck.actions.importing import service_id
from portcheck.inventory import Listener
from portcheck.register import Entry, Register
from portcheck.report.drift import Drift, Mismatch


def compare(register: Register, listeners: Iterable[Listener]) -> Drift:
    """Three lists: unregistered, held by another service, and registered but unused."""
    holders = _holders(register)
    unregistered: list[Listener] = []
    mismatched: list[Mismatch] = []
    used: set[str] = set()
    for listener in _unique(listeners).values():
        held = _held(holders, listener)
        used.update(entry.path for entry in held)
        if not held:
            unregistered.append(listener)
        elif listener.service and not any(_serves(entry, listener) for entry in held):
            mismatched.append(Mismatch(listener, tuple(held)))
    unused = [
        entry
        for entry in register.entries
        if entry.path not in used and entry.allocation.status != "retired"
    ]
    return Drift(tuple(unregistered), tuple(mismatched), tuple(unused))


def _unique(listeners: Iterable[Listener]) -> dict[tuple[int, int, str, str], Listener]:
    """One listener per (ports, protocol, service): the first source that declares it."""
    seen: dict[tuple[int, int, str, str], Listener] = {}
    for listener in listeners:
        seen.setdefault(
            (listener.start, listener.end, listener.protocol, listener.service), listener
        )
    return seen


def _holders(register: Register) -> dict[tuple[str, int], list[Entry]]:
    holders: dict[tuple[str, int], list[Entry]] = {}
    for entry in register.entries:
        span = entry.allocation.span
        for protocol in entry.allocation.protocols:
            for port in range(span.start, span.end + 1):
                holders.setdefault((protocol, port), []).append(entry)
    return holders


def _held(holders: dict[tuple[str, int], list[Entry]], listener: Listener) -> list[Entry]:
    found: dict[str, Entry] = {}
    for port in range(listener.start, listener.end + 1):
        for entry in holders.get((listener.protocol, port), ()):
            found.setdefault(entry.path, entry)
    return list(found.values())


def _serves(entry: Entry, listener: Listener) -> bool:
    name = service_id(listener.service)
    return name == entry.allocation.service
