"""`check --base REF`: what a change did, and the diff rules PC700-PC703.

The change is the working tree against REF, tracked and untracked files alike,
because `check` reads every file on disk (docs/file-format.md). What each
file held before comes from the base register, loaded and validated exactly as
the head is (portcheck.checks.base_tree), so an old file over 64 KiB is never
parsed. Which findings block is decided elsewhere (portcheck.gate).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from portcheck.checks.git_diff import Change, change_date, compare
from portcheck.checks.release import released, same_coverage
from portcheck.finding import Finding, Location, plural
from portcheck.load import REGISTER
from portcheck.model.dates import reclaimable, reclaimable_on
from portcheck.model.facts import Facts
from portcheck.register import Entry, Register
from portcheck.rules import (
    BACKDATED,
    POLICY_AND_ALLOCATIONS_TOGETHER,
    RELEASED_WITHOUT_RETIRING,
    RENUMBERED,
    Rule,
)

__all__ = ["RULES", "Change", "check", "compare", "renames"]

RULES: tuple[Rule, ...] = (
    RENUMBERED,
    RELEASED_WITHOUT_RETIRING,
    POLICY_AND_ALLOCATIONS_TOGETHER,
    BACKDATED,
)
SCHEMA = "schema"
POLICY_PATH = "schema/policy.yaml"
EXCEPTIONS_PATH = "schema/exceptions.yaml"


def check(change: Change, base: Register | None, register: Register) -> Iterator[Finding]:
    """PC700, PC701, PC702 and PC703 for ``change``, from the base register to ``register``."""
    old = {entry.path: entry for entry in base.entries} if base is not None else {}
    new = {entry.path: entry for entry in register.entries}
    moved = _moves(change, old, new)
    edited = [(path, path) for path in sorted(old.keys() & new.keys() & change.touched)]
    kept = old.keys() & new.keys()
    for old_path, new_path in edited + sorted(moved.items()):
        if reclaimable(old[old_path].facts, register.policy, register.today):
            continue  # its quarantine is over: it could be deleted, so it may shrink
        if not any(released(old[old_path].facts, new[new_path].facts)):
            continue  # it still holds all it held (an edit of its description, say)
        holders = _holders(old[old_path], kept, new)
        yield from _renumbered(old[old_path], new[new_path], holders)
    for path in sorted((change.deleted & old.keys()) - moved.keys()):
        yield from _released(old[path], _holders(old[path], kept, new), register)
    yield from _backdated(change, old, new, register.today)
    yield from _together(change)


def renames(change: Change, base: Register | None, register: Register) -> dict[str, str]:
    """Old path -> new path of the allocations the change renamed or moved."""
    old = {entry.path: entry for entry in base.entries} if base is not None else {}
    return _moves(change, old, {entry.path: entry for entry in register.entries})


def _moves(change: Change, old: dict[str, Entry], new: dict[str, Entry]) -> dict[str, str]:
    """Deleted allocations that reappear elsewhere: under the same id (a move between
    folders), or under another id holding exactly the same ports (a rename)."""
    added = sorted((change.added & new.keys()) - old.keys())
    moves: dict[str, str] = {}
    for path in sorted((change.deleted & old.keys()) - new.keys()):
        entry = old[path]
        same_id = [other for other in added if new[other].id == entry.id]
        alike = [o for o in added if same_coverage(entry.facts, new[o].facts)]
        target = next(iter(same_id or alike), None)
        if target is not None:
            moves[path] = target
            added.remove(target)
    return moves


def _holders(entry: Entry, kept: set[str], new: dict[str, Entry]) -> list[Facts]:
    """The other allocations that held their ports at the base and still exist, of
    those whose ports meet ``entry``'s (no other can keep one of its ports)."""
    span = entry.facts.span
    others = (new[path].facts for path in kept if path != entry.path)
    return [facts for facts in others if facts.span.intersects(span)]


def _renumbered(old: Entry, new: Entry, holders: list[Facts]) -> Iterator[Finding]:
    by_field: dict[str, list[str]] = {}
    for part in released(old.facts, new.facts, holders):
        by_field.setdefault(part.field, []).append(str(part))
    for field, parts in sorted(by_field.items(), key=lambda item: _FIELDS.index(item[0])):
        yield RENUMBERED.finding(
            new.document.locate((field,)),
            f"no longer holds {', '.join(parts)}: a live port is released only by retiring "
            "its allocation (claim the new ports in a new file)",
        )


_FIELDS = ("port", "protocol", "scope")


def _released(old: Entry, holders: list[Facts], register: Register) -> Iterator[Finding]:
    if not any(released(old.facts, None, holders)):
        return  # every port it held is held by another allocation too: nothing is freed
    at = Location(old.path)
    allocation = old.facts
    if allocation.status != "retired":
        yield RELEASED_WITHOUT_RETIRING.finding(
            at,
            f"deleted while {allocation.status}: run `portcheck retire {old.id}` first, "
            "and delete the file once its quarantine is over",
        )
        return
    ends = reclaimable_on(allocation, register.policy)
    if ends is not None and register.today < ends:
        yield RELEASED_WITHOUT_RETIRING.finding(
            at, f"retired on {allocation.retired_on}, but its quarantine lasts until {ends}"
        )


def _backdated(
    change: Change, old: dict[str, Entry], new: dict[str, Entry], today: dt.date
) -> Iterator[Finding]:
    """A `retired_on` or `expires` this change set earlier than the change's date."""
    day = change_date(change, today)
    before = {entry.id: entry.facts for entry in old.values()}
    for path in sorted(new.keys() & (change.added | change.modified)):
        entry = new[path]
        previous = before.get(entry.id)
        for field in ("retired_on", "expires"):
            value = getattr(entry.facts, field)
            if value is None or value >= day or getattr(previous, field, None) == value:
                continue
            yield BACKDATED.finding(
                entry.document.locate((field,)),
                f"{field} {value} is before this change ({day}): the quarantine and the "
                "reservation count from the day of the change",
            )


def _together(change: Change) -> Iterator[Finding]:
    # An exception arrives with the change it covers: that is its purpose, not PC702.
    edits = change.touched - {EXCEPTIONS_PATH}
    schema = sorted(path for path in edits if _under(path, SCHEMA))
    ports = [path for path in change.touched if _under(path, REGISTER)]
    if schema and ports:
        count = plural(len(ports), "file")
        yield POLICY_AND_ALLOCATIONS_TOGETHER.finding(
            Location(POLICY_PATH),
            f"this change edits {', '.join(schema)} and {count} under {REGISTER}/: "
            "merge the policy change on its own first",
        )


def _under(path: str, folder: str) -> bool:
    return path.startswith(folder + "/")
