"""The change `check --base REF` judges: the working tree against a git commit.

Tracked and untracked files alike, because `check` reads every file on disk
(README, "The register").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import subprocess
from pathlib import Path

from portcheck.errors import UsageError
from portcheck.finding import printable
from portcheck.load import REGISTER

SCHEMA = "schema"
# No prompts, no pager, no user diff drivers: plumbing output only.
_GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C"}


@dataclasses.dataclass(frozen=True)
class Change:
    """Repo-relative paths the working tree added, modified or deleted since ``commit``."""

    root: Path
    commit: str
    added: frozenset[str]
    modified: frozenset[str]
    deleted: frozenset[str]

    @functools.cached_property
    def touched(self) -> frozenset[str]:
        return self.added | self.modified | self.deleted


def compare(root: Path, ref: str) -> Change:
    """The change from ``ref`` to the working tree; UsageError (exit 2) if git cannot say."""
    shown = printable(ref)
    try:
        verified = _git(
            root, "rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"
        )
        commit = verified.decode().strip()
        diff = ("diff", "--name-status", "-z", "--no-renames", "--relative", commit, "--")
        status = _git(root, *diff)
        untracked = _git(root, "ls-files", "-z", "-o", "--exclude-standard", "--", REGISTER, SCHEMA)
    except _GitFailed as failed:
        reason = failed.reason or f"no commit {shown} in {root}"
        raise UsageError(f"--base {shown}: {reason}") from None
    fields = [os.fsdecode(field) for field in status.split(b"\0")]
    by_status: dict[str, set[str]] = {"A": set(), "M": set(), "D": set()}
    for letter, path in zip(fields[0::2], fields[1::2], strict=False):
        by_status.get(letter[:1], by_status["M"]).add(path)  # T(ype), U(nmerged): modified
    new = {os.fsdecode(path) for path in untracked.split(b"\0") if path}
    return Change(
        root=root,
        commit=commit,
        added=frozenset(by_status["A"] | (new - by_status["D"])),
        modified=frozenset(by_status["M"] | (new & by_status["D"])),
        deleted=frozenset(by_status["D"] - new),
    )


class _GitFailed(Exception):
    def __init__(self, stderr: bytes) -> None:
        lines = stderr.decode(errors="replace").strip().splitlines()
        self.reason = f"git: {lines[0]}" if lines else ""


def _git(root: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            check=False,
            env={**os.environ, **_GIT_ENV},
        )
    except OSError as error:
        raise UsageError(f"--base: cannot run git: {error.strerror}") from None
    if done.returncode != 0:
        raise _GitFailed(done.stderr)
    return done.stdout


def change_date(change: Change, today: dt.date) -> dt.date:
    """When the change was made: its first commit's author date, else ``today`` (PC703).

    Not the date of the check: a change that retires a file today must still
    pass when the merge queue checks it a week later.
    """
    try:
        dates = _git(change.root, "log", "--format=%as", f"{change.commit}..HEAD", "--")
    except _GitFailed:
        return today
    days = [dt.date.fromisoformat(day) for day in dates.decode().split()]
    return min([today, *days])
