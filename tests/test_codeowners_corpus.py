"""Real CODEOWNERS files (../shared/corpora/codeowners, see its SOURCE.md) read as GitHub would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from portcheck.codeowners.source import read

from .conftest import require_corpus

GITHUB_FILES = [
    "home-assistant__core/CODEOWNERS",
    "istio__istio/CODEOWNERS",
    "microsoft__vscode/.github/CODEOWNERS",
    "nodejs__node/.github/CODEOWNERS",
    "python__cpython/.github/CODEOWNERS",
]
GITLAB = "gitlabhq__gitlabhq/.gitlab/CODEOWNERS"


def corpus() -> Path:
    return require_corpus("codeowners")


def test_every_file_is_read_in_bounded_time() -> None:
    # Parse every file and look up every path it names, in a child with a deadline:
    # a file of 1,900 lines must not take more than moments, whatever its patterns.
    program = f"""
import pathlib, sys
from portcheck.codeowners.source import read
for file in sorted(pathlib.Path({str(corpus())!r}).rglob("CODEOWNERS")):
    ruleset, problems, unread = read(file)
    assert not unread, file
    for rule in ruleset.rules:
        ruleset.owners_of(rule.pattern.text.strip("/").replace("*", "x") + "/file.txt")
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "ok\n", "")


@pytest.mark.parametrize("name", GITHUB_FILES)
def test_files_written_for_github_have_no_problem(name: str) -> None:
    ruleset, problems, unread = read(corpus() / name)
    assert (problems, unread) == ((), False)
    assert ruleset.rules


def test_gitlab_sections_and_negations_are_each_pc502_at_column_1() -> None:
    file = corpus() / GITLAB
    lines = file.read_text(encoding="utf-8").split("\n")
    headers = {n for n, line in enumerate(lines, 1) if line.startswith(("[", "^["))}
    negated = {n for n, line in enumerate(lines, 1) if line.startswith("!")}
    assert (len(headers), len(negated)) == (74, 11)  # as SOURCE.md describes the file
    _, problems, _ = read(file)
    at_column_1 = {p.line for p in problems if p.column == 1}
    assert headers | negated == at_column_1
    assert {p.line for p in problems if p.message.startswith("a GitLab section")} == headers
    assert {p.line for p in problems if p.message.startswith("`!` negation")} == negated


def test_gitlab_owners_github_cannot_resolve_are_pc502_where_they_start() -> None:
    _, problems, _ = read(corpus() / GITLAB)
    owners = [p for p in problems if "is not an owner" in p.message]
    # Nested groups (@org/group/team) and dotted logins (@first.last) are GitLab's.
    assert owners
    assert all(p.column > 1 for p in owners)
    assert (5, 3) in {(p.line, p.column) for p in owners}  # `* @gitlab-org/maintainers/...`


CPYTHON, ISTIO, HASS = GITHUB_FILES[4], GITHUB_FILES[1], GITHUB_FILES[0]
NODE, VSCODE = GITHUB_FILES[3], GITHUB_FILES[2]
IMPORT_OWNERS = ("@brettcannon", "@ericsnowcurrently", "@ncoghlan", "@warsaw", "@kumaraditya303")


@pytest.mark.parametrize(
    ("name", "path", "line", "owners"),
    [
        # owner-less exclusion lines at the end unown what they match
        (CPYTHON, "Modules/_blake2/clinic/blake2b.c.h", 584, ()),
        (CPYTHON, ".mailmap", 581, ()),
        (CPYTHON, "Objects/dictobject.c", 64, ("@methane", "@markshannon")),
        (CPYTHON, "Lib/json/__init__.py", None, None),
        # the later, literal line wins over `**/*import*` on line 116
        (CPYTHON, "Python/import.c", 117, IMPORT_OWNERS),
        (ISTIO, "pilot/pkg/security/x.go", 15, ("@istio/wg-security-maintainers",)),
        (ISTIO, "Makefile.core.mk", 11, ("@istio/wg-test-and-release-maintainers",)),
        # `dir/*` owns direct children only
        (HASS, "homeassistant/components/zwave_js/api.py", 1188, ("@home-assistant/z-wave",)),
        (HASS, "homeassistant/components/zwave_js/sub/x.py", None, None),
        (NODE, "common.gypi", 111, ("@nodejs/gyp",)),
        (NODE, "deps/v8/BUILD.gn", 178, ("@nodejs/security-wg",)),
        (VSCODE, "src/vscode-dts/vscode.d.ts", 3, ("@jrieken", "@mjbvz")),
        # an escaped space; and a GitLab line that is ownerless on GitHub (no sections)
        (
            GITLAB,
            ".gitlab/merge_request_templates/Security Fix.md",
            1909,
            ("@gitlab-org/delivery",),
        ),
        (GITLAB, "app/models/user.rb", 54, ()),
    ],
)
def test_who_owns_what(
    name: str, path: str, line: int | None, owners: tuple[str, ...] | None
) -> None:
    ruleset, _, _ = read(corpus() / name)
    decided = ruleset.owners_of(path)
    got = None if decided is None else (decided.line, decided.owners)
    assert got == (None if line is None else (line, owners))
