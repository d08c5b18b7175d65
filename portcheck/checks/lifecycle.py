"""Lifecycle warnings: PC600 review-overdue, PC601 expired, PC602 reclaimable.

All dates are judged against ``register.today`` (``--as-of``), never the clock.
The date functions are pure so that ``portcheck stale`` and ``portcheck
reclaim`` decide exactly as ``check`` does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from portcheck.catalogue import rule
from portcheck.finding import Finding
from portcheck.model import Allocation, Policy
from portcheck.register import Entry, Register

CODES: tuple[str, ...] = ("PC600", "PC601", "PC602")


def add_days(day: dt.date, days: int) -> dt.date:
    """``day`` plus ``days``, saturating at the last representable date.

    A schema-valid ``9999-12-31`` plus the review interval would overflow, and a
    check never raises on data.
    """
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max


def review_due(allocation: Allocation, policy: Policy) -> dt.date:
    """``review_by``, or ``allocated`` plus the policy's ``review_days`` (SPEC §2)."""
    if allocation.review_by is not None:
        return allocation.review_by
    return add_days(allocation.allocated, policy.review_days)


def review_overdue(allocation: Allocation, policy: Policy, today: dt.date) -> bool:
    return allocation.status != "retired" and today > review_due(allocation, policy)


def expired(allocation: Allocation, today: dt.date) -> bool:
    return (
        allocation.status != "retired"
        and allocation.expires is not None
        and today > allocation.expires
    )


def reclaimable_on(allocation: Allocation, policy: Policy) -> dt.date | None:
    """The first day a retired allocation's file may be deleted; None if not retired."""
    if allocation.status != "retired" or allocation.retired_on is None:
        return None
    return add_days(allocation.retired_on, policy.quarantine_days)


def reclaimable(allocation: Allocation, policy: Policy, today: dt.date) -> bool:
    day = reclaimable_on(allocation, policy)
    return day is not None and today >= day


def check(register: Register) -> Iterator[Finding]:
    policy, today = register.policy, register.today
    for entry in register.entries:
        allocation = entry.allocation
        if review_overdue(allocation, policy, today):
            yield overdue_finding(entry, policy)
        if expired(allocation, today):
            yield rule("PC601").finding(
                entry.document.locate(("expires",)), f"expired on {allocation.expires}"
            )
        if reclaimable(allocation, policy, today):
            yield rule("PC602").finding(
                entry.document.locate(("retired_on",)),
                f"retired on {allocation.retired_on} and quarantine ended on "
                f"{reclaimable_on(allocation, policy)}: delete the file to free the port",
            )


def overdue_finding(entry: Entry, policy: Policy) -> Finding:
    """At ``review_by``, or at ``allocated`` when the review date is the default."""
    field = "review_by" if entry.allocation.review_by is not None else "allocated"
    due = review_due(entry.allocation, policy)
    suffix = "" if field == "review_by" else f" (allocated + {policy.review_days} days)"
    return rule("PC600").finding(
        entry.document.locate((field,)), f"review was due on {due}{suffix}"
    )
