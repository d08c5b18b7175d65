"""The gate's details on real git repositories: policies, old versus new findings,
releases by coverage, renames, backdating, exceptions, ignored files, PATH filters."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from portcheck.checks.release import released
from portcheck.finding import Severity
from portcheck.model import Allocation

from .conftest import (
    AS_OF,
    GIT_CODEOWNERS,
    POLICY,
    allocation,
    cli,
    commit_all,
    edit,
    git,
    located,
    new_repo,
    on_branch,
    run,
    write_register,
)

LATER = {"review_by": "2099-01-01"}


def alloc(**fields: object) -> str:
    return allocation(**{**LATER, **fields})


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return new_repo(
        tmp_path / "repo",
        {
            "ports/a.yaml": alloc(service="a"),
            "ports/idp.yaml": alloc(service="idp", port=8443, scope="prod"),
        },
    )


def base_checkout(repo: Path, tmp_path: Path) -> Path:
    """A separate checkout of main, as the workflow's trusted base."""
    base = tmp_path / "base"
    git(tmp_path, "clone", "-q", str(repo), str(base))
    git(base, "checkout", "-q", "--detach", "origin/main")
    return base


def check(root: Path, *args: str) -> tuple[int, str, str]:
    return cli("check", "--root", str(root), "--as-of", AS_OF.isoformat(), *args)


# The head's own policy ----------------------------------------------------------

BROKEN = POLICY.replace("review_days: 365", 'review_days: "a year"')


def test_a_policy_the_change_broke_is_a_located_error_not_a_usage_error(repo: Path) -> None:
    on_branch(repo, "break", {"schema/policy.yaml": BROKEN})
    code, _, err = check(repo, "--base", "main")
    assert code == 1, err
    assert located(run(repo, base="main")) == [("schema/policy.yaml", 12, 14, "PC200")]
    assert check(repo)[0] == 2  # main after the merge: a usage error, hence the gate


def test_a_broken_base_policy_falls_back_to_the_head_policy_with_a_note(
    repo: Path, tmp_path: Path
) -> None:
    git(repo, "checkout", "-q", "main")
    edit(repo, {"schema/policy.yaml": BROKEN})
    commit_all(repo, "broken")
    on_branch(repo, "repair", {"schema/policy.yaml": POLICY})
    base = base_checkout(repo, tmp_path)
    code, out, err = check(repo, "--base", "main", "--policy", str(base), "--format", "github")
    assert code == 0, err
    assert out.startswith("::warning title=portcheck::the trusted policy cannot be read (")
    assert "judged by the change's own schema/policy.yaml instead" in err
    assert check(repo, "--policy", str(base))[0] == 2  # without --base: no fallback


def test_without_policy_a_broken_head_falls_back_to_the_base_commit(repo: Path) -> None:
    on_branch(repo, "break", {"schema/policy.yaml": BROKEN})
    code, _, err = check(repo, "--base", "main")
    assert code == 1
    assert "judged by the base's schema/policy.yaml instead" in err


def test_a_tightened_head_policy_judges_old_files_as_main_will(repo: Path, tmp_path: Path) -> None:
    narrower = POLICY.replace('"1024-29999", "61000-64999"', '"1024-8442", "61000-64999"')
    on_branch(repo, "narrow", {"schema/policy.yaml": narrower})
    findings = run(repo, base="main", policy_dir=base_checkout(repo, tmp_path))
    assert [(f.path, f.code, f.severity) for f in findings] == [
        ("ports/idp.yaml", "PC300", Severity.ERROR)
    ]


# Old and new findings ------------------------------------------------------------


def test_a_collision_elsewhere_caused_by_the_change_is_an_error_on_both_sides(
    repo: Path,
) -> None:
    on_branch(repo, "claim", {"ports/b.yaml": alloc(service="b")})
    findings = run(repo, base="main")
    assert [(f.path, f.code, f.severity) for f in findings] == [
        ("ports/a.yaml", "PC400", Severity.ERROR),
        ("ports/b.yaml", "PC400", Severity.ERROR),
    ]


def test_an_old_collision_that_gains_a_party_is_new(tmp_path: Path) -> None:
    """The subject of a collision names the other files: a third claimant is news."""
    root = new_repo(
        tmp_path, {"ports/x.yaml": alloc(service="x"), "ports/y.yaml": alloc(service="y")}
    )
    on_branch(root, "third", {"ports/z.yaml": alloc(service="z")})
    findings = run(root, base="main")
    # One PC400 per file, naming every other holder: x's and y's findings now name z too.
    assert sorted((f.path, tuple(r.path for r in f.related), f.severity) for f in findings) == [
        ("ports/x.yaml", ("ports/y.yaml", "ports/z.yaml"), Severity.ERROR),
        ("ports/y.yaml", ("ports/x.yaml", "ports/z.yaml"), Severity.ERROR),
        ("ports/z.yaml", ("ports/x.yaml", "ports/y.yaml"), Severity.ERROR),
    ]


