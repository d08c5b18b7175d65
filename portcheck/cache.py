"""The check cache: each allocation file's schema-stage verdict, keyed by git blob id.

A pull request touches a few files of a register of thousands; every other
file's verdict (its data, or its findings) is what the last run found for the
same bytes. Keys are git blob ids (one `git ls-files -s` call gives them for
every tracked, unmodified file; other files are hashed as `git hash-object`
would). The cache is one JSON file under `--cache-dir` (README.md, "check"),
closed by a SHA-256 of its body and versioned by portcheck's version plus the
policy and schema contents. It is an input like any other: a damaged,
truncated or foreign cache is treated as absent, and a cache folder holding
any git-tracked file is never read nor written (a pull request must not ship
its own verdicts).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from portcheck import __version__
from portcheck.finding import Finding, Location
from portcheck.rules import BY_CODE

FORMAT = "portcheck-check-cache/2"
CACHE_FILE = "check.json"
#: A file's verdict: ("ok", [data, modeline or None]), ("bad", schema findings) or
#: ("load", its PC10x finding), findings without their path.
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
        self.blobs = _index_blobs(root) if self.usable else {}
        self.old = _read(folder / CACHE_FILE, self.stamp) if self.usable else {}
        self.new: dict[str, Verdict] = {}
        self.fresh = False  # a verdict not read from the cache was kept

    def known_blob(self, relative: str) -> str | None:
        """The blob id git's index holds for an unmodified tracked file, else None."""
        return self.blobs.get(relative)

    def verdict(self, blob: str) -> Verdict | None:
        return self.old.get(blob)

    def keep(self, blob: str, verdict: Verdict) -> None:
        self.new[blob] = verdict
        self.fresh = self.fresh or self.old.get(blob) is not verdict

    def save(self) -> None:
        """Write this run's verdicts atomically; a failure to write only costs speed."""
        if not self.usable or (not self.fresh and len(self.new) == len(self.old)):
            return  # unusable, or every verdict came from the cache: nothing to change
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("*\n", encoding="utf-8")
            _replace(self.folder / CACHE_FILE, _encoded(self.stamp, self.new))
        except OSError:
            return


def _encoded(stamp: list[str], verdicts: dict[str, Verdict]) -> Iterator[str]:
    """The cache's JSON in pieces of a thousand verdicts: json.dumps's C encoder
    per piece (iterencode is pure Python), without one string of it all."""
    yield '{"stamp":' + json.dumps(stamp) + ',"verdicts":{'
    blobs = list(verdicts)
    for start in range(0, len(blobs), 1000):
        piece = {blob: verdicts[blob] for blob in blobs[start : start + 1000]}
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


def _read(path: Path, stamp: list[str]) -> dict[str, Verdict]:
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
    verdicts = parsed.get("verdicts")
    if not isinstance(verdicts, dict):
        return {}
    return {
        blob: (value[0], value[1])
        for blob, value in verdicts.items()
        if isinstance(value, list) and len(value) == 2 and value[0] in ("ok", "bad", "load")
    }


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


def _index_blobs(root: Path) -> dict[str, str]:
    """Blob ids of tracked files under ports/ whose work-tree copy git sees unchanged."""
    # -v tags each entry: H for a plain tracked file; h (assume-unchanged) and S
    # (skip-worktree) are files whose changes `ls-files -m` would not report.
    staged = _git(root, "ls-files", "-s", "-v", "-z", "--", "ports")
    changed = _git(root, "ls-files", "-m", "-o", "-z", "--", "ports")
    if staged is None or changed is None:
        return {}
    dirty = set(changed.decode("utf-8", "surrogateescape").split("\0"))
    blobs = {}
    for record in staged.decode("utf-8", "surrogateescape").split("\0"):
        meta, _, path = record.partition("\t")
        fields = meta.split()
        # Mode 100644/100755 and stage 0: a plain file not in a merge conflict.
        plain = fields[:1] == ["H"] and fields[1].startswith("1006") and fields[3:] == ["0"]
        if plain and len(fields) == 4 and path not in dirty:
            blobs[path] = fields[2]
    return blobs


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
