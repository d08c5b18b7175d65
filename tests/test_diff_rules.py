"""`check --base REF`: PC700-PC702 and old findings as warnings, on real git repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from portcheck.checks import base_register
from portcheck.finding import Severity

from .conftest import (
    GIT_CODEOWNERS,
    GIT_ENV,
    POLICY,
    allocation,
    cli,
    commit_all,
    console_script,
    edit,
    git,
    located,
    new_repo,
    on_branch,
    run,
    write_register,
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main: one active allocation, ports/a.yaml, tcp/8080 in global."""
    return new_repo(tmp_path / "register", {"ports/a.yaml": allocation(service="a")})


def check(root: Path, *args: str, as_of: str = "2026-11-27") -> tuple[int, str, str]:
    return cli("check", "--root", str(root), "--as-of", as_of, *args)


# PC700 renumbered ------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"port": 8081}, [("ports/a.yaml", 2, 7, "PC700")]),
        ({"protocol": "udp"}, [("ports/a.yaml", 3, 11, "PC700")]),
        ({"port": 8081, "protocol": "udp"}, [("ports/a.yaml", 3, 11, "PC700")]),
        ({"port": '"8079-8080"', "protocol": "[tcp, udp]"}, []),  # growing releases nothing
        ({"description": "Renamed", "scope": "prod"}, [("ports/a.yaml", 7, 8, "PC700")]),
        ({"protocol": "[tcp]", "scope": "[global, prod]"}, []),
    ],
)
def test_renumbered(repo: Path, changes: dict[str, object], expected: list[object]) -> None:
    on_branch(repo, "feature", {"ports/a.yaml": allocation(service="a", **changes)})
    assert located(run(repo, base="main")) == expected


@pytest.mark.parametrize("named_max", [0, 500])
def test_the_base_files_are_listed_by_name_or_all_alike(
    repo: Path, monkeypatch: pytest.MonkeyPatch, named_max: int
) -> None:
    """A few touched files are listed by name from the base; many, with the whole
    listing: the same findings, including a file in a folder named like a glob."""
    monkeypatch.setattr(base_register, "_NAMED_MAX", named_max)
    edit(repo, {"ports/[ab]*/b.yaml": allocation(service="b", port=9090)})
    commit_all(repo, "a file whose name is a glob")
    edit(repo, {"ports/a.yaml": allocation(service="a", port=8081), "ports/[ab]*/b.yaml": None})
    found = located(run(repo, base="HEAD"))
    assert ("ports/a.yaml", 2, 7, "PC700") in found
    assert ("ports/[ab]*/b.yaml", 1, 1, "PC701") in found


def test_an_uncommitted_edit_counts(repo: Path) -> None:
    edit(repo, {"ports/a.yaml": allocation(service="a", port=8081)})
    assert located(run(repo, base="main")) == [("ports/a.yaml", 2, 7, "PC700")]
    assert located(run(repo, base="HEAD")) == [("ports/a.yaml", 2, 7, "PC700")]


def test_a_move_is_not_a_release_but_a_renumbering_still_counts(repo: Path) -> None:
    on_branch(repo, "move", {"ports/a.yaml": None, "ports/team/a.yaml": allocation(service="a")})
    assert located(run(repo, base="main")) == []
    edit(repo, {"ports/team/a.yaml": allocation(service="a", port=8081)})
    assert located(run(repo, base="main")) == [("ports/team/a.yaml", 2, 7, "PC700")]


def test_a_broken_edit_gets_its_own_finding_only(repo: Path) -> None:
    on_branch(repo, "broken", {"ports/a.yaml": allocation(service="a", port="eighty")})
    assert [f.code for f in run(repo, base="main")] == ["PC200"]


# PC701 released-without-retiring ----------------------------------------------

RESERVED = {"status": "reserved", "expires": "2027-01-01"}
RETIRED_LONG_AGO = {"allocated": "2025-01-01", "status": "retired", "retired_on": "2026-01-01"}
RETIRED_LATELY = {"allocated": "2025-01-01", "status": "retired", "retired_on": "2026-11-01"}


@pytest.mark.parametrize(
    ("fields", "released"),
    [
        ({}, True),
        ({"status": "active"}, True),
        ({"status": "deprecated"}, True),
        (RESERVED, True),
        (RETIRED_LATELY, True),  # quarantine until 2027-01-30
        (RETIRED_LONG_AGO, False),  # quarantine ended 2026-04-01
    ],
)
def test_released_without_retiring(tmp_path: Path, fields: dict[str, str], released: bool) -> None:
    root = new_repo(tmp_path, {"ports/old.yaml": allocation(service="old", **fields)})
    on_branch(root, "delete", {"ports/old.yaml": None})
    expected = [("ports/old.yaml", 1, 1, "PC701")] if released else []
    assert located(run(root, base="main")) == expected


def test_quarantine_is_judged_as_of_the_check_date(tmp_path: Path) -> None:
    root = new_repo(tmp_path, {"ports/old.yaml": allocation(service="old", **RETIRED_LATELY)})
    (root / "ports/old.yaml").unlink()  # not even committed: the working tree counts
    assert check(root, "--base", "main")[0] == 1
    code, out, _ = check(root, "--base", "main", as_of="2027-01-30")
    assert code == 0, out


