"""The check cache: each allocation file's schema-stage verdict, by path and git blob id.

A pull request touches a few files of a register of thousands; every other
file's verdict (its facts, or its findings) is what the last run found for the
same bytes at the same path. Blob ids come from one `git ls-files -s` call for
every tracked, unmodified file, started in the background while the register
is walked; other files are hashed as `git hash-object` would. The cache is one
JSON file under `--cache-dir` (README.md, "check"): the facts of the accepted
files as columns (model.facts), the findings of the others, closed by a
SHA-256 of its body and versioned by portcheck's version plus the policy and
schema contents. It is an input like any other: a damaged, truncated, foreign
or tampered cache is treated as absent, and a cache folder holding any
git-tracked file is never read nor written (a pull request must not ship its
own verdicts).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TypeGuard, cast

from portcheck import __version__
from portcheck.finding import Finding, Location
from portcheck.model.facts import FactReader, Facts, each_column
from portcheck.rules import BY_CODE

FORMAT = "portcheck-check-cache/4"
#: Verdicts from which the cache is written beside the checks (CheckCache.save): a
#: fork costs a few milliseconds, more than writing a small cache.
BACKGROUND_FROM = 5000
CACHE_FILE = "check.json"
#: A file's verdict: ("ok", its Facts), ("bad", schema findings) or ("load", its
#: PC10x finding), findings as rows without their path.
Verdict = tuple[str, object]


def blob_id(data: bytes) -> str:
    """The git blob id of ``data`` (`git hash-object`)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


