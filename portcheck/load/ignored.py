"""Files git ignores under ports/: not part of the register (README, "The register").

An editor's swap file or `.DS_Store` listed in `.gitignore` can never reach a
pull request, so a local run and the pre-commit hook must not report it as
PC103. Git is asked once per run, never per file; outside a git work tree (or
without git) nothing is ignored.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

_GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


def ask_ignored(root: Path, folder: str) -> Callable[[], frozenset[str]]:
    """Root-relative paths under ``folder`` that git ignores (an ignored folder ends in
    "/"), from git started now and read when the returned function is called: the
    register is walked meanwhile."""
    command = ["git", "-C", str(root), "ls-files", "-z", "--others", "--ignored"]
    command += ["--exclude-standard", "--directory", "--", f"{folder}/"]
    try:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **_GIT_ENV},
        )
    except OSError:
        return frozenset

    def answer() -> frozenset[str]:
        out, _ = process.communicate()
        if process.returncode != 0:
            return frozenset()
        return frozenset(os.fsdecode(path) for path in out.split(b"\0") if path)

    return answer
