"""The steps of .github/workflows/portcheck.yml, run as written against real checkouts.

The shell commands are read from the YAML and run with bash the way the runner
does (`bash --noprofile --norc -eo pipefail`), in a workspace holding a head
checkout and a base checkout at the paths and refs the checkout steps name, with
GITHUB_STEP_SUMMARY set. Only `uses:` steps are replaced (by git clones), so
the workflow and the CLI cannot drift apart.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from .conftest import GIT_ENV, POLICY, allocation, cli, commit_all, edit, git, write_register

REPO = Path(__file__).resolve().parents[1]
WORKFLOW = REPO / ".github" / "workflows" / "portcheck.yml"
CODEOWNERS = "* @acme/platform\n/ports/ @acme/team\n"
LATER = {"review_by": "2099-01-01"}  # the workflow checks as of today
EXPRESSION = re.compile(r"^\$\{\{\s*(.*?)\s*\}\}$")


def load_workflow() -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))
    return data


def steps() -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = load_workflow()["jobs"]["portcheck"]["steps"]
    return result


def checkout(which: str) -> dict[str, Any]:
    """The `with:` of the checkout step whose path is ``which``."""
    for step in steps():
        is_checkout = str(step.get("uses", "")).startswith("actions/checkout@")
        if is_checkout and step["with"]["path"] == which:
            return dict(step["with"])
    raise AssertionError(f"no checkout step with path {which}")


def evaluate(value: object, context: dict[str, Any]) -> str:
    """`${{ a.b || c.d }}` the way GitHub evaluates it; any other expression fails the test
    (teach this function before using it in the workflow)."""
    text = str(value)
    match = EXPRESSION.match(text)
    if match is None:
        assert "${{" not in text, text
        return text
    for alternative in match[1].split("||"):
        node: Any = context
        for part in alternative.strip().split("."):
            assert re.fullmatch(r"[a-z_]+", part), f"unsupported expression: {text}"
            node = node.get(part) if isinstance(node, dict) else None
        if node:
            return str(node)
    return ""


def github_context(event: str, base: str, head: str) -> dict[str, Any]:
    payloads = {
        "pull_request": {"pull_request": {"number": 7, "base": {"sha": base}}},
        "merge_group": {"merge_group": {"base_sha": base, "head_sha": head}},
        "push": {"before": base, "after": head},
    }
    return {"github": {"event_name": event, "sha": head, "event": payloads[event]}}


def run_step(
    step: dict[str, Any], workspace: Path, env: dict[str, str], context: dict[str, Any]
) -> subprocess.CompletedProcess[str]:
    step_env = {key: evaluate(value, context) for key, value in step.get("env", {}).items()}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=workspace,
        env={**env, **step_env},
        capture_output=True,
        text=True,
        check=False,
    )


def is_install(step: dict[str, Any]) -> bool:
    return "pip install" in step.get("run", "")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Python environment where the workflow's install step installed portcheck from
    a base checkout. Offline: pip, hatchling and the dependencies come from the test's
    own environment, and pip builds without isolation or an index."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    workspace = tmp_path_factory.mktemp("install")
    base = workspace / checkout("base")["path"]
    base.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, base / name)
    shutil.copytree(
        REPO / "portcheck", base / "portcheck", ignore=shutil.ignore_patterns("__pycache__")
    )
    env_dir = workspace / "python"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    bin_dir = env_dir / "bin"
    purelib = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "outer.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(workspace),
        "PIP_NO_INDEX": "1",
        "PIP_NO_BUILD_ISOLATION": "0",  # pip's spelling of --no-build-isolation
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    [install] = [step for step in steps() if is_install(step)]
    done = run_step(install, workspace, env, github_context("pull_request", "x", "y"))
    assert done.returncode == 0, done.stderr
    assert (bin_dir / "portcheck").exists()
    return bin_dir


class Workspace:
    """A head checkout (a full clone, as fetch-depth: 0 gives) and a base checkout."""

    def __init__(self, root: Path, files: dict[str, str]) -> None:
        self.root = root
        self.head = root / checkout("head")["path"]
        write_register(self.head, {".github/CODEOWNERS": CODEOWNERS, **files})
        git(self.head, "init", "-q", "-b", "main")
        commit_all(self.head, "main")
        self.base_sha = git(self.head, "rev-parse", "HEAD").strip()
        self.summary = root / "step_summary.md"
        self.summary.write_text("Earlier output of this step.\n", encoding="utf-8")

    def change(self, files: dict[str, str]) -> None:
        git(self.head, "checkout", "-q", "-b", "feature")
        edit(self.head, files)
        commit_all(self.head, "feature")

    def run(self, event: str, bin_dir: Path) -> tuple[int, str, str]:
        head_sha = git(self.head, "rev-parse", "HEAD").strip()
        context = github_context(event, self.base_sha, head_sha)
        base = self.root / checkout("base")["path"]
        git(self.root, "clone", "-q", str(self.head), str(base))
        git(base, "checkout", "-q", "--detach", evaluate(checkout("base")["ref"], context))
        env = {
            **GIT_ENV,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_WORKSPACE": str(self.root),
            "GITHUB_ACTIONS": "true",
        }
        out, err, code = "", "", 0
        for step in steps():
            if "run" in step and not is_install(step):
                done = run_step(step, self.root, env, context)
                out, err, code = out + done.stdout, err + done.stderr, done.returncode
                if code:
                    break
        return code, out, err


def annotations_in(out: str) -> list[tuple[str, str, str]]:
    found = re.findall(r"^::(\w+) file=([^,]*),.*?title=(PC\d+) ", out, re.MULTILINE)
    return [(path, code, kind) for kind, path, code in found]


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """main holds a clean allocation and an old problem (tcp/30001, NodePort range)."""
    return Workspace(
        tmp_path,
        {
            "ports/a.yaml": allocation(service="a", **LATER),
            "ports/legacy.yaml": allocation(service="legacy", port=30001, **LATER),
        },
    )


@pytest.mark.parametrize("event", ["pull_request", "merge_group"])
def test_a_colliding_claim_fails_and_an_old_problem_only_warns(
    workspace: Workspace, installed: Path, event: str
) -> None:
    workspace.change({"ports/b.yaml": allocation(service="b", **LATER)})
    code, out, err = workspace.run(event, installed)
    assert code == 1, err
    assert annotations_in(out) == [  # the old problem: in the summary, not annotated
        ("ports/a.yaml", "PC400", "error"),
        ("ports/b.yaml", "PC400", "error"),
    ]
    summary = workspace.summary.read_text(encoding="utf-8")
    assert summary.startswith("Earlier output of this step.\n## portcheck\n")
    assert "| PC400 | port-collision | 2 | 0 |" in summary
    assert "| PC301 | reserved-range | 0 | 1 |" in summary


def test_a_clean_claim_passes(workspace: Workspace, installed: Path) -> None:
    workspace.change({"ports/b.yaml": allocation(service="b", port=9000, **LATER)})
    code, out, err = workspace.run("pull_request", installed)
    assert code == 0, err
    assert annotations_in(out) == []


def test_a_push_to_main_checks_everything(workspace: Workspace, installed: Path) -> None:
    code, out, _ = workspace.run("push", installed)
    assert code == 1
    assert annotations_in(out) == [("ports/legacy.yaml", "PC301", "error")]


def test_the_base_policy_judges_the_change(workspace: Workspace, installed: Path) -> None:
    """The change widens its own policy to allow 30000-30099 and claims 30050 in it."""
    loosened = POLICY.replace(
        '  - {port: "30000-32767", protocol: tcp, reason: "Kubernetes NodePort range"}\n', ""
    ).replace('"61000-64999"', '"61000-64999", "30000-30099"')
    workspace.change(
        {
            "schema/policy.yaml": loosened,
            "ports/node.yaml": allocation(service="node", port=30050, **LATER),
        }
    )
    code, out, err = workspace.run("pull_request", installed)
    assert code == 1, err
    assert sorted(annotations_in(out)) == [  # ports/legacy.yaml's PC301 is old: not annotated
        ("ports/node.yaml", "PC301", "error"),
        ("schema/policy.yaml", "PC702", "error"),
    ]


BROKEN_POLICY = POLICY.replace("review_days: 365", 'review_days: "a year"')


def test_a_pull_request_that_breaks_the_policy_fails_with_a_located_error(
    workspace: Workspace, installed: Path
) -> None:
    workspace.change({"schema/policy.yaml": BROKEN_POLICY})
    code, out, err = workspace.run("pull_request", installed)
    assert code == 1, err  # the change's error, not a usage error (exit 2)
    assert annotations_in(out) == [("schema/policy.yaml", "PC200", "error")]


def test_the_pull_request_that_repairs_a_broken_base_policy_can_pass(
    tmp_path: Path, installed: Path
) -> None:
    workspace = Workspace(
        tmp_path,
        {"ports/a.yaml": allocation(service="a", **LATER), "schema/policy.yaml": BROKEN_POLICY},
    )
    assert cli("check", "--root", str(workspace.head))[0] == 2  # main is broken
    workspace.change({"schema/policy.yaml": POLICY})
    code, out, err = workspace.run("pull_request", installed)
    assert code == 0, err
    assert out.startswith("::warning title=portcheck::the trusted policy cannot be read (")
    assert annotations_in(out) == []


def test_the_workflow_shape() -> None:
    """What the README (Setting up the repository on GitHub) requires of the required
    check, read from the YAML."""
    workflow = load_workflow()
    assert set(workflow["on"]) == {"pull_request", "merge_group", "push"}
    assert workflow["on"]["push"] == {"branches": ["main"]}
    assert workflow["permissions"] == {}
    job = workflow["jobs"]["portcheck"]
    assert "if" not in job
    assert job["permissions"] == {"contents": "read"}
    assert checkout("head")["fetch-depth"] == 0
    assert checkout("head")["persist-credentials"] is False
    assert checkout("base")["persist-credentials"] is False
    runs = [step["run"] for step in job["steps"] if "run" in step]
    assert runs == [step["run"] for step in steps() if "run" in step]
    assert any("--base" in run and "--policy base" in run for run in runs)
    assert any('--summary "$GITHUB_STEP_SUMMARY"' in run for run in runs)
    assert not any("${{" in run for run in runs)
