""".github/workflows/port-request.yml end to end: a recorded `issues` event, a fake gh.

The payload (tests/payloads/issues-opened.json) has the shape GitHub delivers for
an issue opened with the port-request form. The workflow's shell step runs for
real in a git repository with a bare remote as origin (bash -eo pipefail, the
step's env filled from the payload); the steps that use actions and the install
step are skipped, this environment's portcheck is on PATH instead. The fake gh
logs its calls and keeps the comments; hostile answers must end as a refusal
comment, with nothing run, pushed or annotated.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from portcheck.actions.issue_form import parse
from portcheck.errors import UsageError
from tests.conftest import GIT_ENV, allocation, git, new_repo

REPO = Path(__file__).resolve().parents[1]
WORKFLOW = REPO / ".github/workflows/port-request.yml"
FORM = REPO / ".github/ISSUE_TEMPLATE/port-request.yml"
PAYLOAD = json.loads((Path(__file__).parent / "payloads/issues-opened.json").read_text("utf-8"))
URL = "https://github.com/acme/ports/pull/13"

FAKE_GH = r"""#!PYTHON
import json, os, sys
args = sys.argv[1:]
with open(os.environ["GH_LOG"], "a") as log:
    log.write(json.dumps(args) + "\n")
if args[:2] == ["pr", "create"]:
    sys.stdin.read()
    print(os.environ["FAKE_GH_URL"])
elif args[:2] == ["issue", "comment"]:
    with open(os.environ["GH_COMMENTS"], "a") as out:
        out.write(open(args[args.index("--body-file") + 1]).read() + "\0")
elif args[:2] not in (["auth", "status"], ["auth", "setup-git"]):
    sys.exit(f"fake gh: unexpected {args}")
