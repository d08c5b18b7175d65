"""Dates of an allocation's life: review due, expiry, the end of quarantine.

Shared by the checks (PC600-PC602, PC701) and by the commands that set dates
(claim, renew, retire). Never raises on data: a check must not.
"""

from __future__ import annotations

import datetime as dt

from portcheck.model import Allocation, Policy
from portcheck.model.facts import Facts


def add_days(day: dt.date, days: int) -> dt.date:
    """``day`` plus ``days``, saturating at the last representable date.

    A schema-valid ``9999-12-31`` plus the review interval would overflow, and a
    check never raises on data.
    """
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max


def review_due(allocation: Allocation | Facts, policy: Policy) -> dt.date:
    """``review_by``, or ``allocated`` plus the policy's ``review_days`` (docs/file-format.md)."""
    if allocation.review_by is not None:
        return allocation.review_by
    return add_days(allocation.allocated, policy.review_days)


def review_overdue(allocation: Allocation | Facts, policy: Policy, today: dt.date) -> bool:
    return allocation.status != "retired" and today > review_due(allocation, policy)


def expired(allocation: Allocation | Facts, today: dt.date) -> bool:
    return (
        allocation.status != "retired"
        and allocation.expires is not None
        and today > allocation.expires
    )


def reclaimable_on(allocation: Allocation | Facts, policy: Policy) -> dt.date | None:
    """The first day a retired allocation's file may be deleted; None if not retired."""
    if allocation.status != "retired" or allocation.retired_on is None:
        return None
    return add_days(allocation.retired_on, policy.quarantine_days)


def reclaimable(allocation: Allocation | Facts, policy: Policy, today: dt.date) -> bool:
    day = reclaimable_on(allocation, policy)
    return day is not None and today >= day
