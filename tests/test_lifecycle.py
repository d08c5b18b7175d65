"""PC600 review-overdue, PC601 expired, PC602 reclaimable, on dates at the boundary.

The check date is conftest's AS_OF, 2026-11-27. In allocation() files
``allocated`` is line 6, and extra fields follow from line 7 in keyword order.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portcheck.checks import lifecycle
from portcheck.ledger import Ledger
from portcheck.model import Allocation, Policy, PortSpan, Status
from portcheck.model.columns import FactTable
from portcheck.model.dates import expired, reclaimable, reclaimable_on, review_due, review_overdue
from portcheck.model.facts import Facts
from tests.conftest import POLICY, allocation, located, run, write_register

A = "ports/a.yaml"
DEFAULT_POLICY = Policy(protocols=["tcp"], ranges={"tcp": ["1024-2047"]}, platform="@acme/p")


def lifecycle_findings(root: Path) -> list[tuple[str, int, int, str]]:
    findings = run(root)
    assert [f for f in findings if f.code < "PC300"] == []  # fixtures load cleanly
    return located(f for f in findings if f.code in {r.code for r in lifecycle.RULES})


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param({"allocated": "2025-11-27"}, [], id="default-due-today"),
        pytest.param(
            {"allocated": "2025-11-26"}, [(A, 6, 12, "PC600")], id="default-due-yesterday"
        ),
        pytest.param({"review_by": "2026-11-27"}, [], id="review-by-today"),
        pytest.param({"review_by": "2026-11-26"}, [(A, 7, 12, "PC600")], id="review-by-yesterday"),
        pytest.param(
            {"allocated": "2020-01-01", "review_by": "2027-01-01"}, [], id="review-by-overrides"
        ),
        pytest.param(
            {"allocated": "2020-01-01", "status": "deprecated"},
            [(A, 6, 12, "PC600")],
            id="deprecated-is-reviewed",
        ),
        pytest.param(
            {"allocated": "2020-01-01", "status": "retired", "retired_on": "2026-11-01"},
            [],
            id="retired-is-not-reviewed",
        ),
        pytest.param({"allocated": "9999-12-31"}, [], id="far-future-does-not-overflow"),
    ],
)
def test_review_overdue(tmp_path: Path, fields: dict[str, object], expected: list[object]) -> None:
    root = write_register(tmp_path, {A: allocation(**fields)})
    assert lifecycle_findings(root) == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param({"status": "reserved", "expires": "2026-11-27"}, [], id="expires-today"),
        pytest.param(
            {"status": "reserved", "expires": "2026-11-26"},
            [(A, 8, 10, "PC601")],
            id="expired-yesterday",
        ),
        pytest.param({"expires": "2026-11-26"}, [(A, 7, 10, "PC601")], id="active-expired"),
        pytest.param(
            {"status": "retired", "retired_on": "2026-11-01", "expires": "2026-06-01"},
            [],
            id="retired-does-not-expire",
        ),
    ],
)
def test_expired(tmp_path: Path, fields: dict[str, object], expected: list[object]) -> None:
    root = write_register(tmp_path, {A: allocation(**fields)})
    assert lifecycle_findings(root) == expected


@pytest.mark.parametrize(
    ("retired_on", "quarantine_days", "expected"),
    [
        pytest.param("2026-08-29", 90, [(A, 8, 13, "PC602")], id="quarantine-ends-today"),
        pytest.param("2026-08-30", 90, [], id="quarantine-ends-tomorrow"),
        pytest.param("2026-11-27", 0, [(A, 8, 13, "PC602")], id="no-quarantine"),
        pytest.param("2026-11-28", 0, [], id="retires-tomorrow"),
    ],
)
def test_reclaimable(
    tmp_path: Path, retired_on: str, quarantine_days: int, expected: list[object]
) -> None:
    policy = POLICY.replace("quarantine_days: 90", f"quarantine_days: {quarantine_days}")
    root = write_register(
        tmp_path, {A: allocation(status="retired", retired_on=retired_on)}, policy=policy
    )
    assert lifecycle_findings(root) == expected


def test_review_days_come_from_policy(tmp_path: Path) -> None:
    policy = POLICY.replace("review_days: 365", "review_days: 30")
    root = write_register(tmp_path, {A: allocation(allocated="2026-10-28")}, policy=policy)
    assert lifecycle_findings(root) == []
    root = write_register(tmp_path, {A: allocation(allocated="2026-10-27")}, policy=policy)
    assert lifecycle_findings(root) == [(A, 6, 12, "PC600")]


def model(**fields: object) -> Allocation:
    base: dict[str, object] = {
        "service": "svc",
        "port": 1024,
        "protocol": "tcp",
        "owner": "@acme/team",
        "description": "x",
        "allocated": "2026-03-14",
    }
    return Allocation.model_validate({**base, **fields})


@pytest.mark.parametrize(
    ("fields", "due"),
    [
        ({}, dt.date(2027, 3, 14)),
        ({"review_by": "2026-04-01"}, dt.date(2026, 4, 1)),
        ({"allocated": "9999-12-31"}, dt.date.max),
    ],
)
def test_review_due(fields: dict[str, object], due: dt.date) -> None:
    assert review_due(model(**fields), DEFAULT_POLICY) == due


@pytest.mark.parametrize(
    ("fields", "day"),
    [
        ({}, None),
        ({"status": "retired", "retired_on": "2026-04-01"}, dt.date(2026, 6, 30)),
        ({"status": "retired", "retired_on": "9999-12-01"}, dt.date.max),
    ],
)
def test_reclaimable_on(fields: dict[str, object], day: dt.date | None) -> None:
    assert reclaimable_on(model(**fields), DEFAULT_POLICY) == day


_DAYS = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))


@settings(max_examples=800, deadline=None)
@given(
    st.sampled_from(["reserved", "active", "deprecated", "retired"]),
    _DAYS,
    st.none() | _DAYS,
    st.none() | _DAYS,
    st.none() | _DAYS,
    _DAYS,
    st.integers(1, 3650),
    st.integers(0, 3650),
)
def test_the_quiet_fast_path_skips_only_what_no_rule_reports(
    status: Status,
    allocated: dt.date,
    review_by: dt.date | None,
    expires: dt.date | None,
    retired_on: dt.date | None,
    today: dt.date,
    review_days: int,
    quarantine_days: int,
) -> None:
    policy = Policy.model_validate(
        {
            "protocols": ["tcp"],
            "ranges": {"tcp": ["1024-2048"]},
            "review_days": review_days,
            "quarantine_days": quarantine_days,
            "platform": "@acme/platform",
        }
    )
    span = PortSpan(1024, 1024)
    facts = Facts(
        span,
        ("tcp",),
        ("global",),
        "@a",
        status,
        allocated,
        review_by,
        expires,
        retired_on,
        (),
        None,
    )
    said = (
        review_overdue(facts, policy, today)
        or expired(facts, today)
        or reclaimable(facts, policy, today)
    )
    quiet = lifecycle._Quiet(policy, today)
    if quiet(facts):
        assert not said
    # A warm run asks the same of the cache's columns, on day numbers.
    one_row = Ledger(Path("."), ["ports/a.yaml"], FactTable.of([facts]))
    assert quiet.loud_rows(one_row) == ([] if quiet(facts) else [0])
