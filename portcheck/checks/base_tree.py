"""What the rules read besides ports/ at a commit, written to a small scratch folder.

`check --base` runs every rule on the base too (README, "How the gate
decides"). The allocations themselves come from git one by one
(portcheck.checks.base_register); this copies the rest the rules read: the
schema folder, the CODEOWNERS files and the folders CODEOWNERS must protect,
streamed from `git archive`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

from portcheck.codeowners.source import LOCATIONS, PROTECTED
from portcheck.errors import UsageError
from portcheck.load import REGISTER

#: What the rules read besides ports/, relative to the register root.
_FOLDERS = ("schema", *PROTECTED)
_TOP = {*_FOLDERS, *(location.split("/")[0] for location in LOCATIONS)}
_GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C"}


@contextlib.contextmanager
def checked_out(root: Path, commit: str) -> Iterator[Path | None]:
    """A scratch copy of the register root at ``commit``; None when it did not exist then."""
    with tempfile.TemporaryDirectory(prefix="portcheck-base-") as scratch:
        yield _extract(root, commit, Path(scratch))


def _extract(root: Path, commit: str, scratch: Path) -> Path | None:
    top, prefix = _git_text(root, "rev-parse", "--show-toplevel", "--show-prefix")
    tree = f"{commit}:{prefix}" if prefix else f"{commit}^{{tree}}"
    env = {**os.environ, **_GIT_ENV}
    names = subprocess.run(
        ["git", "-C", top, "ls-tree", "-z", "--name-only", tree],
        capture_output=True,
        check=False,
        env=env,
    )
    if names.returncode != 0:
        return None  # no such tree at that commit: the register did not exist yet
    wanted = sorted({os.fsdecode(n) for n in names.stdout.split(b"\0") if n} & _TOP)
    (scratch / REGISTER).mkdir()
    if not wanted:
        return scratch
    # From the top level: run in a subfolder, git archive limits itself to that folder.
    command = ["git", "-C", top, "archive", "--format=tar", tree, "--", *wanted]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
    ) as process:
        assert process.stdout is not None
        try:
            with tarfile.open(fileobj=process.stdout, mode="r|") as archive:
                for member in archive:
                    _write(archive, member, scratch)
        except tarfile.TarError:
            process.kill()
            return None  # no such tree at that commit: the register did not exist yet
    return scratch


def _wanted(name: str) -> bool:
    return name in LOCATIONS or name.split("/", 1)[0] in _FOLDERS


def _write(archive: tarfile.TarFile, member: tarfile.TarInfo, scratch: Path) -> None:
    name = member.name.rstrip("/")
    if not _wanted(name) or name.startswith("/") or ".." in name.split("/"):
        return
    target = scratch / name
    if member.isdir():
        target.mkdir(parents=True, exist_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.parent.resolve().is_relative_to(scratch.resolve()):
        return  # never write through a link the archive made
    if member.issym():
        os.symlink(member.linkname, target)  # reported as PC103, never followed
    elif member.isfile():
        source = archive.extractfile(member)
        assert source is not None
        with target.open("wb") as out:
            shutil.copyfileobj(source, out)


def _git_text(root: Path, *args: str) -> tuple[str, str]:
    """The first two lines git prints (the second may be empty)."""
    done = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **_GIT_ENV},
    )
    if done.returncode != 0:
        raise UsageError(f"--base: git {args[0]} failed in {root}")
    top, _, prefix = done.stdout.partition("\n")
    return top, prefix.strip()
