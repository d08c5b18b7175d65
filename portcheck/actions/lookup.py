"""The read side: who holds a port, one allocation in full, and filtered lists.

Everyone who never edits the register still needs to ask it questions; these
answer from the same loaded register that ``portcheck check`` judges.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from portcheck.model import Allocation, scopes_overlap
from portcheck.model.dates import reclaimable_on, review_due
from portcheck.register import Entry, Register


@dataclasses.dataclass(frozen=True)
class Filters:
    """What ``portcheck list`` keeps: an allocation matching every filter given."""

    owner: str | None = None
    scope: str | None = None  # an allocation in, above or below this scope
    protocol: str | None = None
    status: str | None = None

    def keep(self, allocation: Allocation) -> bool:
        return (
            (self.owner is None or allocation.owner.casefold() == self.owner.casefold())
            and (
                self.scope is None or any(scopes_overlap(self.scope, s) for s in allocation.scopes)
            )
            and (self.protocol is None or self.protocol in allocation.protocols)
            and (self.status is None or allocation.status == self.status)
        )


def matching(register: Register, filters: Filters) -> list[Entry]:
    """The allocations that pass ``filters``, by id."""
    found = [entry for entry in register.entries if filters.keep(entry.allocation)]
    return sorted(found, key=lambda entry: (entry.id, entry.path))


def holders_of(register: Register, port: int, protocol: str | None, scope: str) -> list[Entry]:
    """The allocations that occupy ``port`` (of ``protocol``, any when None) in a scope
    overlapping ``scope``; a retired one still does until its file is deleted."""
    return [
        entry
        for entry in matching(register, Filters(scope=scope, protocol=protocol))
        if entry.allocation.span.start <= port <= entry.allocation.span.end
    ]


@dataclasses.dataclass(frozen=True)
class Due:
    """The dates that ask for something, and whether they have passed."""

    label: str
    day: dt.date
    passed: bool


def dues(register: Register, allocation: Allocation) -> list[Due]:
    """Review, expiry and reclaim dates of one allocation, as of the register's today."""
    today, policy = register.today, register.policy
    found: list[Due] = []
    if allocation.status != "retired":
        review = review_due(allocation, policy)
        found.append(Due("review due", review, today > review))
        if allocation.expires is not None:
            found.append(Due("expires", allocation.expires, today > allocation.expires))
    reclaim = reclaimable_on(allocation, policy)
    if reclaim is not None:
        found.append(Due("reclaimable", reclaim, today >= reclaim))
    return found
