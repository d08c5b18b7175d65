"""Lifecycle warnings: PC600 review-overdue, PC601 expired, PC602 reclaimable.

All dates are judged against ``register.today`` (``--as-of``), never the clock.
The date functions are pure so that ``portcheck stale`` and ``portcheck
reclaim`` decide exactly as ``check`` does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from portcheck.finding import Finding
from portcheck.ledger import Ledger
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


def candidates(register: Register, ledger: Ledger) -> list[int]:
    """The rows _Quiet would not call quiet, decided on the day numbers of the columns."""
    return _Quiet(register.policy, register.today).loud_rows(ledger)


class _Quiet:
    """True for a live allocation none of the three rules has anything to say about:
    reviewed in time (review_by, or allocated no earlier than today less the review
    interval) and not past its expiry. Retired files take the rules themselves."""

    def __init__(self, policy: Policy, today: dt.date) -> None:
        self.today = today
        self.policy = policy
        try:
            self.allocated_since = today - dt.timedelta(days=policy.review_days)
        except OverflowError:  # no allocation is that old: none is overdue by default
            self.allocated_since = dt.date.min

    def __call__(self, facts: Facts) -> bool:
        if facts.status == "retired":  # only PC602 speaks of a retired file
            return not reclaimable(facts, self.policy, self.today)
        reviewed = facts.review_by
        if reviewed is None:
            if facts.allocated < self.allocated_since:
                return False
        elif reviewed < self.today:
            return False
        return facts.expires is None or facts.expires >= self.today

    def loud_rows(self, ledger: Ledger) -> list[int]:
        """The rows of ``ledger`` this would not call quiet: __call__ on day numbers
        (0 for no date), a pass over the columns instead of a Facts per row."""
        retired = {n for n, status in enumerate(ledger.distinct("status")) if status == "retired"}
        today, since = self.today.toordinal(), self.allocated_since.toordinal()
        quarantine, last = self.policy.quarantine_days, dt.date.max.toordinal()
        days = zip(
            ledger.column("status"),
            ledger.column("allocated"),
            ledger.column("review_by"),
            ledger.column("expires"),
            ledger.column("retired_on"),
            strict=True,
        )
        return [
            row
            for row, (status, allocated, reviewed, expires, retired_on) in enumerate(days)
            if (
                retired_on > 0 and min(retired_on + quarantine, last) <= today
                if status in retired
                else (reviewed < today if reviewed else allocated < since) or 0 < expires < today
            )
        ]


def overdue_finding(entry: Entry, policy: Policy) -> Finding:
    """At ``review_by``, or at ``allocated`` when the review date is the default."""
    field = "review_by" if entry.facts.review_by is not None else "allocated"
    due = review_due(entry.facts, policy)
    suffix = "" if field == "review_by" else f" (allocated + {policy.review_days} days)"
    return REVIEW_OVERDUE.finding(
        entry.document.locate((field,)), f"review was due on {due}{suffix}"
    )
