"""A register inside a larger repository (infra/portreg): found from below, reported
with paths from the git top level, owned by the top level's CODEOWNERS."""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from .conftest import allocation, cli, console_script, git, write_register

SUB = "infra/portreg"
TOP_CODEOWNERS = "* @acme/platform\n/infra/portreg/ports/ @acme/team\n"


def monorepo(tmp_path: Path, codeowners: str = TOP_CODEOWNERS) -> Path:
    top = tmp_path / "mono"
    write_register(
        top / SUB,
        {"ports/a.yaml": allocation(service="a"), "ports/b.yaml": allocation(service="b")},
        codeowners=None,
    )
    (top / "app").mkdir()
    (top / "app" / "main.py").write_text("print('hi')\n", encoding="utf-8")
    (top / ".github").mkdir()
    (top / ".github" / "CODEOWNERS").write_text(codeowners, encoding="utf-8")
    git(top, "init", "-q", "-b", "main")
    return top


def check(top: Path, fmt: str, *args: str) -> str:
    code, out, err = cli("check", "--as-of", "2026-11-27", "--format", fmt, *args)
    assert code == 1, err
    return out


def test_annotations_name_paths_from_the_top_level(tmp_path: Path) -> None:
    top = monorepo(tmp_path)
    out = check(top, "github", "--root", str(top / SUB))
    assert out.splitlines()[0] == (
        "::error file=infra/portreg/ports/a.yaml,line=2,col=7,endLine=2,"
        "title=PC400 port-collision::tcp/8080 (global) also claimed by "
        "infra/portreg/ports/b.yaml:2:7; nearest free: 8079"
    )


def test_sarif_junit_and_codequality_paths_are_from_the_top_level(tmp_path: Path) -> None:
    top = monorepo(tmp_path)
    root = str(top / SUB)
    run_ = json.loads(check(top, "sarif", "--root", root))["runs"][0]
    where = run_["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert where == {"uri": "infra/portreg/ports/a.yaml", "uriBaseId": "%SRCROOT%"}
    assert run_["results"][0]["message"]["text"].endswith(
        "[infra/portreg/ports/b.yaml:2:7](1); nearest free: 8079"
    )
    suite = ET.fromstring(check(top, "junit", "--root", root))
    assert [case.get("file") for case in suite.iter("testcase")] == [
        "infra/portreg/ports/a.yaml",
        "infra/portreg/ports/b.yaml",
    ]
    issues = json.loads(check(top, "codequality", "--root", root))
    assert [i["location"]["path"] for i in issues] == [
        "infra/portreg/ports/a.yaml",
        "infra/portreg/ports/b.yaml",
    ]


def test_codeowners_patterns_are_from_the_top_level(tmp_path: Path) -> None:
    top = monorepo(tmp_path, codeowners="* @acme/platform\n/ports/ @acme/team\n")
    findings = json.loads(check(top, "json", "--root", str(top / SUB)))["findings"]
    assert sorted((f["path"], f["code"]) for f in findings if f["code"] != "PC400") == [
        ("infra/portreg/ports/a.yaml", "PC501"),
        ("infra/portreg/ports/b.yaml", "PC501"),
    ]
    assert findings[1]["message"].count(".github/CODEOWNERS:1") == 1


def test_run_from_inside_the_register_finds_it(tmp_path: Path) -> None:
    top = monorepo(tmp_path)
    done = subprocess.run(
        [console_script(), "check", "--as-of", "2026-11-27", "--format", "github"],
        cwd=top / SUB / "ports",
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("::error file=infra/portreg/ports/a.yaml,line=2,")


def test_run_from_elsewhere_in_the_repository_uses_the_top_level(tmp_path: Path) -> None:
    top = monorepo(tmp_path)
    done = subprocess.run(
        [console_script(), "check"], cwd=top / "app", capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert done.stderr.startswith("portcheck: error: schema/policy.yaml: cannot read")


def test_the_codeowners_block_uses_paths_from_the_top_level(tmp_path: Path) -> None:
    top = monorepo(tmp_path)
    code, out, err = cli("codeowners", "--root", str(top / SUB))
    assert code == 0, err
    rules = [line.split() for line in out.splitlines() if not line.startswith("#")]
    assert rules == [["/infra/portreg/ports/", "@acme/team"]]


def test_staged_in_a_monorepo_reports_from_the_top_level(tmp_path: Path) -> None:
    top = monorepo(tmp_path)
    git(top, "add", f"{SUB}/ports/a.yaml", f"{SUB}/schema", ".github")  # b.yaml stays untracked
    code, out, err = cli("check", "--staged", "--root", str(top / SUB), "--format", "json")
    assert code == 0, out + err
    git(top, "add", f"{SUB}/ports/b.yaml")
    code, out, _ = cli("check", "--staged", "--root", str(top / SUB), "--format", "json")
    assert code == 1
    assert [f["path"] for f in json.loads(out)["findings"]] == [
        "infra/portreg/ports/a.yaml",
        "infra/portreg/ports/b.yaml",
    ]


def test_codeowners_who_answers_from_the_top_level(tmp_path: Path) -> None:
    top = monorepo(tmp_path)
    code, out, _ = cli("codeowners", "--root", str(top / SUB), "--who", "ports/a.yaml")
    assert (code, out) == (
        0,
        "infra/portreg/ports/a.yaml: @acme/team "
        "(.github/CODEOWNERS:2: /infra/portreg/ports/ @acme/team)\n",
    )
