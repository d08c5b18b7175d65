"""Which files under ports/ git's index vouches for: their blob ids, listed by git
in the background while the register is walked."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from portcheck.load.background import GitAnswer


def git(root: Path, *args: str) -> bytes | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, check=False, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def tracked(root: Path, folder: Path) -> bool:
    """True when git tracks any file in ``folder``: such a cache is never used."""
    listed = git(root, "ls-files", "-z", "--", str(folder))
    return bool(listed)


class IndexBlobs:
    """Blob ids of the tracked files under ports/ whose work-tree copy git sees
    unchanged. Git starts at once and is asked for its answer when first needed,
    so that it lists and compares while this process walks the register."""

    def __init__(self, root: Path) -> None:
        self._staged = GitAnswer(root, "ls-files", "-s", "-v", "-z", "--", "ports")
        self._changed = GitAnswer(root, "ls-files", "-m", "-z", "--", "ports")  # modified
        self._blobs: dict[str, str] | None = None

    def close(self) -> None:
        self._staged.stop()
        self._changed.stop()

    def blobs(self) -> dict[str, str]:
        if self._blobs is None:
            staged, changed = self._staged.output(), self._changed.output()
            self._blobs = {} if staged is None or changed is None else _unchanged(staged, changed)
        return self._blobs


#: An entry of `git ls-files -s -v -z`: tag H (a plain tracked file: h is
#: assume-unchanged, S skip-worktree, whose changes `ls-files -m` would not report),
#: mode 100644 or 100755, the blob id, stage 0 (not in a merge conflict), the path.
_PLAIN_ENTRY = re.compile("(?<![^\0])H 1006[0-7][0-7] ([0-9a-f]+) 0\t([^\0]*)")


def _unchanged(staged: bytes, changed: bytes) -> dict[str, str]:
    blobs = {path: blob for blob, path in _PLAIN_ENTRY.findall(os.fsdecode(staged))}
    for path in os.fsdecode(changed).split("\0"):
        blobs.pop(path, None)
    return blobs
