"""candidates() of the checks on large ledgers and on rows the cache vouched for: the
common case (nothing to report) answered without a pass over the rows, and the
rare row that does break a rule still found among thousands."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from portcheck.checks import dependencies, modelines, policy_ranges
from portcheck.checks.span_table import SpanTable
from portcheck.engine import check_register
from portcheck.ledger import Ledger
from portcheck.load.modeline import Modeline
from portcheck.model import PortSpan
from portcheck.model.columns import FactTable
from portcheck.model.facts import Facts
from portcheck.register import Register, build_register, read_policy

from .conftest import AS_OF, POLICY, allocation, git, located, new_repo, write_register


def _facts(number: int, **fields: Any) -> Facts:
    port = 20000 + number
    base = Facts(
        PortSpan(port, port),
        ("tcp",),
        ("global",),
        "@acme/team",
        "active",
        dt.date(2026, 3, 14),
        None,
        None,
        None,
        (),
        None,
    )
    return base._replace(**fields)


def _large(
    root: Path, rows: list[Facts], folders: list[str] | None = None
) -> tuple[Register, Ledger]:
    """A register of ``len(rows)`` ids (svc-0, svc-1, ...) and a ledger of ``rows``, in
    ``folders`` (one per row) or in ports/."""
    register = build_register(root, read_policy(root, None), AS_OF)[0]
    folders = folders or ["ports"] * len(rows)
    paths = [f"{folder}/svc-{n}.yaml" for n, folder in enumerate(folders)]
    ids: dict[str, tuple[str, ...]] = {f"svc-{n}": (path,) for n, path in enumerate(paths)}
    register = dataclasses.replace(register, ids=ids, entries=())
    return register, Ledger(root, paths, FactTable.of(rows))


def test_a_dangling_dependency_among_10000_rows_is_found(tmp_path: Path) -> None:
    new_repo(tmp_path, {"ports/svc-0.yaml": allocation()})
    rows = [_facts(n, depends_on=(f"svc-{n // 2}",)) for n in range(10_000)]
    register, ledger = _large(tmp_path, rows)
    assert dependencies.candidates(register, ledger) == []
    rows[6789] = rows[6789]._replace(depends_on=("svc-1", "gone", "svc-2"))
    rows[9999] = rows[9999]._replace(depends_on=("gone",))
    register, ledger = _large(tmp_path, rows)
    assert dependencies.candidates(register, ledger) == [6789, 9999]


def test_a_deleted_file_leaves_an_unchanged_dependent_dangling(tmp_path: Path) -> None:
    """a.yaml's row comes from the cache; only b.yaml, which it names, is gone."""
    new_repo(
        tmp_path,
        {
            "ports/a.yaml": allocation(port=8001, depends_on="[b, c]"),
            "ports/b.yaml": allocation(port=8002),
            "ports/c.yaml": allocation(port=8003),
        },
    )
    cache = tmp_path / ".cache"
    assert check_register(tmp_path, as_of=AS_OF, cache_dir=cache).findings == []
    git(tmp_path, "rm", "-q", "ports/b.yaml")
    warm = check_register(tmp_path, as_of=AS_OF, cache_dir=cache).findings
    assert located(warm) == [("ports/a.yaml", 7, 14, "PC402")]
    assert warm == check_register(tmp_path, as_of=AS_OF).findings


def _passing_rows(register: Register, ledger: Ledger) -> list[int]:
    """The rule of the check itself (its per-file test), row by row."""
    passes = policy_ranges._Passes(register.policy)
    return [row for row in range(len(ledger)) if not passes(ledger.facts(row))]


