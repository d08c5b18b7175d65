"""The checks that run on a loaded register, one module per concern.

Each module names the rules it can report in ``RULES`` and yields findings
from ``check(register)``. Adding a check is one module and one entry in
``CHECKS``; mypy verifies that every entry satisfies :class:`Check`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from portcheck.checks import (
    collisions,
    dependencies,
    identity,
    lifecycle,
    modelines,
    ownership,
    policy_ranges,
)
from portcheck.finding import Finding
from portcheck.ledger import Ledger
from portcheck.register import Register
from portcheck.rules import Rule


class Check(Protocol):
    """What a check module provides (modules satisfy protocols structurally)."""

    #: The rules this check can report (a test holds each check to it).
    RULES: tuple[Rule, ...]

    def check(self, register: Register) -> Iterator[Finding]: ...

    def candidates(self, register: Register, ledger: Ledger) -> Sequence[int] | None:
        """The rows of ``ledger`` check() could report on, found from its columns (a
        warm run's checks see only those, portcheck.ledger); None for every row.
        ``register`` has no entries: the policy, date, ids and CODEOWNERS."""
        ...


CHECKS: tuple[Check, ...] = (
    policy_ranges,
    collisions,
    identity,
    dependencies,
    lifecycle,
    ownership,
    modelines,
)
