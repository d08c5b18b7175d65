"""One register-wide lock around every read-decide-write (claim, renew, retire, reclaim,
codeowners --write).

Exclusive creation protects a path, not a port: two claims that read the
register at the same moment both see port 8080 free and write two files that
collide. Holding one lock from reading the register until the file is in place
makes such commands take turns. The lock is taken outside ``ports/`` (a file in
the git directory, which every worktree of the repository shares, else the
root folder itself), so it is never part of the register and a refused or dry
run command leaves nothing behind; the operating system drops the lock when its
holder dies, even by ``kill -9``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from portcheck.actions.atomic import sweep_temporaries
from portcheck.errors import Refused, UsageError
from portcheck.load import REGISTER

LOCK_NAME = "portcheck.lock"
#: Seconds to wait for another command's turn; a claim takes well under one.
TIMEOUT = 60.0
_POLL = 0.02


@contextlib.contextmanager
def register_lock(
    root: Path, timeout: float | None = None, *, sweep: bool = True
) -> Iterator[Path]:
    """Hold the register's lock, waiting at most ``timeout`` seconds (default TIMEOUT, or
    PORTCHECK_LOCK_TIMEOUT); yields what is locked.

    Once held, no other portcheck process is writing, so every temporary file of
    ours left under ``ports/`` is the leftover of a killed writer and goes
    (unless ``sweep`` is False: a dry run writes and removes nothing).
    """
    path = lock_path(root)
    try:
        handle = _open(path)
    except OSError:
        path = root  # a read-only git directory: the root folder stands in
        try:
            handle = _open(path)
        except OSError as error:
            raise UsageError(f"{path}: cannot take the register lock ({error.strerror})") from None
    try:
        _acquire(handle, path, _timeout(timeout))
        try:
            if sweep:
                sweep_temporaries(root / REGISTER)
            yield path
        finally:
            _release(handle)
    finally:
        os.close(handle)


def lock_path(root: Path) -> Path:
    """``portcheck.lock`` in the git directory all worktrees share, else the root itself."""
    common = _git_common_dir(root)
    return root if common is None else common / LOCK_NAME


def _timeout(given: float | None) -> float:
    if given is not None:
        return given
    try:
        return float(os.environ.get("PORTCHECK_LOCK_TIMEOUT", TIMEOUT))
    except ValueError:
        raise UsageError("PORTCHECK_LOCK_TIMEOUT is not a number of seconds") from None


def _git_common_dir(root: Path) -> Path | None:
    # A linked worktree's .git is a file; the common directory is the one all share.
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--git-common-dir"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    folder = done.stdout.strip()
    if done.returncode != 0 or not folder:
        return None
    found = root / folder
    return found if found.is_dir() else None


def _acquire(handle: int, path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not _try_lock(handle):
        if time.monotonic() >= deadline:
            raise Refused(
                f"another portcheck command held the register lock ({path}) for {timeout:g} s; "
                "try again when it has finished"
            )
        time.sleep(_POLL)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _open(path: Path) -> int:
        if path.is_dir():  # no lock on a folder here: a file beside the register
            path = path / ".portcheck-cache" / LOCK_NAME
            path.parent.mkdir(exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)

    def _try_lock(handle: int) -> bool:
        try:
            os.lseek(handle, 0, os.SEEK_SET)
            msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _release(handle: int) -> None:
        os.lseek(handle, 0, os.SEEK_SET)
        msvcrt.locking(handle, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _open(path: Path) -> int:
        # flock() works on a folder's descriptor too: no file needs creating.
        if path.is_dir():
            return os.open(path, os.O_RDONLY)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)

    def _try_lock(handle: int) -> bool:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _release(handle: int) -> None:
        fcntl.flock(handle, fcntl.LOCK_UN)
