"""examples/gitlab/.gitlab-ci.yml, the README's GitLab job: its shape, and its script
run for real (without the install lines) on a register with a collision."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from .conftest import allocation, write_register

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "gitlab" / ".gitlab-ci.yml"


def job() -> dict[str, Any]:
    found: dict[str, Any] = YAML(typ="safe").load(EXAMPLE.read_text(encoding="utf-8"))["portcheck"]
    return found


def test_the_job_runs_on_merge_requests_and_uploads_both_reports() -> None:
    portcheck = job()
    assert {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'} in portcheck["rules"]
    assert portcheck["artifacts"] == {
        "when": "always",
        "reports": {
            "codequality": "gl-code-quality-report.json",
            "junit": "portcheck-junit.xml",
        },
    }


def test_the_readme_shows_the_example() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert EXAMPLE.read_text(encoding="utf-8") in readme


def run_script(root: Path) -> subprocess.CompletedProcess[str]:
    """The script as GitLab runs it: one shell, stopping at the first failing line."""
    lines = [line for line in job()["script"] if "install" not in line]
    bin_dir = os.path.dirname(sys.executable)
    return subprocess.run(
        ["bash", "-e", "-c", "\n".join(lines)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"},
    )


def test_the_script_fails_on_errors_and_still_writes_both_reports(tmp_path: Path) -> None:
    root = write_register(
        tmp_path, {"ports/a.yaml": allocation(service="a"), "ports/b.yaml": allocation(service="b")}
    )
    done = run_script(root)
    assert done.returncode == 1, done.stderr
    issues = json.loads((root / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert [(i["location"]["path"], i["check_name"]) for i in issues] == [
        ("ports/a.yaml", "PC400"),
        ("ports/b.yaml", "PC400"),
    ]
    suite = ET.parse(root / "portcheck-junit.xml").getroot()
    assert [case.get("file") for case in suite.iter("testcase")] == ["ports/a.yaml", "ports/b.yaml"]