"""


def load_workflow() -> Any:
    return YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))


class Runner:
    def __init__(self, tmp_path: Path) -> None:
        self.root = new_repo(
            tmp_path / "repo",
            {"ports/payments/api.yaml": allocation(service="api", port=1024, scope="prod")},
        )
        self.remote = tmp_path / "remote.git"
        git(tmp_path, "init", "-q", "--bare", str(self.remote))
        git(self.root, "remote", "add", "origin", str(self.remote))
        git(self.root, "push", "-q", "origin", "main")
        self.work = tmp_path / "work"
        self.bin = self.work / "bin"
        self.bin.mkdir(parents=True)
        gh = self.bin / "gh"
        gh.write_text(FAKE_GH.replace("PYTHON", sys.executable), encoding="utf-8")
        gh.chmod(0o755)
        self.log, self.comments = self.work / "gh.log", self.work / "comments"
        self.stdout = ""

    def context(self, payload: dict[str, Any]) -> dict[str, str]:
        issue = payload["issue"]
        return {
            "secrets.PORT_REQUEST_TOKEN || github.token": "fake-token",
            "github.repository": payload["repository"]["full_name"],
            "github.event.issue.body": issue["body"],
            "github.event.issue.number": str(issue["number"]),
        }

    def run_job(self, payload: dict[str, Any]) -> None:
        workflow = load_workflow()
        job = workflow["jobs"]["claim"]
        context = self.context(payload)
        for step in job["steps"]:
            if "run" in step and step.get("id") != "install":
                env = {key: _substitute(str(value), context) for key, value in step["env"].items()}
                self.run_step(step["run"], env)

    def run_step(self, script: str, env: dict[str, str]) -> None:
        temp = self.work / "runner-temp"
        temp.mkdir(exist_ok=True)
        path = os.pathsep.join((str(self.bin), os.path.dirname(sys.executable), "/usr/bin", "/bin"))
        names = ("GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM")
        runner = {
            "PATH": path,
            "HOME": str(self.work),
            "RUNNER_TEMP": str(temp),
            "GH_LOG": str(self.log),
            "GH_COMMENTS": str(self.comments),
            "FAKE_GH_URL": URL,
            **{name: GIT_ENV[name] for name in names},
        }
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=self.root,
            env={**runner, **env},
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        self.stdout += done.stdout

    def comment(self) -> str:
        (only,) = self.comments.read_text(encoding="utf-8").split("\0")[:-1]
        return only

    def remote_branches(self) -> str:
        return git(self.root, "--git-dir", str(self.remote), "branch", "--list")


def _substitute(value: str, context: dict[str, str]) -> str:
    return re.sub(r"\$\{\{\s*(.+?)\s*\}\}", lambda m: context[m.group(1)], value)


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    return Runner(tmp_path)


def with_answer(label: str, value: str) -> dict[str, Any]:
    payload: dict[str, Any] = copy.deepcopy(PAYLOAD)
    body = payload["issue"]["body"].replace("\r\n", "\n")
    pattern = re.compile(rf"(### {re.escape(label)}\n\n)(.*?)(\n\n###|\Z)", re.S)
    payload["issue"]["body"] = pattern.sub(lambda m: m.group(1) + value + m.group(3), body)
    return payload


def test_the_recorded_request_becomes_a_pull_request_and_a_comment(runner: Runner) -> None:
    runner.run_job(PAYLOAD)
    assert runner.comment() == (
        f"Port **1025** is yours once the pull request is approved and merged: {URL}\n\n"
        "The allocation is `ports/search-api.yaml`; its code owners review the pull request.\n"
    )
    assert "claim/search-api" in runner.remote_branches()
    shown = git(runner.root, "show", "claim/search-api:ports/search-api.yaml")
    assert "scope: prod/eu\n" in shown
    assert 'contact: "search@acme.example"\n' in shown
    calls = [json.loads(line)[:2] for line in runner.log.read_text("utf-8").splitlines()]
    assert calls == [
        ["auth", "setup-git"],
        ["auth", "status"],
        ["pr", "create"],
        ["issue", "comment"],
    ]


def test_a_service_whose_id_exists_gets_the_next_free_id(runner: Runner) -> None:
    """The form has no id field, so a taken id is not a dead end: api -> api-2."""
    runner.run_job(with_answer("Service", "api"))
    assert runner.comment().startswith("Port **1025** is yours")
    assert "The allocation is `ports/api-2.yaml`" in runner.comment()
    assert "service: api\n" in git(runner.root, "show", "claim/api-2:ports/api-2.yaml")


def test_a_taken_port_is_refused_with_the_nearest_free_one(runner: Runner) -> None:
    runner.run_job(with_answer("Wished port", "1024"))
    assert runner.comment() == (
        "portcheck could not grant this request:\n\n"
        "    portcheck: error: tcp/1024 is taken by ports/payments/api.yaml (prod): "
        "PC400 port-collision; nearest free: 1025\n\n"
        "Edit the issue to try again; the request is read anew on every edit.\n"
    )
    assert runner.remote_branches() == "  main\n"


HOSTILE = [
    pytest.param("Service", "x; rm -rf ~", id="semicolon-rm"),
    pytest.param("Service", "$(touch pwned)", id="command-substitution"),
    pytest.param("Description", "two\nlines", id="newline"),
    pytest.param("Service", "::error::pwned", id="workflow-command"),
    pytest.param("Contact", "a" * 10_000, id="10000-characters"),
    pytest.param("Owner team", "@acme/search\n\n### Service\n\nother", id="smuggled-heading"),
    pytest.param("Protocols", "tcp, icmp", id="unknown-protocol"),
    pytest.param("Number of ports", "1e3", id="not-a-number"),
    pytest.param("Reservation expiry", "tomorrow", id="not-a-date"),
]


@pytest.mark.parametrize(("label", "value"), HOSTILE)
def test_hostile_answers_end_in_a_refusal_comment(runner: Runner, label: str, value: str) -> None:
    runner.run_job(with_answer(label, value))
    comment = runner.comment()
    lines = comment.splitlines()
    assert lines[0] == "portcheck could not grant this request:"
    assert lines[2].startswith("    portcheck: error: ")
    assert len(lines) == 5
    assert len(comment) < 1200
    assert not (runner.root / "pwned").exists()
    assert not (runner.work / "pwned").exists()
    assert "::" not in runner.stdout
    assert runner.remote_branches() == "  main\n"
    assert git(runner.root, "status", "--porcelain") == ""


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("`touch pwned` $(touch pwned)", '"`touch pwned` $(touch pwned)"'),
        ("::error::pwned", '"::error::pwned"'),
        ("x; rm -rf ~ # really", '"x; rm -rf ~ # really"'),
    ],
)
def test_hostile_but_valid_text_is_only_data(runner: Runner, value: str, written: str) -> None:
    runner.run_job(with_answer("Description", value))
    assert runner.comment().startswith("Port **1025** is yours")
    shown = git(runner.root, "show", "claim/search-api:ports/search-api.yaml")
    assert f"description: {written}\n" in shown
    assert not (runner.root / "pwned").exists()
    assert not (runner.work / "pwned").exists()
    assert "::" not in runner.stdout


def test_the_form_and_the_parser_agree_on_the_labels() -> None:
    from portcheck.actions.issue_form import LABELS

    form = YAML(typ="safe").load(FORM.read_text(encoding="utf-8"))
    labels = [field["attributes"]["label"] for field in form["body"] if field["type"] != "markdown"]
    assert labels == list(LABELS)
    assert form["labels"] == ["port-request"]
    assert (
        "contains(github.event.issue.labels.*.name, 'port-request')"
        in load_workflow()["jobs"]["claim"]["if"]
    )


def test_workflow_keeps_untrusted_text_out_of_run_and_least_privilege() -> None:
    workflow = load_workflow()
    assert workflow["permissions"] == {}
    assert list(workflow["on"]) == ["issues"]
    job = workflow["jobs"]["claim"]
    assert job["permissions"] == {
        "contents": "write", "pull-requests": "write", "issues": "write"
    }  # fmt: skip
    for step in job["steps"]:
        assert "${{" not in step.get("run", "")
        if "uses" in step:
            assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", step["uses"])
            assert step["with"].get("persist-credentials", False) is False


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("hello", "the issue form must start with a ### heading"),
        ("### Service\n\nx", "the issue form has no answer for 'Owner team'"),
        ("### Colour\n\nred", "the issue form has an unknown field 'Colour'"),
        ("### Service\n\na\n\n### Service\n\nb", "the issue form has 'Service' twice"),
        ("x" * 20_000, "the issue form is longer than 16 KiB"),
    ],
)
def test_parser_refuses_malformed_bodies(body: str, message: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse(body)
    assert raised.value.message.startswith(message)
