"""Fact columns packed into bytes (model.packing): read back exactly as written, and the
bulk checks that replace a check per value hold to the per-value rules."""

from __future__ import annotations

import datetime as dt
import re
from array import array
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.generate import generate
from portcheck.load import ID_MAX, ID_PATTERN
from portcheck.model import PortSpan
from portcheck.model.columns import ALL, DATES, U32, FactTable
from portcheck.model.consistency import STATUSES
from portcheck.model.facts import Facts, consistent
from portcheck.model.packing import Unpacker, _consistent, _ids, pack
from portcheck.register import build_register, read_policy

from .conftest import AS_OF


def register_facts(tmp_path: Path) -> list[Facts]:
    generate(tmp_path, files=300, seed=4)
    register, _ = build_register(tmp_path, read_policy(tmp_path, None), AS_OF)
    return [entry.facts for entry in register.entries]


def test_a_packed_table_reads_back_as_written(tmp_path: Path) -> None:
    facts = register_facts(tmp_path)
    assert any(one.depends_on for one in facts)
    assert any(one.modeline for one in facts)
    assert {one.status for one in facts} >= {"active", "reserved", "retired"}
    for share in (True, False):
        table = Unpacker(share=share).table(pack(FactTable.of(facts)), len(facts))
        assert table is not None
        assert table.all_facts() == facts


def test_an_empty_table_reads_back_empty() -> None:
    table = Unpacker().table(pack(FactTable.of([])), 0)
    assert table is not None
    assert table.all_facts() == []


def test_a_patched_table_holds_the_rows_put_and_not_those_removed(tmp_path: Path) -> None:
    facts = register_facts(tmp_path)
    stored = FactTable.of(facts[:200])
    put = [(3, facts[250]), (150, facts[251])]
    removed = [0, 7, 199, 198]
    table = stored.patched(put, removed)
    table.extend(facts[260:263])
    expected = [*facts[:200], *facts[260:263]]
    expected[3], expected[150] = facts[250], facts[251]
    kept = [one for row, one in enumerate(expected) if row not in removed]
    assert sorted(map(repr, table.all_facts())) == sorted(map(repr, kept))
    assert stored.all_facts() == facts[:200]  # the original is left as it was
    unpacked = Unpacker().table(pack(table), len(table))
    assert unpacked is not None
    assert unpacked.all_facts() == table.all_facts()


_ID = re.compile(ID_PATTERN)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text("ab9-_A\0é", min_size=0, max_size=8) | st.just("a" * 64), min_size=1))
def test_ids_checked_in_bulk_are_the_ids_the_schema_takes(ids: list[str]) -> None:
    if any("\0" in one for one in ids):
        return  # never joined: an id cannot hold NUL
    expected = all(_ID.fullmatch(one) and len(one) <= ID_MAX for one in ids)
    try:
        joined = "\0".join(ids).encode("ascii")
    except UnicodeEncodeError:
        assert not expected
        return
    assert _ids(joined, ids) == bool(expected)


_DAY = st.sampled_from([0, 700_000, 700_001, 700_002])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(STATUSES)), _DAY, _DAY, _DAY, _DAY), max_size=6))
def test_consistency_checked_in_bulk_is_consistency_row_by_row(
    rows: list[tuple[str, int, int, int, int]],
) -> None:
    statuses = sorted(STATUSES)
    columns = {name: array(U32) for name in ALL}
    for status, *days in rows:
        columns["status"].append(statuses.index(status))
        for name, day in zip(DATES, days, strict=True):
            columns[name].append(max(day, 1) if name == "allocated" else day)
    one_by_one = all(
        consistent(_facts(statuses[columns["status"][row]], [columns[n][row] for n in DATES]))
        for row in range(len(rows))
    )
    assert _consistent(columns, list(statuses)) == one_by_one


def _facts(status: str, days: list[int]) -> Facts:
    dates = [dt.date.fromordinal(day) if day else None for day in days]
    allocated = dates[0]
    assert allocated is not None
    return Facts(
        PortSpan(8080, 8080),
        ("tcp",),
        ("global",),
        "@acme/team",
        status,  # type: ignore[arg-type]
        allocated,
        dates[1],
        dates[2],
        dates[3],
        (),
        None,
    )
