"""Writing files safely: never a half-written file, never an overwrite we did not mean.

A temporary file is written beside its target (a rename is atomic only within
one file system) under a name the loader skips (``load.is_temporary``), so a
process that is killed between writing and renaming leaves nothing that other
processes read as an allocation; the next command that takes the register
lock removes it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from portcheck.load import TEMPORARY_SUFFIX, is_temporary

#: What open() gives a new file before the umask: the mode of any file an editor creates.
_NEW_FILE_MODE = 0o666


class ChangedUnderneath(Exception):
    """The file is no longer what the edit was computed from."""


def create_exclusive(path: Path, text: str) -> None:
    """Create ``path`` holding ``text``; FileExistsError if anything is there already.

    The content is written to a temporary file first and then linked into place:
    link() fails if the name exists, so two concurrent writers cannot both
    succeed, and a reader never sees a partial file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _write_temporary(path, text)
    try:
        os.link(temporary, path)
    finally:
        os.unlink(temporary)
    _sync_folder(path.parent)


def replace(path: Path, text: str, expected: bytes | None = None) -> None:
    """Replace ``path`` with ``text`` atomically (temporary file + rename), keeping its mode.

    With ``expected``, the file must still hold exactly those bytes just before
    the rename (ChangedUnderneath otherwise): an edit computed from an older
    copy never silently overwrites a newer one.
    """
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    temporary = _write_temporary(path, text)
    try:
        if mode is not None:
            os.chmod(temporary, mode)
        if expected is not None and _current(path) != expected:
            raise ChangedUnderneath(str(path))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the new name itself durable: the file's own fsync covers its content, but
    a crash before the folder reaches the disk can still lose the link or rename."""
    descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def sweep_temporaries(folder: Path) -> None:
    """Remove every temporary file of ours under ``folder`` (call it holding the lock)."""
    for current, _, names in os.walk(folder):
        for name in names:
            if is_temporary(name):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(current, name))


def _current(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _write_temporary(beside: Path, text: str) -> str:
    # os.open with 0o666 lets the umask decide the mode, as for any new file;
    # mkstemp would force 0600.
    while True:
        name = str(beside.parent / f".{beside.name}.{secrets.token_hex(4)}{TEMPORARY_SUFFIX}")
        try:
            handle = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _NEW_FILE_MODE)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        os.unlink(name)
        raise
    return name
