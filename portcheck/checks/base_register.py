"""The register as it was at the base commit, built from the head's and git's files.

A file the change did not touch is the same bytes at the base, so its loaded
entry (or its loading finding) is reused; only the touched files are read from
git, each through the same checks as a file on disk: PC103 for a symlink or a
bad name, the 64 KiB limit before reading (an old 1.7 MB file is never parsed),
then parsing and the schema stage. CODEOWNERS and the policy come from the
small scratch copy of the base (portcheck.checks.base_tree).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

from portcheck.checks.git_diff import Change
from portcheck.codeowners import load_codeowners
from portcheck.errors import UsageError
from portcheck.finding import Finding, escape_controls
from portcheck.judge.one import Accepted, judge
from portcheck.load import (
    BESIDE,
    EXTENSION,
    MAX_BYTES,
    REGISTER,
    allocation_id,
    file_problem,
    too_large,
)
from portcheck.model import Policy
from portcheck.register import Entry, Register

_GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
_SYMLINK, _REGULAR = "120000", ("100644", "100755")


@dataclasses.dataclass(frozen=True)
class _Unlisted:
    finding: Finding


@dataclasses.dataclass(frozen=True)
class _Blob:
    path: str  # root-relative
    mode: str
    sha: str
    size: int  # -1 for what is not a blob (a submodule)


def base_register(
    change: Change,
    scratch: Path,
    head: tuple[Register, list[Finding]],
    policy: Policy,
    today: dt.date,
) -> tuple[Register, list[Finding]]:
    """The base's register (rooted at ``scratch``) and its loading findings."""
    register, loaded = head
    touched = {path for path in change.touched if path.startswith(REGISTER + "/")}
    entries = [entry for entry in register.entries if entry.path not in touched]
    ids = {ident: [p for p in held if p not in touched] for ident, held in register.ids.items()}
    failed = {path for path in register.load_failed if path not in touched}
    findings = [finding for finding in loaded if finding.path not in touched]
    for blob, result in _load(change, touched - change.added):
        if isinstance(result, _Unlisted):  # PC103: not an allocation file at all
            failed.add(blob.path)
            findings.append(result.finding)
            continue
        ident = allocation_id(blob.path.rpartition("/")[2])
        assert ident is not None  # file_problem() reports every name that is not an id
        ids.setdefault(ident, []).append(blob.path)
        if isinstance(result, Entry):
            entries.append(result)
        elif isinstance(result, Finding):
            failed.add(blob.path)
            findings.append(result)
        else:
            findings.extend(result)
    base = Register(
        root=scratch,
        policy=policy,
        entries=tuple(sorted(entries, key=lambda entry: entry.path)),
        ids={ident: tuple(held) for ident, held in ids.items() if held},
        load_failed=frozenset(failed),
        today=today,
        codeowners=load_codeowners(scratch),
    )
    return base, findings


def _load(
    change: Change, paths: set[str]
) -> Iterator[tuple[_Blob, _Unlisted | Entry | Finding | list[Finding]]]:
    if not paths:
        return
    blobs = [blob for blob in _listed(change, paths) if blob.path in paths]
    small = [b for b in blobs if b.mode in _REGULAR and 0 <= b.size <= MAX_BYTES]
    contents = _contents(change.root, [blob.sha for blob in small])
    for blob in blobs:
        name = blob.path.rpartition("/")[2]
        symlink, regular = blob.mode == _SYMLINK, blob.mode in _REGULAR
        if regular and name in BESIDE:
            continue
        problem = file_problem(blob.path, name, symlink=symlink, regular=regular)
        if problem is not None:
            yield blob, _Unlisted(problem)
        elif blob.size > MAX_BYTES:
            yield blob, too_large(blob.path)
        else:
            yield blob, _parsed(blob.path, contents[blob.sha])


def _parsed(path: str, data: bytes) -> Entry | Finding | list[Finding]:
    judged = judge(data, path)
    if not isinstance(judged, Accepted):
        return judged
    ident = path.rpartition("/")[2].removesuffix(EXTENSION)
    return Entry(path, ident, judged.facts, loaded=judged.loaded)


#: Paths a change touched from which the base's whole listing is read instead of
#: theirs alone (a command line has a limit; the listing is 0.5 s at 100,000 files).
_NAMED_MAX = 500


def _listed(change: Change, paths: set[str]) -> Iterator[_Blob]:
    """The files under ports/ at the base commit, with their mode and size: those in
    ``paths`` (and perhaps others)."""
    named = sorted(paths) if len(paths) <= _NAMED_MAX else [REGISTER]
    listing = _git(change.root, ["ls-tree", "-r", "-l", "-z", change.commit, "--", *named])
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, _kind, sha, size = meta.decode().split()
        yield _Blob(os.fsdecode(path), mode, sha, int(size) if size.isdigit() else -1)


def _contents(root: Path, shas: list[str]) -> dict[str, bytes]:
    """The blobs, each at most 64 KiB (sizes are checked before asking)."""
    if not shas:
        return {}
    output = _git(root, ["cat-file", "--batch"], "".join(f"{sha}\n" for sha in shas).encode())
    contents: dict[str, bytes] = {}
    offset = 0
    while offset < len(output):
        header_end = output.index(b"\n", offset)
        sha, _kind, size = output[offset:header_end].decode().split()
        start = header_end + 1
        contents[sha] = output[start : start + int(size)]
        offset = start + int(size) + 1
    return contents


def _git(root: Path, args: list[str], given: bytes | None = None) -> bytes:
    done = subprocess.run(
        ["git", "--literal-pathspecs", "-C", str(root), *args],
        input=given,
        capture_output=True,
        check=False,
        env={**os.environ, **_GIT_ENV},
    )
    if done.returncode != 0:
        lines = done.stderr.decode(errors="replace").strip().splitlines() or ["no message"]
        raise UsageError(f"--base: git {args[0]} failed: {escape_controls(lines[0])}")
    return done.stdout
