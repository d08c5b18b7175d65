"""check's output control: --select, --ignore, --statistics, --quiet; rule by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import allocation, cli, write_register

FILES = {
    "ports/a.yaml": allocation(service="a", port=8080),
    "ports/b.yaml": allocation(service="b", port=8080),
    "ports/c.yaml": allocation(service="c", port=9000, depends_on="[gone]"),
    "ports/d.yaml": allocation(service="d", port=9001, allocated="2024-01-01"),
}
ALL = [
    "ports/a.yaml:2:7: PC400",
    "ports/b.yaml:2:7: PC400",
    "ports/c.yaml:7:14: PC402",
    "ports/d.yaml:6:12: PC600",
]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_register(tmp_path, FILES)


def check(root: Path, *args: str) -> tuple[int, list[str], str]:
    code, out, err = cli("check", "--root", str(root), "--as-of", "2026-11-27", *args)
    return code, [" ".join(line.split()[:2]) for line in out.splitlines()], err


def test_everything_is_shown_by_default(root: Path) -> None:
    assert check(root)[:2] == (1, ALL)


@pytest.mark.parametrize(
    ("args", "code", "shown"),
    [
        pytest.param(["--select", "PC400"], 1, ALL[:2], id="select-code"),
        pytest.param(["--select", "dangling-dependency"], 1, ALL[2:3], id="select-name"),
        pytest.param(["--select", "pc6"], 0, ALL[3:], id="select-prefix-warning-only"),
        pytest.param(["--select", "PC4", "--ignore", "PC400"], 1, ALL[2:3], id="select-ignore"),
        pytest.param(["--ignore", "PC400", "--ignore", "PC402"], 0, ALL[3:], id="ignore-twice"),
        pytest.param(["--ignore", "PC4", "--ignore", "PC6"], 0, [], id="ignore-all"),
    ],
)  # fmt: skip
def test_select_and_ignore_filter_what_is_shown_and_the_exit_code(
    root: Path, args: list[str], code: int, shown: list[str]
) -> None:
    assert check(root, *args)[:2] == (code, shown)


@pytest.mark.parametrize(
    "args", [["--select", "PC999"], ["--ignore", "no-such-rule"], ["--select", "P"]]
)
def test_unknown_rule_is_a_usage_error(root: Path, args: list[str]) -> None:
    code, out, err = check(root, *args)
    assert (code, out, len(err.splitlines())) == (2, [], 1)


def test_statistics_counts_per_rule(root: Path) -> None:
    code, out, err = cli("check", "--root", str(root), "--as-of", "2026-11-27", "--statistics")
    assert code == 1
    assert out == (
        "    2  PC400  port-collision  error\n"
        "    1  PC402  dangling-dependency  error\n"
        "    1  PC600  review-overdue  warning\n"
    )
    assert err == "Found 3 errors and 1 warning in 4 files.\n"


def test_statistics_is_text_only(root: Path) -> None:
    assert check(root, "--statistics", "--format", "json")[0] == 2


def test_quiet_drops_the_summary_line(root: Path) -> None:
    code, out, err = check(root, "--quiet")
    assert (code, out, err) == (1, ALL, "")


@pytest.mark.parametrize("name", ["PC400", "pc400", "port-collision", "PORT-COLLISION"])
def test_rule_by_code_or_name(name: str) -> None:
    code, out, _ = cli("rule", name)
    assert code == 0
    assert out.startswith("# PC400 port-collision (error)\n")
