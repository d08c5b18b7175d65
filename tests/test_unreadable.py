"""Folders and files the system will not let portcheck read: findings or one line, never
a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from portcheck.load import walk
from tests.conftest import allocation, cli, located, run, shared_tmp, unprivileged, write_register

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def register(tmp_path: Path) -> Path:
    root = write_register(shared_tmp(tmp_path), {"ports/team/svc.yaml": allocation()})
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    # Once with privileges, so every module the command imports lazily is loaded before
    # the unprivileged user (who may not read the interpreter's folders) runs it.
    assert cli("check", "--root", str(root), "--as-of", "2026-11-27")[0] == 0
    return root


def test_an_unreadable_folder_under_ports_is_a_located_finding(tmp_path: Path) -> None:
    root = register(tmp_path)
    (root / "ports/team").chmod(0)
    try:
        with unprivileged():
            found = [(path, problem) for path, problem in walk(root) if problem]
            code, out, err = cli("check", "--root", str(root), "--as-of", "2026-11-27")
    finally:
        (root / "ports/team").chmod(0o755)
    assert located(problem for _, problem in found) == [("ports/team", 1, 1, "PC103")]
    assert found[0][1].message == "cannot read: Permission denied"
    assert code == 1
    assert out.startswith("ports/team:1:1: PC103 bad-file cannot read: Permission denied")
    assert err.startswith("Found 1 error")


@pytest.mark.parametrize("folder", ["ports", "schema"])
def test_an_unreadable_ports_or_schema_folder_is_one_line(tmp_path: Path, folder: str) -> None:
    root = register(tmp_path)
    (root / folder).chmod(0)
    try:
        with unprivileged():
            code, out, err = cli("check", "--root", str(root), "--as-of", "2026-11-27")
    finally:
        (root / folder).chmod(0o755)
    if folder == "ports":
        assert code == 1
        assert err.startswith("Found 1 error")
        assert out.startswith("ports:1:1: PC103 bad-file cannot read: Permission denied")
    else:
        assert (code, out) == (2, "")
        assert err.count("\n") == 1
        assert "Permission denied" in err


def test_renew_says_a_file_cannot_be_read(tmp_path: Path) -> None:
    root = register(tmp_path)
    svc = root / "ports/team/svc.yaml"
    svc.chmod(0)
    try:
        with unprivileged():
            code, out, err = cli("renew", "svc", "--root", str(root))
    finally:
        svc.chmod(0o644)
    assert (code, out) == (1, "")
    assert err == (
        "portcheck: error: ports/team/svc.yaml:1:1: PC103 cannot read: Permission denied; "
        "fix it first (portcheck check)\n"
    )
    assert svc.read_text(encoding="utf-8") == allocation()


def test_an_unreadable_github_folder_is_not_taken_for_a_missing_codeowners(
    tmp_path: Path,
) -> None:
    root = register(tmp_path)
    (root / ".github").chmod(0)
    try:
        with unprivileged():
            found = [f for f in run(root) if f.code == "PC502"]
            code, _, err = cli("codeowners", "--write", "--root", str(root))
    finally:
        (root / ".github").chmod(0o755)
    assert located(found) == [(".github/CODEOWNERS", 1, 1, "PC502")]
    assert found[0].message == "unreadable (Permission denied)"
    assert code == 2
    assert err == (
        "portcheck: error: .github/CODEOWNERS: unreadable (Permission denied); "
        "fix that before portcheck updates it\n"
    )
