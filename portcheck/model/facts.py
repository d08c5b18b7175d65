"""Facts: what the checks read of one allocation, in one small tuple.

A register of 100,000 files cannot keep 100,000 parsed documents and pydantic
models in memory, nor afford to build them again from the check cache on every
run. Each file that passed the schema stage is kept as its Facts (a fraction
of the memory); its document and model are read again only for the few files
a finding points at (register.Entry).

Many facts travel as columns (portcheck.model.columns), to the check cache and
back from the worker processes that judge a large register.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import NamedTuple

from portcheck.load.modeline import Modeline
from portcheck.model import (
    Allocation,
    PortSpan,
    Protocol,
    Status,
)

Day = dt.date | None


class Facts(NamedTuple):
    """The fields the checks read, named as on Allocation, so the date rules and the
    collision sweep take either (the service name, description, contact and links
    are read by no check: Entry.allocation has them)."""

    span: PortSpan
    protocols: tuple[Protocol, ...]
    scopes: tuple[str, ...]
    owner: str
    status: Status
    allocated: dt.date
    review_by: Day
    expires: Day
    retired_on: Day
    depends_on: tuple[str, ...]
    modeline: Modeline | None

    @classmethod
    def of(cls, allocation: Allocation, modeline: Modeline | None) -> Facts:
        return cls(
            allocation.span,
            allocation.protocols,
            allocation.scopes,
            allocation.owner,
            allocation.status,
            allocation.allocated,
            allocation.review_by,
            allocation.expires,
            allocation.retired_on,
            tuple(allocation.depends_on),
            modeline,
        )


#: Facts from a sequence of its fields, made in C (NamedTuple._make is a Python call
#: per file, and a register is read 100,000 files at a time).
facts_from = functools.partial(tuple.__new__, Facts)


def consistent(facts: Facts) -> bool:
    """The schema stage's rules on status and dates (portcheck.model.consistency)."""
    if (facts.retired_on is not None) != (facts.status == "retired"):
        return False
    if facts.status == "reserved" and facts.expires is None:
        return False
    later = (facts.review_by, facts.expires, facts.retired_on)
    return all(day is None or day >= facts.allocated for day in later)


def facts_model(facts: Facts, service: str) -> Allocation:
    """An Allocation of ``facts`` alone, for a file that changed under a run (its
    other fields are empty): built, not validated, since the facts already were."""
    span = facts.span
    return Allocation.model_construct(
        service=service,
        port=span.start if span.size == 1 else f"{span.start}-{span.end}",
        protocol=facts.protocols[0] if len(facts.protocols) == 1 else list(facts.protocols),
        scope=facts.scopes[0] if len(facts.scopes) == 1 else list(facts.scopes),
        owner=facts.owner,
        contact=None,
        description="",
        status=facts.status,
        allocated=facts.allocated,
        review_by=facts.review_by,
        expires=facts.expires,
        retired_on=facts.retired_on,
        depends_on=list(facts.depends_on),
        links=[],
    )
