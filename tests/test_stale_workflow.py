""".github/workflows/stale.yml: its shape, and its shell steps run for real with a fake gh.

The fake `gh` records every call and keeps the repository's issues in a JSON
file, answering `gh issue list` from it. The steps that use actions, and the
step that installs portcheck, are skipped: the test puts this environment's
portcheck on PATH instead. Everything else runs as GitHub runs it (bash with
-eo pipefail, the step's env, files for $GITHUB_STEP_SUMMARY and $RUNNER_TEMP).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.conftest import allocation, write_register

REPO = Path(__file__).resolve().parents[1]
WORKFLOW = REPO / ".github/workflows/stale.yml"
MARKER = "<!-- portcheck:stale-tracking-issue -->"
LABEL = "portcheck-stale"
#: The expressions the workflow may use in env, and what the test gives them.
CONTEXT = {"github.token": "fake-token", "github.repository": "acme/ports"}

FAKE_GH = r'''#!PYTHON
"""A fake gh: logs argv, keeps issues in $GH_STATE."""
import json, os, sys

args = sys.argv[1:]
with open(os.environ["GH_LOG"], "a") as log:
    log.write(json.dumps(args) + "\n")
with open(os.environ["GH_STATE"]) as f:
    state = json.load(f)

def option(name):
    return args[args.index(name) + 1] if name in args else None

def issue(number):
    return next(i for i in state["issues"] if i["number"] == int(number))

command = args[:2]
if command == ["label", "create"]:
    state["labels"] = sorted(set(state["labels"]) | {args[2]})
elif command == ["issue", "list"]:
    wanted = option("--state") or "open"
    found = [
        i for i in state["issues"]
        if option("--label") in i["labels"] and wanted in ("all", i["state"].lower())
    ]
    fields = option("--json").split(",")
    found.sort(key=lambda i: -i["number"])
    print(json.dumps([{k: i[k] for k in fields} for i in found[: int(option("--limit") or 30)]]))
elif command == ["issue", "create"]:
    if option("--label") not in state["labels"]:
        sys.exit("could not add label: not found")
    number = max([i["number"] for i in state["issues"]], default=0) + 1
    body = open(option("--body-file")).read()
    state["issues"].append({"number": number, "state": "OPEN", "title": option("--title"),
                            "labels": [option("--label")], "body": body})
    print(f"https://github.com/acme/ports/issues/{number}")
elif command == ["issue", "edit"]:
    issue(args[2])["body"] = open(option("--body-file")).read()
elif command == ["issue", "close"]:
    issue(args[2])["state"] = "CLOSED"
elif command == ["issue", "reopen"]:
    issue(args[2])["state"] = "OPEN"
else:
    sys.exit(f"fake gh: unexpected {args}")
with open(os.environ["GH_STATE"], "w") as f:
    json.dump(state, f)
'''


def load_workflow() -> Any:
    return YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))


def substitute(value: str) -> str:
    """Fill in ``${{ expr }}`` from CONTEXT; an expression the test does not know fails it."""
    return re.sub(r"\$\{\{\s*(.+?)\s*\}\}", lambda m: CONTEXT[m.group(1)], value)


class Runner:
    """A runner for the audit job in ``root``, with the fake gh on PATH."""

    def __init__(self, root: Path, work: Path) -> None:
        self.root, self.work = root, work
        self.bin = work / "bin"
        self.bin.mkdir()
        gh = self.bin / "gh"
        gh.write_text(FAKE_GH.replace("PYTHON", sys.executable), encoding="utf-8")
        gh.chmod(0o755)
        self.log, self.state = work / "gh.log", work / "gh.json"
        self.log.write_text("", encoding="utf-8")
        self.save({"labels": [], "issues": []})

    def save(self, state: dict[str, Any]) -> None:
        self.state.write_text(json.dumps(state), encoding="utf-8")

    def issues(self) -> list[dict[str, Any]]:
        issues: list[dict[str, Any]] = json.loads(self.state.read_text(encoding="utf-8"))["issues"]
        return issues

    def calls(self) -> list[list[str]]:
        lines = self.log.read_text(encoding="utf-8").splitlines()
        self.log.write_text("", encoding="utf-8")
        return [json.loads(line) for line in lines]

    def run_job(self) -> None:
        workflow = load_workflow()
        job = workflow["jobs"]["audit"]
        temp = self.work / "runner-temp"
        temp.mkdir(exist_ok=True)
        for step in job["steps"]:
            if "run" in step and step.get("id") != "install":
                env = {**workflow.get("env", {}), **job.get("env", {}), **step.get("env", {})}
                self.run_step(step["run"], {k: substitute(str(v)) for k, v in env.items()}, temp)

    def run_step(self, script: str, env: dict[str, str], temp: Path) -> None:
        path = os.pathsep.join((str(self.bin), os.path.dirname(sys.executable), "/usr/bin", "/bin"))
        github = {
            "PATH": path,
            "HOME": str(self.work),
            "RUNNER_TEMP": str(temp),
            "GITHUB_STEP_SUMMARY": str(self.work / "summary.md"),
            "GITHUB_PATH": str(self.work / "path"),
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "acme/ports",
            "GITHUB_RUN_ID": "42",
            "GH_LOG": str(self.log),
            "GH_STATE": str(self.state),
        }
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=self.root,
            env={**github, **env},
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    root = write_register(
        tmp_path / "repo", {"ports/old.yaml": allocation(service="old", allocated="2000-01-01")}
    )
    (tmp_path / "work").mkdir()
    return Runner(root, tmp_path / "work")


def body_file(call: list[str]) -> str:
    return call[call.index("--body-file") + 1]


def without_body_files(calls: list[list[str]]) -> Iterator[list[str]]:
    for call in calls:
        yield ["<file>" if i and call[i - 1] == "--body-file" else a for i, a in enumerate(call)]


def test_create_then_edit_then_close_then_reopen(runner: Runner) -> None:
    # Someone else's issue carries the label but not the marker: it is never touched.
    human = {"number": 7, "state": "OPEN", "title": "x", "labels": [LABEL], "body": "hello"}
    runner.save({"labels": [LABEL], "issues": [human]})
    listing = ["issue", "list", "--label", LABEL, "--state", "all", "--limit", "100"]
    listing += ["--json", "number,state,body"]

    runner.run_job()
    assert list(without_body_files(runner.calls())) == [
        listing,
        ["label", "create", LABEL, "--force", "--color", "C5DEF5", "--description",
         "The port register's weekly stale report"],
        ["issue", "create", "--title", "Stale port allocations", "--label", LABEL,
         "--body-file", "<file>"],
    ]  # fmt: skip
    created = runner.issues()[1]
    assert (created["number"], created["state"]) == (8, "OPEN")
    assert created["body"].startswith(f"{MARKER}\n## Stale port allocations\n")
    assert "| `portcheck renew old` |" in created["body"]
    assert "[stale workflow](https://github.com/acme/ports/actions/runs/42)" in created["body"]

    (runner.root / "ports/older.yaml").write_text(
        allocation(service="older", port=9000, allocated="2001-01-01"), encoding="utf-8"
    )
    runner.run_job()
    assert list(without_body_files(runner.calls())) == [
        listing,
        ["issue", "edit", "8", "--body-file", "<file>"],
    ]
    assert "| `portcheck renew older` |" in runner.issues()[1]["body"]

    for ident in ("old", "older"):
        (runner.root / f"ports/{ident}.yaml").unlink()
    runner.run_job()
    assert runner.calls() == [
        listing,
        ["issue", "close", "8", "--comment",
         "Nothing is stale any more: https://github.com/acme/ports/actions/runs/42"],
    ]  # fmt: skip
    runner.run_job()
    assert runner.calls() == [listing]  # closed already: nothing to do

    (runner.root / "ports/old.yaml").write_text(
        allocation(service="old", allocated="2000-01-01"), encoding="utf-8"
    )
    runner.run_job()
    assert list(without_body_files(runner.calls())) == [
        listing,
        ["issue", "reopen", "8"],
        ["issue", "edit", "8", "--body-file", "<file>"],
    ]
    assert [(i["number"], i["state"]) for i in runner.issues()] == [(7, "OPEN"), (8, "OPEN")]
    assert runner.issues()[0] == human


def test_step_summary_holds_the_report(runner: Runner) -> None:
    runner.run_job()
    summary = (runner.work / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## Stale port allocations\n\n1 stale item for 1 owner as of ")


def test_a_broken_policy_fails_the_run(runner: Runner) -> None:
    (runner.root / "schema/policy.yaml").write_text("protocols: nope\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="portcheck: error: "):
        runner.run_job()
    assert runner.calls() == []


def test_a_long_report_is_cut_at_a_line(runner: Runner) -> None:
    overdue = {"port": 2000, "allocated": "2000-01-01"}
    files = {
        f"ports/svc-{n:04}.yaml": allocation(service=f"svc-{n:04}", **overdue) for n in range(600)
    }
    write_register(runner.root, files)
    runner.run_job()
    body = runner.issues()[0]["body"]
    assert len(body.encode()) < 61000  # 600 rows are some 80,000 bytes
    assert "\n*The report is cut short here; the run summary has all of it.*\n" in body
    assert "| `portcheck renew svc-0000` |" in body


def test_shape() -> None:
    workflow = load_workflow()
    text = WORKFLOW.read_text(encoding="utf-8")
    schedule = workflow["on"]["schedule"][0]["cron"].split()
    assert int(schedule[0]) % 2 == 1  # an odd minute
    assert "workflow_dispatch" in workflow["on"]
    assert workflow["permissions"] == {}
    assert workflow["concurrency"]["cancel-in-progress"] is False
    assert workflow["jobs"]["audit"]["permissions"] == {"contents": "read", "issues": "write"}
    steps = workflow["jobs"]["audit"]["steps"]
    assert all("${{" not in step.get("run", "") for step in steps)
    uses = re.findall(r"uses: (\S+)@(\S+) # (v\d+\.\d+\.\d+)$", text, flags=re.MULTILINE)
    assert [name for name, _, _ in uses] == ["actions/checkout", "actions/setup-python"]
    assert all(re.fullmatch(r"[0-9a-f]{40}", sha) for _, sha, _ in uses)
    assert steps[0]["with"]["persist-credentials"] is False
    install = next(step for step in steps if step.get("id") == "install")
    assert 'pip" install --quiet .\n' in install["run"]
