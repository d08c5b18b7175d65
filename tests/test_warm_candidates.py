"""candidates() of the checks on large ledgers and on rows the cache vouched for: the
common case (nothing to report) answered without a pass over the rows, and the
rare row that does break a rule still found among thousands."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from portcheck.checks import dependencies
from portcheck.engine import check_register
from portcheck.ledger import Ledger
from portcheck.model import PortSpan
from portcheck.model.columns import FactTable
from portcheck.model.facts import Facts
from portcheck.register import Register, build_register, read_policy

from .conftest import AS_OF, allocation, git, located, new_repo


def _facts(number: int, **fields: object) -> Facts:
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


def _large(root: Path, rows: list[Facts]) -> tuple[Register, Ledger]:
    """A register of ``len(rows)`` ids (svc-0, svc-1, ...) and a ledger of ``rows``."""
    register = build_register(root, read_policy(root, None), AS_OF)[0]
    paths = [f"ports/svc-{n}.yaml" for n in range(len(rows))]
    ids = {f"svc-{n}": (path,) for n, path in enumerate(paths)}
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
