"""Atomic writes: a failed write leaves nothing behind, a finished one is durable."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from portcheck.actions.atomic import create_exclusive, replace

from .conftest import files_and_bytes

#: A lone surrogate cannot be encoded as UTF-8: the write fails after the
#: temporary file exists, which is the case the clean-up is for.
UNENCODABLE = "port: 8080\ndescription: \udc80\n"


def test_a_failed_replace_leaves_the_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a.yaml"
    target.write_text("port: 8080\n", encoding="utf-8")
    before = files_and_bytes(tmp_path)
    with pytest.raises(UnicodeEncodeError):
        replace(target, UNENCODABLE)
    assert files_and_bytes(tmp_path) == before


def test_a_failed_rename_leaves_no_temporary(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()  # os.replace cannot put a file over a folder
    (tmp_path / "taken" / "keep").write_text("x", encoding="utf-8")
    before = files_and_bytes(tmp_path)
    with pytest.raises(IsADirectoryError):
        replace(tmp_path / "taken", "port: 8080\n")
    assert files_and_bytes(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_a_failed_create_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a.yaml"
    target.write_text("mine\n", encoding="utf-8")
    with pytest.raises(FileExistsError):
        create_exclusive(target, "port: 8080\n")
    with pytest.raises(UnicodeEncodeError):
        create_exclusive(tmp_path / "b.yaml", UNENCODABLE)
    assert files_and_bytes(tmp_path) == {target: b"mine\n"}


def test_replace_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "a.yaml"
    target.write_text("port: 8080\n", encoding="utf-8")
    target.chmod(0o640)
    replace(target, "port: 8081\n")
    assert (target.read_text(encoding="utf-8"), stat.S_IMODE(target.stat().st_mode)) == (
        "port: 8081\n",
        0o640,
    )


@pytest.mark.parametrize(
    "write",
    [
        lambda path: replace(path, "port: 8081\n"),
        lambda path: create_exclusive(path.with_name("new.yaml"), "port: 8081\n"),
    ],
    ids=["replace", "create_exclusive"],
)
def test_the_folder_is_synced_after_the_new_name_is_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: Callable[[Path], None]
) -> None:
    target = tmp_path / "a.yaml"
    target.write_text("port: 8080\n", encoding="utf-8")
    synced: list[tuple[bool, list[str]]] = []
    real_fsync = os.fsync

    def recording_fsync(descriptor: int) -> None:
        is_folder = stat.S_ISDIR(os.fstat(descriptor).st_mode)
        synced.append((is_folder, sorted(p.name for p in tmp_path.iterdir())))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    write(target)
    # The last fsync is the folder's, once no temporary file is left in it.
    is_folder, names_then = synced[-1]
    assert is_folder
    assert names_then == sorted(p.name for p in tmp_path.iterdir())
    assert not any(name.endswith(".tmp") for name in names_then)
