"""`portcheck reclaim`: deletes exactly the PC602 files, --as-of decides which."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import allocation, cli, run, write_register

RETIRED = {"status": "retired"}
FILES = {
    "ports/active.yaml": allocation(service="active", port=8001, allocated="2020-01-01"),
    "ports/reserved.yaml": allocation(
        service="reserved", port=8002, status="reserved", expires="2026-04-01"
    ),
    "ports/deprecated.yaml": allocation(service="deprecated", port=8003, status="deprecated"),
    # quarantine_days 90: reclaimable from 2026-10-30, 2026-12-30 and 2027-02-28
    "ports/a/early.yaml": allocation(
        service="early", port=8004, retired_on="2026-08-01", **RETIRED
    ),
    "ports/late.yaml": allocation(service="late", port=8005, retired_on="2026-10-01", **RETIRED),
    "ports/z/later.yaml": allocation(
        service="later", port=8006, retired_on="2026-11-30", **RETIRED
    ),
}


def files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / "ports").rglob("*.yaml"))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_register(tmp_path, FILES)


@pytest.mark.parametrize(
    ("as_of", "removed"),
    [
        ("2026-10-29", []),
        ("2026-10-30", ["ports/a/early.yaml"]),
        ("2026-12-30", ["ports/a/early.yaml", "ports/late.yaml"]),
        ("2027-02-28", ["ports/a/early.yaml", "ports/late.yaml", "ports/z/later.yaml"]),
    ],
)
def test_reclaim_removes_exactly_the_reclaimable(
    root: Path, as_of: str, removed: list[str]
) -> None:
    before = files(root)
    code, out, err = cli("reclaim", "--as-of", as_of, "--root", str(root))
    assert (code, [line.split()[1] for line in out.splitlines()]) == (0, removed)
    assert files(root) == [path for path in before if path not in removed]
    assert [f for f in run(root, dt.date.fromisoformat(as_of)) if f.code == "PC602"] == []
    assert err == ("" if removed else f"Nothing to reclaim as of {as_of}.\n")


def test_reclaim_prints_what_it_removed(root: Path) -> None:
    code, out, _ = cli("reclaim", "--as-of", "2026-10-30", "--root", str(root))
    assert (code, out) == (
        0,
        "removed ports/a/early.yaml (retired on 2026-08-01, reclaimable 2026-10-30)\n",
    )


def test_dry_run_removes_nothing(root: Path) -> None:
    code, out, _ = cli("reclaim", "--dry-run", "--as-of", "2026-12-30", "--root", str(root))
    assert (code, out.splitlines()) == (
        0,
        [
            "would remove ports/a/early.yaml (retired on 2026-08-01, reclaimable 2026-10-30)",
            "would remove ports/late.yaml (retired on 2026-10-01, reclaimable 2026-12-30)",
        ],
    )
    assert files(root) == sorted(FILES)


def test_reclaim_warns_about_dependents_left_dangling(tmp_path: Path) -> None:
    client = allocation(service="client", port=8009, depends_on="[early]")
    root = write_register(tmp_path, {**FILES, "ports/client.yaml": client})
    code, _, err = cli("reclaim", "--as-of", "2026-10-30", "--root", str(root))
    assert (code, err) == (
        0,
        "portcheck: warning: early was still depended on by client: edit their depends_on\n",
    )