def test_deleting_a_file_that_was_broken_frees_nothing(tmp_path: Path) -> None:
    root = new_repo(tmp_path, {"ports/bad.yaml": "service: [\n"})
    on_branch(root, "fix", {"ports/bad.yaml": None})
    assert located(run(root, base="main")) == []


# PC702 policy-and-allocations-together ------------------------------------------

WIDER = POLICY.replace('"61000-64999"', '"61000-64999", "40000-40999"')


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"schema/policy.yaml": WIDER, "ports/b.yaml": allocation(service="b", port=9000)}, True),
        ({"schema/policy.yaml": WIDER}, False),
        ({"ports/b.yaml": allocation(service="b", port=9000)}, False),
        ({"schema/notes.md": "why\n", "ports/README.md": "hello\n"}, True),
    ],
)
def test_policy_and_allocations_together(repo: Path, files: dict[str, str], expected: bool) -> None:
    on_branch(repo, "both", files)
    found = [f for f in run(repo, base="main") if f.code == "PC702"]
    assert located(found) == ([("schema/policy.yaml", 1, 1, "PC702")] if expected else [])


def test_an_untracked_allocation_is_part_of_the_change(repo: Path) -> None:
    edit(
        repo, {"schema/policy.yaml": WIDER, "ports/new.yaml": allocation(service="new", port=9000)}
    )
    assert git(repo, "status", "--porcelain", "--", "ports") == "?? ports/new.yaml\n"
    assert located(run(repo, base="main")) == [("schema/policy.yaml", 1, 1, "PC702")]


# Who a finding blocks ---------------------------------------------------------


@pytest.fixture
def old_problem(repo: Path) -> Path:
    """main already holds a bad allocation: ports/legacy.yaml on a reserved port."""
    git(repo, "checkout", "-q", "main")
    edit(repo, {"ports/legacy.yaml": allocation(service="legacy", port=5432)})
    commit_all(repo, "legacy")
    return repo


def test_an_old_problem_elsewhere_is_a_warning(old_problem: Path) -> None:
    on_branch(old_problem, "unrelated", {"ports/b.yaml": allocation(service="b", port=9000)})
    findings = run(old_problem, base="main")
    assert [(f.path, f.code, f.severity) for f in findings] == [
        ("ports/legacy.yaml", "PC301", Severity.WARNING)
    ]
    summary = old_problem.parent / "summary.md"
    code, out, _ = check(
        old_problem, "--base", "main", "--format", "github", "--summary", str(summary)
    )
    assert (code, out) == (0, "")  # listed in the step summary, not annotated on every PR
    assert "ports/legacy.yaml:2:7" in summary.read_text(encoding="utf-8")
    assert check(old_problem, "--base", "main", "--strict")[0] == 1
    assert check(old_problem)[0] == 1  # without --base every finding counts


def test_an_old_problem_stays_old_when_its_file_is_touched(old_problem: Path) -> None:
    """New versus old is decided by comparing findings, not touched files; the line
    moves (a comment above it), the subject does not."""
    touched = "# legacy, moving off 5432 next quarter\n" + allocation(
        service="legacy", port=5432, description="Touched"
    )
    on_branch(old_problem, "touch", {"ports/legacy.yaml": touched})
    findings = run(old_problem, base="main")
    assert [(f.path, f.line, f.code, f.severity) for f in findings] == [
        ("ports/legacy.yaml", 3, "PC301", Severity.WARNING)
    ]


def test_a_schema_change_does_not_make_old_problems_new(old_problem: Path) -> None:
    on_branch(old_problem, "policy", {"schema/policy.yaml": POLICY + "# reworded\n"})
    findings = run(old_problem, base="main")
    assert [(f.path, f.code, f.severity) for f in findings] == [
        ("ports/legacy.yaml", "PC301", Severity.WARNING)
    ]


def test_both_sides_of_a_collision_with_a_change_stay_errors(repo: Path) -> None:
    on_branch(repo, "collide", {"ports/b.yaml": allocation(service="b")})
    findings = run(repo, base="main")
    assert [(f.path, f.line, f.column, f.code, f.severity) for f in findings] == [
        ("ports/a.yaml", 2, 7, "PC400", Severity.ERROR),
        ("ports/b.yaml", 2, 7, "PC400", Severity.ERROR),
    ]


def test_the_race_two_claims_pass_alone_and_fail_merged(repo: Path) -> None:
    """Two pull requests claim the same free port; each is clean against main, and
    only checking the merged result (merge queue, or "up to date" branches) finds it."""
    on_branch(repo, "claim-x", {"ports/x.yaml": allocation(service="x", port=9000)})
    on_branch(repo, "claim-y", {"ports/y.yaml": allocation(service="y", port=9000)})
    for branch in ("claim-x", "claim-y"):
        git(repo, "checkout", "-q", branch)
        assert check(repo, "--base", "main") == (0, "", "All checks passed (2 files).\n")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge claim-x", "claim-x")
    git(repo, "checkout", "-q", "-b", "queue", "main")  # what the merge queue tests
    git(repo, "merge", "-q", "--no-ff", "-m", "merge claim-y", "claim-y")
    code, out, _ = check(repo, "--base", "main", "--format", "github")
    assert code == 1
    assert [line.split(",")[0] for line in out.splitlines()] == [
        "::error file=ports/x.yaml",
        "::error file=ports/y.yaml",
    ]


