"""Files git ignores under ports/: not part of the register (README, "The register").

An editor's swap file or `.DS_Store` listed in `.gitignore` can never reach a
pull request, so a local run and the pre-commit hook must not report it as
PC103. Git is asked once per run, never per file; outside a git work tree (or
without git) nothing is ignored.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from portcheck.load.background import GIT_ENV, GitAnswer


class IgnoredAmong(Protocol):
    """Which of the files a walk found (``paths``: allocation files, ``others``: the
    rest) git ignores; a path of an ignored folder's ends in "/"."""

    def __call__(self, paths: Sequence[str], others: Sequence[str]) -> frozenset[str]: ...


class Ignored:
    """Root-relative paths under a folder that git ignores (an ignored folder ends in
    "/"), from git started now and read when called: the register is walked, or the
    check cache read, meanwhile."""

    def __init__(self, root: Path, folder: str) -> None:
        self._listing = GitAnswer(
            root,
            *("ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"),
            *("--", f"{folder}/"),
        )

    def __call__(self, paths: Sequence[str] = (), others: Sequence[str] = ()) -> frozenset[str]:
        out = self._listing.output() or b""
        return frozenset(os.fsdecode(path) for path in out.split(b"\0") if path)

    def stop(self) -> None:
        """Stop git if the answer was never asked for."""
        self._listing.stop()


def check_ignored(root: Path, paths: Sequence[str]) -> frozenset[str]:
    """Which of ``paths`` git ignores, asked of `git check-ignore` (a tracked file is
    never ignored, as in the listing Ignored reads); nothing outside git."""
    if not paths:
        return frozenset()
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "check-ignore", "-z", "--stdin"],
            input="\0".join(paths).encode("utf-8", "surrogateescape"),
            capture_output=True,
            check=False,
            timeout=60,
            env={**os.environ, **GIT_ENV},
        )
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    if done.returncode not in (0, 1):  # 1: none is ignored; 128: not a git work tree
        return frozenset()
    return frozenset(os.fsdecode(path) for path in done.stdout.split(b"\0") if path)