def test_old_findings_are_in_the_summary_only(repo: Path, tmp_path: Path) -> None:
    wrong = GIT_CODEOWNERS + "/ports/a.yaml @acme/wrong\n"
    git(repo, "checkout", "-q", "main")
    edit(repo, {".github/CODEOWNERS": wrong})
    commit_all(repo, "wrong owner")
    on_branch(repo, "claim", {"ports/b.yaml": alloc(service="b", port=9000)})
    summary = tmp_path / "summary.md"
    code, out, _ = check(repo, "--base", "main", "--format", "github", "--summary", str(summary))
    assert (code, out) == (0, "")
    assert "| PC501 | owner-mismatch | 0 | 1 |" in summary.read_text(encoding="utf-8")


# Releases by coverage ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"scope": "prod/us"}, [("ports/idp.yaml", 8, 8, "PC700")]),
        ({"scope": "[prod/eu, prod/us]"}, [("ports/idp.yaml", 8, 8, "PC700")]),
        ({"scope": "global"}, []),
        ({"scope": "[prod, staging]"}, []),
        ({"protocol": "[tcp, udp]"}, []),
        ({"port": '"8443-8444"'}, []),
        ({"port": '"8444-8445"'}, [("ports/idp.yaml", 2, 7, "PC700")]),
    ],
)
def test_narrowing_releases_and_growing_does_not(
    repo: Path, fields: dict[str, object], expected: list[object]
) -> None:
    idp = {"service": "idp", "port": 8443, "scope": "prod", **fields}
    on_branch(repo, "edit", {"ports/idp.yaml": alloc(**idp)})
    assert located(run(repo, base="main")) == expected


def test_released_names_what_stops_being_held() -> None:
    old = Allocation.model_validate(
        {**_fields(), "port": "8440-8449", "protocol": ["tcp", "udp"], "scope": "prod"}
    )
    new = Allocation.model_validate({**_fields(), "port": "8442-8449", "protocol": "tcp"})
    parts = [(str(part), part.field) for part in released(old, new)]
    assert parts == [("tcp/8440-8441 (prod)", "port"), ("udp/8440-8449 (prod)", "protocol")]


def _fields() -> dict[str, object]:
    return {
        "service": "s",
        "owner": "@acme/team",
        "description": "d",
        "allocated": "2026-01-01",
    }


def test_a_rename_keeping_the_ports_is_not_a_release(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "rename")
    git(repo, "mv", "ports/idp.yaml", "ports/idp-eu.yaml")
    code, out, err = check(repo, "--base", "main")
    assert (code, out) == (0, "")
    assert "ports/idp.yaml was renamed to ports/idp-eu.yaml" in err
    code, out, _ = check(repo, "--base", "main", "--format", "github")
    assert (code, out) == (
        0,
        "::notice title=portcheck::ports/idp.yaml was renamed to ports/idp-eu.yaml: "
        "the same ports, not a release\n",
    )


def test_a_rename_to_other_ports_is_a_release(repo: Path) -> None:
    on_branch(
        repo,
        "rename",
        {"ports/idp.yaml": None, "ports/idp-eu.yaml": alloc(service="idp", port=8444)},
    )
    assert located(run(repo, base="main")) == [("ports/idp.yaml", 1, 1, "PC701")]


def test_a_rename_breaks_references_to_the_old_id(repo: Path) -> None:
    git(repo, "checkout", "-q", "main")
    edit(repo, {"ports/web.yaml": alloc(service="web", port=9000, depends_on="[idp]")})
    commit_all(repo, "web")
    git(repo, "checkout", "-q", "-b", "rename")
    git(repo, "mv", "ports/idp.yaml", "ports/idp-eu.yaml")
    assert located(run(repo, base="main")) == [("ports/web.yaml", 8, 14, "PC402")]


@pytest.mark.parametrize(
    ("retired_on", "expected"), [("2026-01-13", []), ("2026-11-01", ["PC700"])]
)
def test_a_retired_allocation_may_shrink_once_its_quarantine_is_over(
    tmp_path: Path, retired_on: str, expected: list[str]
) -> None:
    fields = {"allocated": "2025-01-01", "status": "retired", "retired_on": retired_on}
    root = new_repo(
        tmp_path, {"ports/old.yaml": alloc(service="old", port='"9000-9009"', **fields)}
    )
    on_branch(root, "shrink", {"ports/old.yaml": alloc(service="old", port=9000, **fields)})
    assert [f.code for f in run(root, base="main") if f.code != "PC602"] == expected


