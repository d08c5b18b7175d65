"""Shared fixtures: registers built from dicts of files in tmp_path, checked for real."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from portcheck.finding import Finding

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPORA = SHARED / "corpora"
IN_CI = os.environ.get("CI", "").lower() == "true"

AS_OF = dt.date(2026, 11, 27)

POLICY = """\
protocols: [tcp, udp, sctp]
ranges:
  tcp: ["1024-29999", "61000-64999"]
  udp: ["1024-29999"]
  sctp: ["1024-29999"]
reserved:
  - {port: "0-1023", reason: "system ports, RFC 6335"}
  - {port: "30000-32767", protocol: tcp, reason: "Kubernetes NodePort range"}
  - {port: "32768-60999", reason: "Linux ephemeral range"}
  - {port: 5432, protocol: tcp, reason: "shared PostgreSQL"}
scopes: [global, prod, prod/eu, prod/us, staging]
review_days: 365
quarantine_days: 90
max_range: 64
platform: "@acme/platform"
"""


def allocation(**fields: object) -> str:
    """A valid allocation as YAML text; keyword arguments override or add fields
    (a value of None drops the field). Values are written verbatim."""
    base: dict[str, object] = {
        "service": "svc",
        "port": 8080,
        "protocol": "tcp",
        "owner": '"@acme/team"',
        "description": "A service",
        "allocated": "2026-03-14",
    }
    base.update(fields)
    return "".join(f"{key}: {value}\n" for key, value in base.items() if value is not None)


#: The default .github/CODEOWNERS of test registers: allocation() files are owned by
#: their default owner (and by @acme/payments, the owner in the shared corpora's
#: allocations), everything else (the protected paths) by POLICY's platform.
CODEOWNERS = """\
*        @acme/platform
/ports/  @acme/team @acme/payments
"""
CODEOWNERS_LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


def write_register(
    root: Path,
    files: dict[str, str],
    policy: str | None = POLICY,
    codeowners: str | None = CODEOWNERS,
) -> Path:
    """Write ``files`` (repo-relative path -> text, dedented) under ``root``.

    ``codeowners`` is written verbatim to .github/CODEOWNERS (None: no file), unless
    ``files`` holds a CODEOWNERS file of its own."""
    if policy is not None:
        files = {"schema/policy.yaml": policy, **files}
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
    if codeowners is not None and not any(path in files for path in CODEOWNERS_LOCATIONS):
        (root / ".github").mkdir(exist_ok=True)
        (root / ".github/CODEOWNERS").write_text(codeowners, encoding="utf-8", newline="")
    (root / "ports").mkdir(exist_ok=True)
    return root


def run(root: Path, as_of: dt.date = AS_OF, **options: object) -> list[Finding]:
    from portcheck.engine import check_register

    return check_register(root, as_of=as_of, **options).findings  # type: ignore[arg-type]


def located(findings: Iterable[Finding]) -> list[tuple[str, int, int, str]]:
    """The (path, line, column, code) of each finding: what tests compare."""
    return [(f.path, f.line, f.column, f.code) for f in findings]


def require_corpus(name: str) -> Path:
    """A folder of ../shared/corpora: a skip on a user's fresh clone, a failure in CI."""
    folder = CORPORA / name
    if not folder.is_dir():
        message = f"corpus {folder} not found (it sits beside the repository in CI)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return folder


def console_script(name: str = "portcheck") -> str:
    """An installed console script: beside this interpreter (the test environment's
    own bin/ or Scripts/), else on PATH; never a path of one particular machine."""
    found = shutil.which(name, path=os.path.dirname(sys.executable)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed beside {sys.executable} nor on PATH")
    return found


def cli(*args: str) -> tuple[int, str, str]:
    """Run portcheck in-process through typer's runner: (exit code, stdout, stderr)."""
    from portcheck.cli import app

    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


# Real git repositories for the diff-aware rules: a main branch, feature branches.
GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=GIT_ENV, check=True
    )
    return done.stdout


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)


def on_branch(repo: Path, branch: str, files: dict[str, str | None], start: str = "main") -> None:
    """Check out a new ``branch`` from ``start`` and commit ``files`` (None deletes)."""
    git(repo, "checkout", "-q", "-b", branch, start)
    edit(repo, files)
    commit_all(repo, branch)


def edit(repo: Path, files: dict[str, str | None]) -> None:
    """Write, or with None delete, exactly these files: nothing else changes."""
    for relative, text in files.items():
        target = repo / relative
        if text is None:
            target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")


#: Everything owned, so the ownership rules stay quiet in git tests.
GIT_CODEOWNERS = "* @acme/platform\n/ports/ @acme/team\n"


def new_repo(root: Path, files: dict[str, str]) -> Path:
    """A git repository whose main branch holds ``files``, a policy and CODEOWNERS."""
    write_register(root, {".github/CODEOWNERS": GIT_CODEOWNERS, **files})
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "base")
    return root


def require_npm_tool(variable: str, package: str) -> Path:
    """An npm tool that .ci/run installs into a temporary folder and names in
    ``variable``: a skip on a user's machine without it, a failure in CI."""
    found = os.environ.get(variable, "")
    if found and Path(found).exists():
        return Path(found)
    message = f"{variable} does not name {package} (.ci/run installs it with npm)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)