def test_policy_candidates_among_10000_rows_are_the_rows_that_do_not_pass(
    tmp_path: Path,
) -> None:
    no_sctp = POLICY.replace("[tcp, udp, sctp]", "[tcp, udp]").replace(
        '  sctp: ["1024-29999"]\n', ""
    )
    write_register(tmp_path, {"ports/svc-0.yaml": allocation()}, policy=no_sctp)
    lists = [("tcp",), ("udp",), ("udp", "tcp")]
    rows = [
        _facts(n, span=PortSpan(2000 + n, 2000 + n + n % 3), protocols=lists[n % 3])
        for n in range(10_000)
    ]
    register, ledger = _large(tmp_path, rows)
    refused = policy_ranges.candidates(register, ledger)
    # 5432 is reserved for tcp alone: the udp files over it pass.
    assert refused == [3431, 3432] == _passing_rows(register, ledger)
    rows = [_facts(n, span=PortSpan(10_000 + n, 10_000 + n)) for n in range(10_000)]
    odd: dict[int, dict[str, Any]] = {
        100: {"span": PortSpan(29990, 30005), "protocols": ("udp",)},  # outside, not reserved
        200: {"span": PortSpan(1100, 1164)},  # 65 ports
        300: {"protocols": ("sctp",)},  # not accepted
        400: {"protocols": ("udp", "sctp")},
        500: {"scopes": ("global", "nowhere")},
        600: {"span": PortSpan(5432, 5432), "protocols": ("udp",)},  # passes
        700: {"span": PortSpan(1100, 1163)},  # 64 ports: passes
    }
    for row, fields in odd.items():
        rows[row] = rows[row]._replace(**fields)
    register, ledger = _large(tmp_path, rows)
    refused = policy_ranges.candidates(register, ledger)
    assert refused == [100, 200, 300, 400, 500] == _passing_rows(register, ledger)


def test_policy_candidates_of_spans_the_counting_cannot_take(tmp_path: Path) -> None:
    """A span that ends before it starts, or past the last port, asked one by one."""
    write_register(tmp_path, {"ports/svc-0.yaml": allocation()})
    rows = [_facts(n) for n in range(50)]
    rows[7] = rows[7]._replace(span=PortSpan(5433, 5431))
    rows[9] = rows[9]._replace(span=PortSpan(5431, 5433))
    rows[11] = rows[11]._replace(span=PortSpan(29999, 70000))
    register, ledger = _large(tmp_path, rows)
    assert SpanTable(ledger.distinct("span")).plain is False  # type: ignore[arg-type]
    assert policy_ranges.candidates(register, ledger) == [9, 11] == _passing_rows(register, ledger)


_PORTS = st.integers(0, 65535)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(_PORTS, st.integers(0, 70)), min_size=1, max_size=20),
    st.lists(st.tuples(_PORTS, st.integers(0, 300)), max_size=8),
    st.integers(1, 100),
)
def test_the_span_table_refuses_what_the_bytes_of_each_port_refuse(
    spans: list[tuple[int, int]], opened: list[tuple[int, int]], most: int
) -> None:
    ports = bytearray(65536)
    for start, size in opened:
        ports[start : start + size] = b"\x01" * len(ports[start : start + size])
    table = SpanTable([PortSpan(start, min(start + size, 65535)) for start, size in spans])
    assert table.plain
    spans = list(zip(table.starts, table.ends, strict=True))
    closed = {n for n, (start, end) in enumerate(spans) if ports.find(0, start, end + 1) >= 0}
    assert table.meeting(ports) == closed
    assert table.wider_than(most) == {n for n, (s, e) in enumerate(spans) if e - s >= most}


def test_modeline_candidates_pair_folders_and_modelines_only_as_rows_do(tmp_path: Path) -> None:
    """Of every folder with every modeline, the pairs no row holds are no candidates."""
    write_register(tmp_path, {"ports/svc-0.yaml": allocation()})
    two_up, three_up = (
        Modeline(1, 33, f"{up}schema/allocation.schema.json") for up in ("../../", "../../../")
    )
    folders = [f"ports/team-{n % 20}" for n in range(10_000)]
    rows = [_facts(n, modeline=two_up) for n in range(10_000)]
    for n in range(0, 10_000, 500):
        folders[n] = "ports/a/b"
        rows[n] = rows[n]._replace(modeline=three_up)
    rows[7] = rows[7]._replace(modeline=None)
    register, ledger = _large(tmp_path, rows, folders)
    assert modelines.candidates(register, ledger) == []
    rows[4321] = rows[4321]._replace(modeline=three_up)  # in ports/team-1
    folders[6789] = "ports/a/b"  # with two_up
    register, ledger = _large(tmp_path, rows, folders)
    assert modelines.candidates(register, ledger) == [4321, 6789]