def test_moving_off_a_contested_port_releases_nothing(tmp_path: Path) -> None:
    root = new_repo(
        tmp_path, {"ports/x.yaml": alloc(service="x"), "ports/y.yaml": alloc(service="y")}
    )
    on_branch(root, "move", {"ports/y.yaml": alloc(service="y", port=9001)})
    assert run(root, base="main") == []


def test_handing_a_port_to_a_new_claim_is_still_a_release(repo: Path) -> None:
    on_branch(
        repo,
        "handover",
        {"ports/a.yaml": alloc(service="a", port=8081), "ports/b.yaml": alloc(service="b")},
    )
    assert located(run(repo, base="main")) == [("ports/a.yaml", 2, 7, "PC700")]


# PC703 backdated ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"status": "retired", "retired_on": "2026-01-13"}, [("ports/a.yaml", 9, 13, "PC703")]),
        ({"status": "retired", "retired_on": AS_OF.isoformat()}, []),
        ({"status": "reserved", "expires": "2026-06-30"}, [("ports/a.yaml", 9, 10, "PC703")]),
        ({"status": "reserved", "expires": "2027-06-30"}, []),
    ],
)
def test_backdated(repo: Path, fields: dict[str, str], expected: list[object]) -> None:
    on_branch(repo, "date", {"ports/a.yaml": alloc(service="a", allocated="2025-01-01", **fields)})
    found = [f for f in run(repo, base="main") if f.code == "PC703"]
    assert located(found) == expected


def test_an_old_date_the_change_did_not_set_is_not_backdated(tmp_path: Path) -> None:
    retired = alloc(service="a", allocated="2025-01-01", status="retired", retired_on="2026-01-13")
    root = new_repo(tmp_path, {"ports/a.yaml": retired})
    on_branch(root, "reword", {"ports/a.yaml": retired.replace("A service", "Old service")})
    assert [f.code for f in run(root, base="main")] == ["PC602"]


# Old files go through the same limits ---------------------------------------------------


def test_an_old_file_over_64_kib_is_not_parsed(tmp_path: Path) -> None:
    huge = alloc(service="big", port=9000) + "# padding\n" * 170_000  # ~1.7 MB
    root = new_repo(tmp_path, {"ports/big.yaml": huge})
    on_branch(root, "shrink", {"ports/big.yaml": alloc(service="big", port=9001)})
    assert located(run(root, base="main")) == []  # PC102 on the base: no old allocation


def test_files_that_were_never_allocations_at_the_base(tmp_path: Path) -> None:
    """The touched files of the base go through the loader's checks too: a symlink and
    a bad name are PC103 there, so removing them frees nothing and fixing them is new."""
    root = new_repo(tmp_path, {"ports/a.yaml": alloc(service="a"), "ports/Bad.yaml": "x: 1\n"})
    (root / "ports/link.yaml").symlink_to("a.yaml")
    commit_all(root, "broken files")
    assert {(f.path, f.code) for f in run(root)} == {
        ("ports/Bad.yaml", "PC103"),
        ("ports/link.yaml", "PC103"),
    }
    on_branch(root, "unrelated", {"ports/b.yaml": alloc(service="b", port=9000)})
    assert {(f.path, f.severity) for f in run(root, base="main")} == {
        ("ports/Bad.yaml", Severity.WARNING),
        ("ports/link.yaml", Severity.WARNING),
    }
    on_branch(root, "clean", {"ports/Bad.yaml": None, "ports/link.yaml": None})
    assert run(root, base="main") == []


# Exceptions ----------------------------------------------------------------------------

EXCEPTION = """\
exceptions:
  - rule: {rule}
    allocation: {ident}
    reason: {reason}
    expires: {expires}
    requested_by: "@acme/platform"
"""


