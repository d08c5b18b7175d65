"""Files git ignores under ports/: not part of the register (README, "The register").

An editor's swap file or `.DS_Store` listed in `.gitignore` can never reach a
pull request, so a local run and the pre-commit hook must not report it as
PC103. Git is asked once per run, never per file; outside a git work tree (or
without git) nothing is ignored.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from portcheck.load.background import GitAnswer


def ask_ignored(root: Path, folder: str) -> Callable[[], frozenset[str]]:
    """Root-relative paths under ``folder`` that git ignores (an ignored folder ends in
    "/"), from git started now and read when the returned function is called: the
    register is walked meanwhile."""
    listing = GitAnswer(
        root,
        *("ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"),
        *("--", f"{folder}/"),
    )

    def answer() -> frozenset[str]:
        out = listing.output() or b""
        return frozenset(os.fsdecode(path) for path in out.split(b"\0") if path)

    return answer
