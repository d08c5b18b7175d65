"""Shared fixtures: registers built from dicts of files in tmp_path, checked for real."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

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


def on_branch(
    repo: Path, branch: str, files: Mapping[str, str | None], start: str = "main"
) -> None:
    """Check out a new ``branch`` from ``start`` and commit ``files`` (None deletes)."""
    git(repo, "checkout", "-q", "-b", branch, start)
    edit(repo, files)
    commit_all(repo, branch)


def edit(repo: Path, files: Mapping[str, str | None]) -> None:
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


# Output parsers: what a reader of each format (GitHub's runner, a GFM renderer) sees.

#: The runner's parser for workflow commands (actions/runner ActionCommand.TryParseV2).
WORKFLOW_COMMAND = re.compile(r"^::(?P<command>[a-z-]+)(?: (?P<properties>[^:]*))?::(?P<data>.*)$")


def unescape_command(text: str, *, prop: bool = False) -> str:
    pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else [])
    for escaped, char in [*pairs, ("%25", "%")]:
        text = text.replace(escaped, char)
    return text


def parse_commands(text: str) -> list[tuple[str, dict[str, str], str]]:
    """Every line of ``text`` as (command, properties, data); fails on any other line."""
    commands = []
    for line in text.splitlines():
        match = WORKFLOW_COMMAND.match(line.lstrip())
        assert match, f"not a workflow command: {line!r}"
        properties = dict(
            pair.split("=", 1) for pair in (match["properties"] or "").split(",") if pair
        )
        commands.append(
            (
                match["command"],
                {key: unescape_command(value, prop=True) for key, value in properties.items()},
                unescape_command(match["data"]),
            )
        )
    return commands


#: A GFM table row.
MD_ROW = re.compile(r"^\|.*\|$")


def table_cells(line: str) -> list[str]:
    """Cells of a GFM table row: split on pipes that are not backslash-escaped."""
    return re.split(r"(?<!\\)\|", line.strip())[1:-1]


def files_and_bytes(root: Path) -> dict[Path, bytes]:
    """Every file under ``root`` with its content: compare before and after to prove
    that a command wrote nothing."""
    return {path: path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


# A policy small enough to fill by hand, for the lifecycle commands' tests: tcp may
# use 2000-2009 and 3000-3004 except the reserved 2003-2004; udp may use 2000-2009
# (the reserved block is tcp only); the largest block is 8 ports.
SMALL_POLICY = """\
protocols: [tcp, udp]
ranges:
  tcp: ["2000-2009", "3000-3004"]
  udp: ["2000-2009"]
reserved:
  - {port: "0-1023", reason: "system ports"}
  - {port: "2003-2004", protocol: tcp, reason: "legacy"}
scopes: [global, prod, prod/eu, prod/us, staging]
review_days: 365
quarantine_days: 90
max_range: 8
platform: "@acme/platform"
"""

OWNER = "@acme/team"


def claim_args(service: str = "new", *extra: str, protocol: str = "tcp") -> list[str]:
    """``portcheck claim`` arguments for a valid request as of AS_OF."""
    return [
        "claim",
        service,
        "--protocol",
        protocol,
        "--owner",
        OWNER,
        "--description",
        "A new service",
        "--as-of",
        "2026-11-27",
        *extra,
    ]


@contextlib.contextmanager
def unprivileged() -> Iterator[None]:
    """Run the block without root's power to read every file: as root (CI), with the
    effective user ``nobody``; otherwise as the user, whom chmod already restricts."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def shared_tmp(tmp_path: Path) -> Path:
    """A folder under ``tmp_path`` that ``unprivileged()`` code can reach and read."""
    for folder in (tmp_path, *tmp_path.parents):
        if folder == Path(tempfile.gettempdir()):
            break
        folder.chmod(folder.stat().st_mode | 0o755)
    return tmp_path


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


def mutants(seed: int, count: int) -> list[bytes]:
    """``count`` mutants of the example register's files: bytes dropped, repeated or
    replaced by YAML's indicators, spaces and line breaks (the same ``seed``, the same
    mutants)."""
    import random

    rng = random.Random(seed)
    repo = Path(__file__).resolve().parents[1]
    originals = [path.read_bytes() for path in sorted((repo / "ports").rglob("*.yaml"))]
    pieces = [b" ", b"\n", b":", b"- ", b"#", b"'", b'"', b"[", b"]", b",", b"\t", b"0"]
    texts = []
    for _ in range(count):
        data = bytearray(rng.choice(originals))
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(data))
            data[at : at + rng.randint(0, 3)] = rng.choice(pieces)
        texts.append(bytes(data))
    return texts


def cache_parts(cache: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """A check cache file's header and sections (portcheck/cache/store.py: the
    sections, a header line of JSON, a SHA-256 line), read without portcheck."""
    from portcheck.cache import CACHE_FILE

    body = (cache / CACHE_FILE).read_bytes().rpartition(b"\n")[0]
    rest, _, line = body.rpartition(b"\n")
    header: dict[str, Any] = json.loads(line)
    sections, start = {}, 0
    for name, length in header["sections"]:
        sections[name] = rest[start : start + length]
        start += length
    assert start == len(rest)
    return header, sections