# Usage errors -------------------------------------------------------------------


def test_an_unknown_ref_is_a_usage_error(repo: Path) -> None:
    code, out, err = check(repo, "--base", "no-such-branch")
    assert (code, out) == (2, "")
    assert (
        err == f"portcheck: error: --base 'no-such-branch': no commit 'no-such-branch' in {repo}\n"
    )


def test_an_option_like_ref_is_not_an_option(repo: Path) -> None:
    code, _, err = check(repo, "--base=--output=/tmp/pwned")
    assert code == 2
    assert err.count("\n") == 1


def test_outside_a_git_repository_is_a_usage_error(tmp_path: Path) -> None:
    root = write_register(tmp_path, {"ports/a.yaml": allocation(service="a")})
    done = subprocess.run(
        [console_script(), "check", "--root", str(root), "--base", "main"],
        capture_output=True,
        text=True,
        check=False,
        env={**GIT_ENV, "GIT_CEILING_DIRECTORIES": str(tmp_path.parent)},
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith(
        "portcheck: error: --base 'main': git: fatal: not a git repository"
    )
    assert done.stderr.count("\n") == 1


def test_the_installed_script_reports_diff_findings(repo: Path) -> None:
    on_branch(repo, "feature", {"ports/a.yaml": None})
    done = subprocess.run(
        [console_script(), "check", "--base", "main", "--as-of", "2026-11-27", "--format", "json"],
        cwd=repo / "ports",
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert '"code": "PC701"' in done.stdout


# A trusted policy ------------------------------------------------------------------


def test_a_change_cannot_loosen_the_rules_that_judge_it(repo: Path, tmp_path: Path) -> None:
    """The head drops the reserved 5432 block, empties its allocation schema, and uses
    both; checked with the base's policy (a separate checkout, as CI does), neither
    loosening counts. The JSON Schemas are built into portcheck, so the files in the
    head's schema/ never judge anything."""
    loosened = POLICY.replace('  - {port: 5432, protocol: tcp, reason: "shared PostgreSQL"}\n', "")
    on_branch(
        repo,
        "loosen",
        {
            "schema/policy.yaml": loosened,
            "schema/allocation.schema.json": "{}\n",
            "ports/pg.yaml": allocation(service="pg", port=5432),
            "ports/nobody.yaml": allocation(service="nobody", port=9000, owner=None),
        },
    )
    base = tmp_path / "base"
    git(tmp_path, "clone", "-q", str(repo), str(base))
    git(base, "checkout", "-q", "--detach", "origin/main")
    expected = [
        ("ports/nobody.yaml", 1, 1, "PC200"),
        ("ports/pg.yaml", 2, 7, "PC301"),
        ("schema/policy.yaml", 1, 1, "PC702"),
    ]
    for policy in (base, base / "schema"):
        assert located(run(repo, base="main", policy_dir=policy)) == expected
    assert located(run(repo, base="main")) == [expected[0], expected[2]]  # its own policy


def test_a_register_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    """A monorepo: the register is one folder of a larger repository."""
    mono = tmp_path / "mono"
    files = {"ports/a.yaml": allocation(service="a")}
    root = write_register(
        mono / "register",
        files | {"ports/c.yaml": allocation(service="c", port=9100)},
        codeowners=None,
    )
    # GitHub reads CODEOWNERS at the top level only, with paths from there.
    edit(mono, {".github/CODEOWNERS": "* @acme/platform\n/register/ports/ @acme/team\n"})
    git(mono, "init", "-q", "-b", "main")
    commit_all(mono, "base")
    edit(root, {"ports/a.yaml": allocation(service="a", port=8081), "ports/c.yaml": None})
    edit(root, {"ports/b.yaml": allocation(service="b", port=9000)})  # untracked
    assert located(run(root, base="main")) == [
        ("ports/a.yaml", 2, 7, "PC700"),
        ("ports/c.yaml", 1, 1, "PC701"),
    ]


def test_a_codeowners_edit_does_not_make_old_ownership_problems_errors(tmp_path: Path) -> None:
    """Claims usually touch CODEOWNERS too (`portcheck codeowners --write`)."""
    wrong = GIT_CODEOWNERS + "/ports/other.yaml @acme/wrong\n"
    root = new_repo(tmp_path, {".github/CODEOWNERS": wrong, "ports/other.yaml": allocation()})
    on_branch(
        root,
        "claim",
        {
            ".github/CODEOWNERS": wrong + "/ports/b.yaml @acme/team\n",
            "ports/b.yaml": allocation(service="b", port=9000),
        },
    )
    findings = run(root, base="main")
    assert [(f.path, f.code, f.severity) for f in findings] == [
        ("ports/other.yaml", "PC501", Severity.WARNING)
    ]
