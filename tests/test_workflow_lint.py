"""The workflows, the composite action and the pre-commit hook: linted and held
to the README's rules.

zizmor (offline) and check-jsonschema's vendored GitHub schemas run on every
file in .github/workflows/ and on action.yml; actionlint runs on GitHub's runners
(lint-workflows.yml), since it cannot be installed from a package registry. A
missing tool is a skip on a user's machine and a failure in CI.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from .conftest import IN_CI

REPO = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.y*ml"))
ACTION = REPO / "action.yml"
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s*([^@\s]+)@([0-9a-f]{40})\s+#\s*v\d+\.\d+\.\d+\s*$")


def tool(name: str) -> str:
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        message = f"{name} is not installed (pip install -e '.[dev]')"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return data


def test_there_are_workflows() -> None:
    names = {path.name for path in WORKFLOWS}
    assert {"portcheck.yml", "lint-workflows.yml"} <= names


def test_zizmor_finds_nothing() -> None:
    done = subprocess.run(
        [tool("zizmor"), "--offline", "--no-progress", *map(str, WORKFLOWS), str(ACTION)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout


@pytest.mark.parametrize(
    ("schema", "paths"),
    [("vendor.github-workflows", WORKFLOWS), ("vendor.github-actions", [ACTION])],
)
def test_github_schemas_accept_the_files(schema: str, paths: list[Path]) -> None:
    done = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", schema, *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", [*WORKFLOWS, ACTION], ids=lambda path: path.name)
def test_every_action_is_pinned_by_commit_with_a_version_comment(path: Path) -> None:
    for line in path.read_text(encoding="utf-8").splitlines():
        if re.match(r"^\s*(-\s+)?uses:", line) and "uses: ./" not in line:
            assert PINNED.match(line), line


def steps_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    if "runs" in document:
        found: list[dict[str, Any]] = document["runs"].get("steps", [])
        return found
    return [step for job in document["jobs"].values() for step in job.get("steps", [])]


@pytest.mark.parametrize("path", [*WORKFLOWS, ACTION], ids=lambda path: path.name)
def test_no_expression_inside_run(path: Path) -> None:
    """Values reach a shell through env:, never as ${{ }} pasted into the script."""
    for step in steps_of(load(path)):
        assert "${{" not in step.get("run", ""), step


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_least_privilege(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}
    assert "pull_request_target" not in workflow["on"]
    for job in workflow["jobs"].values():
        assert "permissions" in job
        assert "write-all" not in str(job["permissions"])
    for step in steps_of(workflow):
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def test_the_composite_action_takes_inputs_through_env() -> None:
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    texts = [str(step.get("env", {})) for step in steps_of(action)]
    for name in action["inputs"]:
        assert any(f"inputs.{name}" in text for text in texts), name


def test_the_pre_commit_hook_sees_the_whole_register() -> None:
    hooks: list[dict[str, Any]] = YAML(typ="safe").load(
        (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    )
    [hook] = hooks
    assert hook["entry"] == "portcheck check --staged"
    assert hook["pass_filenames"] is False
    assert hook["require_serial"] is True
    assert hook["always_run"] is True  # a commit that only deletes a file runs it too
