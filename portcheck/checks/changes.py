"""`check --base REF`: what a change did, the diff rules PC700-PC702, and who it blocks.

The change is the working tree against REF, tracked and untracked files alike,
because `check` reads every file on disk (docs/file-format.md). Old contents come from
`git show`, parsed and validated exactly as the register is. A finding on a
file the change did not touch becomes a warning, so an old problem elsewhere
never blocks an unrelated pull request; it stays an error when it points at a
touched allocation (both sides of a collision with a new claim), and a change
under `schema/` touches every file (README, Checking a pull request).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

from portcheck.errors import UsageError
from portcheck.finding import Finding, Location, Severity, plural, printable
from portcheck.load import EXTENSION, REGISTER, allocation_id, parse_document
from portcheck.model import Allocation
from portcheck.model.dates import reclaimable_on
from portcheck.model.validate import validate_allocation
from portcheck.register import Entry, Register
from portcheck.rules import POLICY_AND_ALLOCATIONS_TOGETHER, RELEASED_WITHOUT_RETIRING, RENUMBERED

SCHEMA = "schema"
POLICY_PATH = "schema/policy.yaml"
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

    @functools.cached_property
    def judges_everything(self) -> bool:
        """A policy or schema change can turn any file's finding on or off."""
        return any(_under(path, SCHEMA) for path in self.touched)

    def involves(self, finding: Finding) -> bool:
        """The finding is on a touched file, or points at a touched allocation (the other
        side of a collision or a duplicate id). A related CODEOWNERS line does not count:
        most claims touch CODEOWNERS (`portcheck codeowners --write`)."""
        related = (loc.path for loc in finding.related if _under(loc.path, REGISTER))
        paths = (finding.path, *related)
        return self.judges_everything or any(path in self.touched for path in paths)


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


def old_allocation(change: Change, path: str) -> Allocation | None:
    """The allocation ``path`` held at the base, or None when it was not a valid one."""
    try:
        data = _git(change.root, "show", f"{change.commit}:./{path}")
    except _GitFailed:
        return None
    document = parse_document(data, path)
    if isinstance(document, Finding):
        return None
    validated = validate_allocation(document)
    return None if isinstance(validated, list) else validated


def check(change: Change, register: Register) -> Iterator[Finding]:
    """PC700, PC701 and PC702 for ``change`` on the loaded ``register``."""
    entries = {entry.path: entry for entry in register.entries}
    moved = _moves(change)
    for old_path, new_path in sorted(moved.items()):
        yield from _renumbered(change, old_path, entries.get(new_path))
    for path in sorted(_allocations(change.modified)):
        yield from _renumbered(change, path, entries.get(path))
    for path in sorted(_allocations(change.deleted) - moved.keys()):
        yield from _released(change, path, register)
    yield from _together(change)


def _allocations(paths: Iterable[str]) -> set[str]:
    return {path for path in paths if _under(path, REGISTER) and path.endswith(EXTENSION)}


def _moves(change: Change) -> dict[str, str]:
    """Deleted allocation paths whose id was added elsewhere: a move between folders."""
    added = {allocation_id(path.rpartition("/")[2]): path for path in _allocations(change.added)}
    moves = {}
    for path in _allocations(change.deleted):
        ident = allocation_id(path.rpartition("/")[2])
        if ident is not None and ident in added:
            moves[path] = added[ident]
    return moves


def _renumbered(change: Change, old_path: str, entry: Entry | None) -> Iterator[Finding]:
    old = old_allocation(change, old_path) if entry is not None else None
    if entry is None or old is None:
        return  # a new file that failed loading or the schema has its own finding
    new = entry.allocation
    if new.span != old.span:
        message = f"port changed from {old.span} to {new.span}"
        yield _renumbering(entry, "port", message)
    if set(new.protocols) != set(old.protocols):
        message = f"protocol changed from {'/'.join(old.protocols)} to {'/'.join(new.protocols)}"
        yield _renumbering(entry, "protocol", message)


def _renumbering(entry: Entry, field: str, message: str) -> Finding:
    advice = ": claim the new one in a new file and retire this allocation"
    return RENUMBERED.finding(entry.document.locate((field,)), message + advice)


def _released(change: Change, path: str, register: Register) -> Iterator[Finding]:
    old = old_allocation(change, path)
    if old is None:
        return  # deleting a file that was broken at the base frees nothing anyone relied on
    ident = allocation_id(path.rpartition("/")[2])
    if ident is None:
        return  # a badly named file was never an allocation (PC103 at the base)
    at = Location(path)
    if old.status != "retired":
        yield RELEASED_WITHOUT_RETIRING.finding(
            at,
            f"deleted while {old.status}: run `portcheck retire {ident}` first, "
            "and delete the file once its quarantine is over",
        )
        return
    ends = reclaimable_on(old, register.policy)
    if ends is not None and register.today < ends:
        yield RELEASED_WITHOUT_RETIRING.finding(
            at, f"retired on {old.retired_on}, but its quarantine lasts until {ends}"
        )


def _together(change: Change) -> Iterator[Finding]:
    schema = sorted(path for path in change.touched if _under(path, SCHEMA))
    ports = [path for path in change.touched if _under(path, REGISTER)]
    if schema and ports:
        count = plural(len(ports), "file")
        yield POLICY_AND_ALLOCATIONS_TOGETHER.finding(
            Location(POLICY_PATH),
            f"this change edits {', '.join(schema)} and {count} under {REGISTER}/: "
            "merge the policy change on its own first",
        )


def downgrade(findings: Iterable[Finding], change: Change) -> list[Finding]:
    """Errors the change is not involved in become warnings (README, Checking a pull request)."""
    return [
        finding
        if finding.severity is Severity.WARNING or change.involves(finding)
        else finding.with_severity(Severity.WARNING)
        for finding in findings
    ]


def _under(path: str, folder: str) -> bool:
    return path.startswith(folder + "/")
