"""Writing files safely: never a half-written file, never an overwrite we did not mean."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


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


def replace(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically (temporary file + rename), keeping its mode."""
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    temporary = _write_temporary(path, text)
    try:
        if mode is not None:
            os.chmod(temporary, mode)
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


def _write_temporary(beside: Path, text: str) -> str:
    handle, name = tempfile.mkstemp(prefix=f".{beside.name}.", suffix=".tmp", dir=beside.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        os.unlink(name)
        raise
    return name
