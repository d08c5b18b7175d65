"""Files git ignores under ports/: not part of the register (README, "The register").

An editor's swap file or `.DS_Store` listed in `.gitignore` can never reach a
pull request, so a local run and the pre-commit hook must not report it as
PC103. Git is asked once per run, never per file; outside a git work tree (or
without git) nothing is ignored.
"""

from __future__ import annotations

import os
from pathlib import Path

from portcheck.load.background import GitAnswer


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

    def __call__(self) -> frozenset[str]:
        out = self._listing.output() or b""
        return frozenset(os.fsdecode(path) for path in out.split(b"\0") if path)

    def stop(self) -> None:
        """Stop git if the answer was never asked for."""
        self._listing.stop()


def ask_ignored(root: Path, folder: str) -> Ignored:
    """Ignored(root, folder): git asked now, answering when called."""
    return Ignored(root, folder)
