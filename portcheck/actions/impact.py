"""Impact analysis: which allocations depend on one, directly or through others.

``depends_on`` points from a client to what it talks to; reversed, it answers
"who breaks if this port goes away" (the question the seed's metadata is for).
A breadth-first walk reports each dependent once, at its shortest distance,
and a cycle in the data cannot loop it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from portcheck.register import Entry, Register


class Dependent(NamedTuple):
    entry: Entry
    depth: int  # 1: depends on the id directly
    via: str | None  # the id it depends on, when that is not the one asked about


def dependents(register: Register, ident: str) -> list[Dependent]:
    """Everything that depends on ``ident``, nearest first, then by id."""
    clients: defaultdict[str, list[Entry]] = defaultdict(list)
    for entry in register.entries:
        for target in dict.fromkeys(entry.allocation.depends_on):
            clients[target].append(entry)
    found: list[Dependent] = []
    seen = {ident}
    frontier = [ident]
    depth = 0
    while frontier:
        depth += 1
        level = _level(clients, frontier, seen, depth, ident)
        found += level
        frontier = [dependent.entry.id for dependent in level]
    return found


def _level(
    clients: dict[str, list[Entry]], frontier: list[str], seen: set[str], depth: int, root: str
) -> list[Dependent]:
    level: dict[str, Dependent] = {}
    for target in frontier:
        for entry in clients.get(target, ()):
            if entry.id not in seen and entry.id not in level:
                level[entry.id] = Dependent(entry, depth, None if target == root else target)
    seen.update(level)
    return sorted(level.values(), key=lambda dependent: dependent.entry.id)
