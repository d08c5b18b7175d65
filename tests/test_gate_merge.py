"""The gate's promise on real git repositories: a pull request that passes the check
(as the workflow runs it: base checkout, --policy from the base, --base) leaves main
passing after the merge, and every legitimate change has a passing path."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from .conftest import (
    GIT_CODEOWNERS,
    POLICY,
    allocation,
    cli,
    commit_all,
    edit,
    git,
    new_repo,
    on_branch,
)

AS_OF = "2026-11-27"
LATER = {"review_by": "2099-01-01"}


def alloc(**fields: object) -> str:
    return allocation(**{**LATER, **fields})


MAIN = {
    "ports/a.yaml": alloc(service="a"),
    "ports/idp.yaml": alloc(service="idp", port=8443, scope="prod"),
    "ports/wide.yaml": alloc(service="wide", port='"9100-9109"'),
}
RETIRED_LONG_AGO = {"allocated": "2025-01-01", "status": "retired", "retired_on": "2026-01-01"}
EXCEPTIONS = """\
exceptions:
  - rule: {rule}
    allocation: {ident}
    reason: agreed with every client
    expires: 2027-01-31
    requested_by: "@acme/platform"
"""


def pr_check(repo: Path, workspace: Path) -> tuple[int, str]:
    """The workflow's command: the base checkout's policy judges the head with --base."""
    base = workspace / "base"
    workspace.mkdir(exist_ok=True)
    git(workspace, "clone", "-q", str(repo), str(base))
    git(base, "checkout", "-q", "--detach", "origin/main")
    code, out, err = cli(
        "check", "--root", str(repo), "--policy", str(base), "--base", "main", "--as-of", AS_OF
    )
    return code, out + err


def main_check(repo: Path) -> tuple[int, str]:
    code, out, err = cli("check", "--root", str(repo), "--as-of", AS_OF)
    return code, out + err


@dataclasses.dataclass(frozen=True)
class Scenario:
    name: str
    change: dict[str, str | None]
    pr: int  # exit code of the pull request's check
    main: int  # exit code of check on main after the merge
    before: dict[str, str | None] = dataclasses.field(default_factory=dict)  # on main first
    moves: tuple[tuple[str, str], ...] = ()  # git mv on the branch


BROKEN_POLICY = POLICY.replace("review_days: 365", 'review_days: "a year"')
NO_POSTGRES = POLICY.replace('  - {port: 5432, protocol: tcp, reason: "shared PostgreSQL"}\n', "")
SCENARIOS = [
    Scenario("claim", {"ports/b.yaml": alloc(service="b", port=9000)}, 0, 0),
    Scenario("collision", {"ports/b.yaml": alloc(service="b")}, 1, 1),
    Scenario("renumber", {"ports/a.yaml": alloc(service="a", port=8081)}, 1, 0),
    Scenario("delete an active file", {"ports/a.yaml": None}, 1, 0),
    Scenario(
        "policy loosened and used",
        {"schema/policy.yaml": NO_POSTGRES, "ports/pg.yaml": alloc(service="pg", port=5432)},
        1,
        0,
    ),
    Scenario("policy broken", {"schema/policy.yaml": BROKEN_POLICY}, 1, 2),
    Scenario(
        "policy tightened",
        {"schema/policy.yaml": POLICY.replace("max_range: 64", "max_range: 2")},
        1,
        1,
    ),
    Scenario(
        "scope narrowed",
        {"ports/idp.yaml": alloc(service="idp", port=8443, scope="prod/us")},
        1,
        0,
    ),
    Scenario(
        "coverage grown",
        {
            "ports/idp.yaml": alloc(
                service="idp", port='"8443-8444"', protocol="[tcp, udp]", scope="[prod, staging]"
            )
        },
        0,
        0,
    ),
    Scenario(
        "CODEOWNERS pointed at another team",
        {".github/CODEOWNERS": GIT_CODEOWNERS.replace("@acme/team", "@acme/other")},
        1,
        1,
    ),
    Scenario(
        "reclaim a file another depends on",
        {"ports/old.yaml": None},
        1,
        1,
        before={
            "ports/old.yaml": alloc(service="old", port=9200, **RETIRED_LONG_AGO),
            "ports/kafka.yaml": alloc(service="kafka", port=9092, depends_on="[old]"),
        },
    ),
    Scenario(
        "backdated retirement",
        {
            "ports/a.yaml": alloc(
                service="a", allocated="2025-01-01", status="retired", retired_on="2026-01-13"
            )
        },
        1,
        0,
    ),
    Scenario("pure rename", {}, 0, 0, moves=(("ports/idp.yaml", "ports/idp-eu.yaml"),)),
    Scenario("move to a team folder", {}, 0, 0, moves=(("ports/a.yaml", "ports/team/a.yaml"),)),
    Scenario(
        "race repaired by renumbering one side",
        {"ports/y.yaml": alloc(service="y", port=9001)},
        0,
        0,
        before={
            "ports/x.yaml": alloc(service="x", port=9000),
            "ports/y.yaml": alloc(service="y", port=9000),
        },
    ),
    Scenario(
        "race repaired by deleting one side",
        {"ports/y.yaml": None},
        0,
        0,
        before={
            "ports/x.yaml": alloc(service="x", port=9000),
            "ports/y.yaml": alloc(service="y", port=9000),
        },
    ),
    Scenario(
        "broken base policy repaired",
        {"schema/policy.yaml": POLICY},
        0,
        0,
        before={"schema/policy.yaml": BROKEN_POLICY},
    ),
    Scenario(
        "renumber acknowledged by an exception",
        {
            "ports/a.yaml": alloc(service="a", port=8081),
            "schema/exceptions.yaml": EXCEPTIONS.format(rule="PC700", ident="a"),
        },
        0,
        0,
    ),
    Scenario(
        "legacy service on a reserved port acknowledged",
        {
            "ports/pg.yaml": alloc(service="pg", port=5432),
            "schema/exceptions.yaml": EXCEPTIONS.format(rule="PC301", ident="pg"),
        },
        0,
        0,
    ),
    Scenario(
        "exception naming no allocation",
        {"schema/exceptions.yaml": EXCEPTIONS.format(rule="PC301", ident="nobody")},
        1,
        1,
    ),
]


#: The rules the pull request's check reports (errors, warnings and notes).
PR_CODES = {
    "claim": set(),
    "collision": {"PC400"},
    "renumber": {"PC700"},
    "delete an active file": {"PC701"},
    "policy loosened and used": {"PC301", "PC702"},
    "policy broken": {"PC200"},  # located in schema/policy.yaml, exit 1, not 2
    "policy tightened": {"PC304"},  # what the head's own policy rejects
    "scope narrowed": {"PC700"},
    "coverage grown": set(),
    "CODEOWNERS pointed at another team": {"PC501"},
    "reclaim a file another depends on": {"PC402"},
    "backdated retirement": {"PC602", "PC703"},
    "pure rename": set(),
    "move to a team folder": set(),
    "race repaired by renumbering one side": set(),
    "race repaired by deleting one side": set(),
    "broken base policy repaired": set(),
    "renumber acknowledged by an exception": {"PC700"},  # a note, not an error
    "legacy service on a reserved port acknowledged": {"PC301"},
    "exception naming no allocation": {"PC800"},
}


def reported(output: str) -> set[str]:
    return {
        line.split()[1] for line in output.splitlines() if re.match(r"[\w./-]+:\d+:\d+: ", line)
    }


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.name)
def test_a_passing_pull_request_leaves_main_passing(tmp_path: Path, scenario: Scenario) -> None:
    repo = new_repo(tmp_path / "repo", MAIN)
    if scenario.before:
        edit(repo, scenario.before)
        commit_all(repo, "before")
    git(repo, "checkout", "-q", "-b", "feature")
    for old, new in scenario.moves:
        (repo / new).parent.mkdir(parents=True, exist_ok=True)
        git(repo, "mv", old, new)
    edit(repo, scenario.change)
    commit_all(repo, "feature")
    pr_code, pr_output = pr_check(repo, tmp_path)
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge", "feature")
    main_code, main_output = main_check(repo)
    assert (pr_code, main_code) == (scenario.pr, scenario.main), pr_output + main_output
    assert reported(pr_output) == PR_CODES[scenario.name]
    assert pr_code != 0 or main_code == 0  # the promise


def test_the_race_two_claims_fail_in_the_merge_queue(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo", MAIN)
    on_branch(repo, "claim-x", {"ports/x.yaml": alloc(service="x", port=9000)})
    on_branch(repo, "claim-y", {"ports/y.yaml": alloc(service="y", port=9000)})
    git(repo, "checkout", "-q", "claim-x")
    assert pr_check(repo, tmp_path / "x")[0] == 0
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge claim-x", "claim-x")
    git(repo, "checkout", "-q", "-b", "queue", "main")  # the merge queue: on top of main
    git(repo, "merge", "-q", "--no-ff", "-m", "merge claim-y", "claim-y")
    assert pr_check(repo, tmp_path / "y")[0] == 1