def exceptions(rule: str = "PC301", ident: str = "pg", expires: str = "2027-01-31") -> str:
    return EXCEPTION.format(rule=rule, ident=ident, reason="legacy", expires=expires)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (exceptions(), [("ports/pg.yaml", 2, 7, "PC301", Severity.WARNING)]),
        (
            exceptions(expires="2026-11-26"),
            [
                ("ports/pg.yaml", 2, 7, "PC301", Severity.ERROR),
                ("schema/exceptions.yaml", 2, 5, "PC802", Severity.WARNING),
            ],
        ),
        (
            exceptions(rule="PC300"),
            [
                ("ports/pg.yaml", 2, 7, "PC301", Severity.ERROR),
                ("schema/exceptions.yaml", 2, 5, "PC801", Severity.WARNING),
            ],
        ),
        (
            exceptions(ident="nobody"),
            [
                ("ports/pg.yaml", 2, 7, "PC301", Severity.ERROR),
                ("schema/exceptions.yaml", 2, 5, "PC800", Severity.ERROR),
            ],
        ),
        (
            exceptions(rule="PC400"),
            [
                ("ports/pg.yaml", 2, 7, "PC301", Severity.ERROR),
                ("schema/exceptions.yaml", 2, 11, "PC800", Severity.ERROR),
            ],
        ),
        (
            exceptions(expires="someday"),
            [
                ("ports/pg.yaml", 2, 7, "PC301", Severity.ERROR),
                ("schema/exceptions.yaml", 5, 14, "PC800", Severity.ERROR),
            ],
        ),
        (
            "exceptions: [&a {rule: PC301}]\n",
            [
                ("ports/pg.yaml", 2, 7, "PC301", Severity.ERROR),
                ("schema/exceptions.yaml", 1, 14, "PC800", Severity.ERROR),
            ],
        ),
    ],
)
def test_exceptions(tmp_path: Path, text: str, expected: list[object]) -> None:
    root = write_register(
        tmp_path,
        {"ports/pg.yaml": alloc(service="pg", port=5432), "schema/exceptions.yaml": text},
    )
    findings = run(root)
    assert [(*located([f])[0], f.severity) for f in findings] == expected


def test_an_excepted_finding_says_so(tmp_path: Path) -> None:
    root = write_register(
        tmp_path,
        {"ports/pg.yaml": alloc(service="pg", port=5432), "schema/exceptions.yaml": exceptions()},
    )
    code, out, _ = check(root)
    assert code == 0
    assert out.startswith("ports/pg.yaml:2:7: PC301 reserved-range ")
    assert "(excepted until 2027-01-31 by schema/exceptions.yaml:2:5" in out


def test_the_exceptions_schema_is_printed_and_committed() -> None:
    code, out, _ = cli("schema", "exceptions")
    assert code == 0
    committed = Path(__file__).resolve().parents[1] / "schema/exceptions.schema.json"
    assert out == committed.read_text(encoding="utf-8")


# Files git ignores, PATH filters ----------------------------------------------------------


def test_files_git_ignores_are_not_part_of_the_register(tmp_path: Path) -> None:
    files = {
        ".gitignore": ".DS_Store\n*.swp\nscratch/\n",
        "ports/a.yaml": alloc(service="a"),
        "ports/.DS_Store": "junk",
        "ports/team/.a.yaml.swp": "junk",
        "ports/scratch/notes.txt": "junk",
        "ports/a.yaml~": "junk",
    }
    plain = write_register(tmp_path / "plain", files)
    assert {(f.path, f.code) for f in run(plain)} == {
        ("ports/.DS_Store", "PC103"),
        ("ports/team/.a.yaml.swp", "PC103"),
        ("ports/scratch/notes.txt", "PC103"),
        ("ports/a.yaml~", "PC103"),
    }
    repo = new_repo(tmp_path / "repo", {k: v for k, v in files.items() if k != "ports/a.yaml~"})
    (repo / ".git/info/exclude").write_text("*~\n", encoding="utf-8")
    edit(repo, {"ports/a.yaml~": "junk"})
    assert run(repo) == []
    git(repo, "add", "-f", "ports/.DS_Store")  # tracked: part of the register again
    assert located(run(repo)) == [("ports/.DS_Store", 1, 1, "PC103")]


@pytest.mark.parametrize("path", ["ports/typo-folder", "ports/a.yml"])
def test_a_path_that_matches_nothing_is_a_usage_error(repo: Path, path: str) -> None:
    code, out, err = check(repo, str(repo / path))
    assert (code, out) == (2, "")
    assert err == f"portcheck: error: {path}: no such file or folder in the register\n"


def test_a_deleted_path_with_a_finding_is_a_match(repo: Path) -> None:
    on_branch(repo, "delete", {"ports/a.yaml": None})
    code, out, _ = check(repo, str(repo / "ports/a.yaml"), "--base", "main")
    assert code == 1
    assert out.startswith("ports/a.yaml:1:1: PC701 ")


def test_as_of_is_the_check_date_for_the_change(repo: Path) -> None:
    """The change's date is its first commit's, so a retirement made today still passes
    when the merge queue checks it later."""
    today = dt.date.today().isoformat()
    on_branch(
        repo, "retire", {"ports/a.yaml": alloc(service="a", status="retired", retired_on=today)}
    )
    later = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    _, out, _ = cli("check", "--root", str(repo), "--as-of", later, "--base", "main")
    assert "PC703" not in out