class CheckCache:
    """Verdicts read from an earlier run, and the ones this run will save."""

    def __init__(self, folder: Path, root: Path, inputs: bytes) -> None:
        self.folder = folder
        self.stamp = [FORMAT, __version__, hashlib.sha256(inputs).hexdigest()]
        self.usable = not _tracked(root, folder)
        # Git lists the index while the cache is read; without a cache there is
        # nothing to recall, and the files are hashed as they are judged.
        found = self.usable and (folder / CACHE_FILE).is_file()
        self._index = _IndexBlobs(root) if found else None
        self.old = _read(folder / CACHE_FILE, self.stamp) if found else {}
        self.new: dict[str, tuple[str, Verdict]] = {}
        self.fresh = False  # a verdict not read from the cache was kept
        #: The blob ids of the register's files (vouched() fills it from git's listing,
        #: keyed by the walk's own path strings, so git's copies can go: 10 MiB).
        self._known: dict[str, str | None] | None = None
        self._writer: int | None = None  # the pid of a child writing the cache

    def holds_verdicts(self) -> bool:
        """True when an earlier run's verdicts were read (there is something to recall)."""
        return bool(self.old)

    def known_blob(self, relative: str) -> str | None:
        """The blob id git's index holds for an unmodified tracked file, else None."""
        if self._known is not None:
            return self._known.get(relative)
        return None if self._index is None else self._index.blobs().get(relative)

    def vouched(self, paths: Sequence[str]) -> list[Verdict | None]:
        """For each of ``paths``, its stored verdict when git's index says the file
        still holds the bytes it was judged on (kept for saving), else None. One pass
        for the whole register: this is most of a warm run's per-file work."""
        listed = {} if self._index is None else self._index.blobs()
        self._known = blobs = {path: listed.get(path) for path in paths}
        self._index = None
        old, new = self.old, self.new
        found: list[Verdict | None] = []
        for path in paths:
            stored = old.get(path)
            if stored is not None and stored[0] == blobs[path]:
                new[path] = stored
                found.append(stored[1])
            else:
                found.append(None)
        return found

    def verdict(self, relative: str, blob: str) -> Verdict | None:
        """The stored verdict on the file at ``relative`` when it held the same bytes."""
        stored = self.old.get(relative)
        return stored[1] if stored is not None and stored[0] == blob else None

    def keep(self, relative: str, blob: str, verdict: Verdict) -> None:
        stored = self.old.get(relative)
        self.new[relative] = (blob, verdict)
        self.fresh = self.fresh or stored is None or stored[1] is not verdict

    def close(self) -> None:
        """Stop git if it is still listing, and wait for the cache to be written."""
        if self._index is not None:
            self._index.close()
        if self._writer is not None:
            _wait(self._writer)
            self._writer = None

    def save(self) -> None:
        """Write this run's verdicts atomically (a failure to write only costs speed),
        then let go of them and of git's listing: 60 MiB at 100,000 files, which the
        checks that follow need room for. A large cache is written by a forked child
        while the checks run (close() waits for it): a third of a second at 100,000
        files that is otherwise on every run's path."""
        changed = self.usable and (self.fresh or len(self.new) != len(self.old))
        if self._index is not None:
            self._index.close()
        self.old, self._index = {}, None  # the blob ids to write are in self.new
        try:
            if changed and len(self.new) >= BACKGROUND_FROM:
                self._writer = _beside(self._write)
            elif changed:
                self._write()
        finally:
            self.new = {}

    def _write(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("*\n", encoding="utf-8")
            _replace(self.folder / CACHE_FILE, _encoded(self.stamp, self.new))
        except OSError:
            return


def _beside(work: Callable[[], None]) -> int | None:
    """Run ``work`` in a forked child and return its pid, or here where the OS has no
    fork (Windows) or refuses one (a process limit)."""
    fork = getattr(os, "fork", None)
    try:
        pid = None if fork is None else fork()
    except OSError:
        pid = None
    if pid is None:
        work()
    elif pid == 0:  # the child: write, and leave without the parent's exit handlers
        try:
            work()
        finally:
            os._exit(0)
    return pid


def _wait(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):  # already reaped
        os.waitpid(pid, 0)


def _encoded(stamp: list[str], verdicts: dict[str, tuple[str, Verdict]]) -> Iterator[str]:
    """The cache's JSON in pieces, a column or a thousand findings at a time, each
    through json.dumps's C encoder (iterencode is pure Python) and each let go of
    before the next is made."""
    accepted = [path for path, (_, kept) in verdicts.items() if kept[0] == "ok"]
    yield '{"stamp":' + json.dumps(stamp) + ',"accepted":{"path":' + json.dumps(accepted)
    yield ',"blob":' + json.dumps([verdicts[path][0] for path in accepted])
    facts = [cast(Facts, verdicts[path][1][1]) for path in accepted]
    yield ',"facts":{'
    for number, (name, column) in enumerate(each_column(facts)):
        yield ("," if number else "") + f'"{name}":' + json.dumps(column)
    refused = [(path, [blob, *kept]) for path, (blob, kept) in verdicts.items() if kept[0] != "ok"]
    yield '}},"refused":{'
    for start in range(0, len(refused), 1000):
        piece = dict(refused[start : start + 1000])
        yield ("," if start else "") + json.dumps(piece, separators=(",", ":"))[1:-1]
    yield "}}"


def finding_verdict(findings: list[Finding]) -> Verdict | None:
    """The findings of one file as a verdict, or None when one cannot be stored."""
    if any(finding.related for finding in findings):
        return None
    return "bad", [[f.code, f.line, f.column, f.message] for f in findings]


def verdict_findings(path: str, rows: object) -> list[Finding] | None:
    """The findings a stored verdict holds, at ``path``; None when it is malformed."""
    if not isinstance(rows, list) or not rows:
        return None
    found = []
    for row in rows:
        if not (isinstance(row, list) and len(row) == 4 and row[0] in BY_CODE):
            return None
        code, line, column, message = row
        if not (type(line) is int and type(column) is int and isinstance(message, str)):
            return None
        found.append(BY_CODE[code].finding(Location(path, line, column), message))
    return found


def _read(path: Path, stamp: list[str]) -> dict[str, tuple[str, Verdict]]:
    """path -> (blob id, verdict) of a sound cache for ``stamp``; {} for any other."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
        body, _, digest = raw.rpartition(b"\n")
        if hashlib.sha256(body).hexdigest().encode() != digest:
            return {}  # damaged or truncated
        parsed = json.loads(body)
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(parsed, dict) or parsed.get("stamp") != stamp:
        return {}  # another portcheck, policy or schema
    accepted, refused = parsed.get("accepted"), parsed.get("refused")
    if not (isinstance(accepted, dict) and isinstance(refused, dict)):
        return {}
    paths, blobs = accepted.get("path"), accepted.get("blob")
    if not (_strings(paths) and _strings(blobs) and len(paths) == len(blobs)):
        return {}
    facts = FactReader().read(accepted.get("facts"), len(paths))
    if facts is None:
        return {}  # tampered with: none of it is believed
    old: dict[str, tuple[str, Verdict]] = {
        path: (blob, ("ok", one)) for path, blob, one in zip(paths, blobs, facts, strict=True)
    }
    for relative, value in refused.items():
        if isinstance(value, list) and len(value) == 3 and value[1] in ("bad", "load"):
            blob, kind, rows = value
            if isinstance(blob, str):
                old[relative] = (blob, (kind, rows))
    return old


def _strings(values: object) -> TypeGuard[list[str]]:
    return isinstance(values, list) and set(map(type, values)) <= {str}


def _git(root: Path, *args: str) -> bytes | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, check=False, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _tracked(root: Path, folder: Path) -> bool:
    """True when git tracks any file in ``folder``: such a cache is never used."""
    listed = _git(root, "ls-files", "-z", "--", str(folder))
    return bool(listed)


class _IndexBlobs:
    """Blob ids of the tracked files under ports/ whose work-tree copy git sees
    unchanged. Git starts at once and is asked for its answer when first needed,
    so that it lists and compares while this process walks the register."""

    def __init__(self, root: Path) -> None:
        self._staged = _start(root, "ls-files", "-s", "-v", "-z", "--", "ports")
        self._changed = _start(root, "ls-files", "-m", "-z", "--", "ports")  # modified
        self._blobs: dict[str, str] | None = None

    def close(self) -> None:
        """Stop git if its answer was never asked for (the run stopped early)."""
        for process in (self._staged, self._changed):
            if process is not None and process.returncode is None:
                process.kill()
                process.communicate()

    def blobs(self) -> dict[str, str]:
        if self._blobs is None:
            staged, changed = _finish(self._staged), _finish(self._changed)
            self._staged = self._changed = None  # a Popen keeps what it read (9 MB)
            self._blobs = {} if staged is None or changed is None else _unchanged(staged, changed)
        return self._blobs


#: An entry of `git ls-files -s -v -z`: tag H (a plain tracked file: h is
#: assume-unchanged, S skip-worktree, whose changes `ls-files -m` would not report),
#: mode 100644 or 100755, the blob id, stage 0 (not in a merge conflict), the path.
_PLAIN_ENTRY = re.compile("(?<![^\0])H 1006[0-7][0-7] ([0-9a-f]+) 0\t([^\0]*)")


def _unchanged(staged: bytes, changed: bytes) -> dict[str, str]:
    blobs = {path: blob for blob, path in _PLAIN_ENTRY.findall(os.fsdecode(staged))}
    for path in os.fsdecode(changed).split("\0"):
        blobs.pop(path, None)
    return blobs


def _start(root: Path, *args: str) -> subprocess.Popen[bytes] | None:
    try:
        return subprocess.Popen(
            ["git", "-C", str(root), *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
    except OSError:
        return None


def _finish(process: subprocess.Popen[bytes] | None) -> bytes | None:
    if process is None:
        return None
    try:
        out, _ = process.communicate(timeout=60)
    except subprocess.SubprocessError:
        process.kill()
        process.communicate()
        return None
    return out if process.returncode == 0 else None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _replace(target: Path, chunks: Iterable[str]) -> None:
    """Write ``chunks`` and then the SHA-256 of what they hold on a last line, to a
    temporary file renamed over ``target``: streamed, never one string of it all."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".check.", suffix=".tmp")
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp's 0600 is not what a new file gets
        digest = hashlib.sha256()
        with os.fdopen(handle, "wb", buffering=1 << 20) as out:
            for chunk in chunks:
                data = chunk.encode()
                digest.update(data)
                out.write(data)
            out.write(b"\n" + digest.hexdigest().encode())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
