"""Dates and environment values are taken exactly as documented, or refused in one line."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import allocation, cli, console_script, write_register

NOT_DATES = ["20261201", "2026-W49-1", "2026-12-1", "2026-12-01T00:00", "2026-02-30", "²026-12-01"]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_register(tmp_path, {"ports/svc.yaml": allocation()})


@pytest.mark.parametrize("value", NOT_DATES)
@pytest.mark.parametrize(
    "command",
    [
        ["check", "--as-of"],
        ["stale", "--as-of"],
        ["reclaim", "--as-of"],
        ["free", "--as-of"],
        ["claim", "new", "--protocol", "tcp", "--owner", "@a", "--description", "d", "--as-of"],
        ["renew", "svc", "--until"],
        ["retire", "svc", "--on"],
    ],
)
def test_dates_are_exactly_yyyy_mm_dd(root: Path, command: list[str], value: str) -> None:
    before = (root / "ports/svc.yaml").read_bytes()
    code, out, err = cli(*command, value, "--root", str(root))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "YYYY-MM-DD" in err
    assert (root / "ports/svc.yaml").read_bytes() == before


@pytest.mark.parametrize("epoch", ["99999999999999999999", "253402300800", "²", "-1e9", "x"])
def test_a_malformed_source_date_epoch_is_one_line(root: Path, epoch: str) -> None:
    done = subprocess.run(
        [console_script(), "check", "--root", str(root), "--format", "junit"],
        capture_output=True,
        text=True,
        env={"SOURCE_DATE_EPOCH": epoch, "PATH": ""},
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("portcheck: error: SOURCE_DATE_EPOCH=")
    assert done.stderr.count("\n") == 1


def test_source_date_epoch_sets_the_junit_timestamp(root: Path) -> None:
    done = subprocess.run(
        [console_script(), "check", "--root", str(root), "--format", "junit"],
        capture_output=True,
        text=True,
        env={"SOURCE_DATE_EPOCH": "1700000000", "PATH": ""},
        check=False,
    )
    assert 'timestamp="2023-11-14T22:13:20"' in done.stdout
