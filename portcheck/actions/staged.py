"""The register as it is staged in the git index: what a commit would hold.

A pre-commit hook must judge the commit, not the working tree: an untracked
colliding file must not block an unrelated commit, and a commit that only
deletes an allocation must be judged without it. The index's blobs for the
register (ports/, schema/, CODEOWNERS and the folders it protects) are written
into a fresh folder with `git checkout-index`, laid out as in the repository,
with an empty `.git` so its top level is found as in the repository.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from portcheck.codeowners.source import LOCATIONS, PROTECTED, git_top_level
from portcheck.errors import UsageError

#: Only the index is read: never a pager, never a prompt, never the user's config.
_GIT_ENV = {"GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1"}


def checkout_staged(root: Path, into: Path) -> Path:
    """Write the staged register at ``root`` under ``into``; the register's root there."""
    top = git_top_level(root)
    if top is None:
        raise UsageError(f"--staged: {root} is not inside a git repository")
    prefix = root.relative_to(top).as_posix() + "/" if root != top else ""
    specs = [prefix + folder for folder in ("ports", "schema", *PROTECTED)]
    specs += [".github", *LOCATIONS]
    listed = _git(top, "ls-files", "-z", "--", *dict.fromkeys(specs))
    staged = b"\0".join(dict.fromkeys(name for name in listed.split(b"\0") if name))
    (into / ".git").mkdir(parents=True)
    if staged:
        _git(top, "checkout-index", "-z", "--stdin", f"--prefix={into}/", stdin=staged + b"\0")
    register = into / prefix
    (register / "ports").mkdir(parents=True, exist_ok=True)
    return register


def _git(top: Path, *args: str, stdin: bytes = b"") -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(top), *args],
            input=stdin,
            capture_output=True,
            check=False,
            env={**os.environ, **_GIT_ENV},
        )
    except OSError as error:
        raise UsageError(f"--staged: cannot run git: {error.strerror}") from None
    if done.returncode != 0:
        first = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        raise UsageError(f"--staged: git {args[0]} failed: {' '.join(first)}")
    return done.stdout
