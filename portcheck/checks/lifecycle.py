"""Lifecycle warnings: PC600 review-overdue, PC601 expired, PC602 reclaimable.

All dates are judged against ``register.today`` (``--as-of``), never the clock.
The date functions are pure so that ``portcheck stale`` and ``portcheck
reclaim`` decide exactly as ``check`` does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from portcheck.finding import Finding
from portcheck.model import Policy
from portcheck.model.dates import expired, reclaimable, reclaimable_on, review_due, review_overdue
from portcheck.model.facts import Facts
from portcheck.register import Entry, Register
from portcheck.rules import EXPIRED, RECLAIMABLE, REVIEW_OVERDUE, Rule

RULES: tuple[Rule, ...] = (REVIEW_OVERDUE, EXPIRED, RECLAIMABLE)


def check(register: Register) -> Iterator[Finding]:
    policy, today = register.policy, register.today
    quiet = _Quiet(policy, today)
    for entry in register.entries:
        allocation = entry.facts
        if quiet(allocation):
            continue  # the common case, without the three date rules' calls
        if review_overdue(allocation, policy, today):
            yield overdue_finding(entry, policy)
        if expired(allocation, today):
            yield EXPIRED.finding(
                entry.document.locate(("expires",)), f"expired on {allocation.expires}"
            )
        if reclaimable(allocation, policy, today):
            yield RECLAIMABLE.finding(
                entry.document.locate(("retired_on",)),
                f"retired on {allocation.retired_on} and quarantine ended on "
                f"{reclaimable_on(allocation, policy)}: delete the file to free the port",
            )


class _Quiet:
    """True for a live allocation none of the three rules has anything to say about:
    reviewed in time (review_by, or allocated no earlier than today less the review
    interval) and not past its expiry. Retired files take the rules themselves."""

    def __init__(self, policy: Policy, today: dt.date) -> None:
        self.today = today
        try:
            self.allocated_since = today - dt.timedelta(days=policy.review_days)
        except OverflowError:  # no allocation is that old: none is overdue by default
            self.allocated_since = dt.date.min

    def __call__(self, facts: Facts) -> bool:
        if facts.status == "retired":
            return False
        reviewed = facts.review_by
        if reviewed is None:
            if facts.allocated < self.allocated_since:
                return False
        elif reviewed < self.today:
            return False
        return facts.expires is None or facts.expires >= self.today


def overdue_finding(entry: Entry, policy: Policy) -> Finding:
    """At ``review_by``, or at ``allocated`` when the review date is the default."""
    field = "review_by" if entry.facts.review_by is not None else "allocated"
    due = review_due(entry.facts, policy)
    suffix = "" if field == "review_by" else f" (allocated + {policy.review_days} days)"
    return REVIEW_OVERDUE.finding(
        entry.document.locate((field,)), f"review was due on {due}{suffix}"
    )
