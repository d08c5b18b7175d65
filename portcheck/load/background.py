"""Git asked in the background: started at once, its output read when first needed,
so that it lists while this process walks the register or reads the cache."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

_GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


class GitAnswer:
    """The output of `git -C root ARGS...`; None when git is missing or fails."""

    def __init__(self, root: Path, *args: str) -> None:
        self._output: bytes | None = None
        try:
            self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
                ["git", "-C", str(root), *args],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env={**os.environ, **_GIT_ENV},
            )
        except OSError:
            self._process = None

    def output(self) -> bytes | None:
        process, self._process = self._process, None  # a Popen keeps what it read
        if process is not None:
            try:
                out, _ = process.communicate(timeout=60)
            except subprocess.SubprocessError:
                process.kill()
                process.communicate()
                return None
            self._output = out if process.returncode == 0 else None
        return self._output

    def stop(self) -> None:
        """Stop git if its answer was never asked for (the run stopped early)."""
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            process.kill()
            process.communicate()
