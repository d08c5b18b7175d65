"""Git asked in the background: started at once, its output read when first needed,
so that it lists while this process walks the register or reads the cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import IO

GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
#: Git runs behind this process (a lower priority): on a machine with as many cores
#: as there are gits and this process, it would take CPU time from the run it is
#: meant to run beside; it need only finish by the time its answer is asked for.
_BEHIND = ("nice", "-n", "10") if shutil.which("nice") else ()


class GitAnswer:
    """The output of `git -C root ARGS...`; None when git is missing or fails.

    Git writes to a temporary file, not a pipe: a listing of 100,000 files is 9 MB,
    and git would stop at a pipe's 64 KiB until asked, not list in the background.
    """

    def __init__(self, root: Path, *args: str) -> None:
        self._output: bytes | None = None
        self._file: IO[bytes] | None = None
        try:
            self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _close())
            self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
                [*_BEHIND, "git", "-C", str(root), *args],
                stdout=self._file,
                stderr=subprocess.DEVNULL,
                env={**os.environ, **GIT_ENV},
            )
        except OSError:
            self._process = None
            self._close()

    def output(self) -> bytes | None:
        process, self._process = self._process, None
        if process is not None:
            try:
                process.wait(timeout=60)
            except subprocess.SubprocessError:
                process.kill()
                process.wait()
            if process.returncode == 0 and self._file is not None:
                self._file.seek(0)
                self._output = self._file.read()
            self._close()
        return self._output

    def stop(self) -> None:
        """Stop git if its answer was never asked for (the run stopped early)."""
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            process.kill()
            process.wait()
        self._close()

    def _close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
