"""`consistent(data)` is `not any(consistency_problems(data))`, answered faster: a
recalled cache verdict asks it of every file on a pull request's run."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from portcheck.model.consistency import _plainly_consistent, consistency_problems, consistent

DATES = st.sampled_from(
    ["2024-01-31", "2024-02-29", "2023-02-29", "2024-13-01", "2025-06-01", "2024-1-01", "x"]
)
SCALARS = st.one_of(st.sampled_from(["tcp", "udp", "a", ""]), st.integers(0, 3), st.booleans())
FIELDS = {
    "port": st.one_of(
        st.integers(0, 70000), st.sampled_from(["10-20", "20-10", "0-5", "5-70000", "7", "a-b"])
    ),
    "status": st.sampled_from(["active", "reserved", "deprecated", "retired", "bogus", 1]),
    "allocated": st.one_of(DATES, st.integers()),
    "review_by": DATES,
    "expires": DATES,
    "retired_on": DATES,
    "protocol": st.one_of(SCALARS, st.lists(SCALARS, max_size=4)),
    "depends_on": st.lists(st.one_of(SCALARS, st.lists(SCALARS, max_size=2)), max_size=4),
}
DATA = st.fixed_dictionaries({}, optional=FIELDS)


@settings(max_examples=1500, deadline=None)
@given(DATA)
def test_consistent_agrees_with_the_rules(data: dict[str, object]) -> None:
    problems = list(consistency_problems(data))
    assert consistent(data) == (not problems)
    if problems:  # the quick pass never vouches for data a rule objects to
        assert not _plainly_consistent(data)


def test_the_quick_pass_vouches_for_an_ordinary_allocation() -> None:
    data: dict[str, object] = {
        "port": "8080-8090",
        "protocol": ["tcp", "udp"],
        "status": "reserved",
        "allocated": "2026-01-01",
        "review_by": "2027-01-01",
        "expires": "2026-06-01",
        "depends_on": ["a", "b"],
    }
    assert _plainly_consistent(data)
    assert not _plainly_consistent({**data, "expires": "2025-12-31"})
    assert not _plainly_consistent({**data, "depends_on": ["a", "a"]})
    assert not consistent({**data, "depends_on": ["a", "a"]})
