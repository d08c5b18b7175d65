"""The check cache: each allocation file's schema-stage verdict, by path and git blob id.

A pull request touches a few files of a register of thousands; every other
file's verdict (its facts, or its findings) is what the last run found for the
same bytes at the same path. Blob ids come from one `git ls-files -s` call for
every tracked, unmodified file, started in the background while the register
is walked; other files are hashed as `git hash-object` would. Git's index
vouches only for a file git stores as it is: where core.autocrlf is on or a file
has a text, crlf, eol, filter, ident or working-tree-encoding attribute, git's
clean conversion may change its bytes and the index holds the converted bytes'
id, so the file is hashed (cache.converted). An index written under a conversion
since turned off still holds converted ids, which git sees as unchanged until
`git add --renormalize` (README.md, "check").

The cache is one file under `--cache-dir` (README.md, "check"): a JSON header
(the other files' findings among it), then the accepted files' keys and their
facts packed as columns (cache.store, model.packing), closed by a SHA-256 of
its body and versioned by portcheck's version plus the policy and schema
contents. With the rows it says whether any two of them can collide (Stored.
apart), so a warm check sweeps only the claims that meet a changed file. It is
an input like any other: a damaged, truncated, foreign or tampered cache is
treated as absent, and a cache folder holding any git-tracked file is never
believed nor written (a pull request must not ship its own verdicts).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
from collections.abc import Callable, Sequence
from itertools import compress
from pathlib import Path

from portcheck import __version__
from portcheck.cache.converted import AutoCrlf
from portcheck.cache.index import IndexBlobs
from portcheck.cache.store import PATH_AT, Stored, Verdict, encoded, key, read, replace
from portcheck.finding import Finding, Location
from portcheck.load import REGISTER
from portcheck.load.background import GitAnswer
from portcheck.load.ignored import Ignored, check_ignored
from portcheck.model.columns import FactTable
from portcheck.rules import BY_CODE

FORMAT = "portcheck-check-cache/6"
#: Verdicts from which the cache is written beside the checks (CheckCache.save): a
#: fork costs a few milliseconds, more than writing a small cache.
BACKGROUND_FROM = 5000
CACHE_FILE = "check.cache"
#: Files not vouched for from which their stored rows are looked up in a table of
#: every key rather than searched for one by one (a search costs about a tenth of
#: making the table).
SEARCHED_UNTIL = 8
#: Re-judged files, per hundred verdicts, from which a large cache is rewritten.
REWRITE_PERCENT = 1


def blob_id(data: bytes) -> str:
    """The git blob id of ``data`` (`git hash-object`)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


class CheckCache:
    """Verdicts read from an earlier run (``stored``: the accepted files as rows of
    columns, the others' verdicts by path), found by path and blob id, and the
    verdicts this run saves (portcheck.judge.save)."""

    def __init__(
        self, folder: Path, root: Path, inputs: bytes, apart: Callable[[FactTable], bool]
    ) -> None:
        """``apart`` says whether no two rows of a table can collide: it is stored with
        the rows (Stored.apart), worked out as they are written."""
        self.folder = folder
        self._apart = apart
        self.stamp = [FORMAT, __version__, hashlib.sha256(inputs).hexdigest()]
        self.root = root
        found = (folder / CACHE_FILE).is_file()
        # Without a cache, git lists the ignored files while the cache is looked for
        # (for the walk); with one, git is asked about the few files the index does
        # not vouch for (ignored_among).
        self._ignored = None if found else Ignored(root, REGISTER)
        # Git says whether it tracks the cache, reads core.autocrlf and lists the index
        # while the cache is read; a tracked cache's contents are then dropped unused.
        tracking = GitAnswer(root, "ls-files", "-z", "--", str(folder))
        self._index = IndexBlobs(root, AutoCrlf(root)) if found else None
        stored = read(folder / CACHE_FILE, self.stamp) if found else None
        self.usable = not tracking.output()
        if not self.usable and self._index is not None:
            self._index.close()
            self._index = None
        self.stored = (stored if self.usable else None) or _EMPTY
        if self._ignored is None and not self.holds_verdicts():
            self._ignored = Ignored(root, REGISTER)  # nothing to vouch: listed after all
        #: What git's index vouches for, once rows_vouched() has asked (IndexBlobs).
        self._listed: set[str] = set()
        self._modified: set[str] = set()
        self._known: dict[str, str] | None = None  # listed_blob()
        self._searches = 0  # row_for()
        self._rows_of_keys: dict[str, int] | None = None
        self._writer: int | None = None  # the pid of a child writing the cache
        self._vouched: tuple[Sequence[str], list[int | Verdict | None]] | None = None

    def holds_verdicts(self) -> bool:
        """True when an earlier run's verdicts were read (there is something to recall)."""
        return bool(self.stored.keys or self.stored.refused)

    def ignored_among(self, paths: Sequence[str], others: Sequence[str]) -> frozenset[str]:
        """Which of the files a walk found git ignores (load.ignored.IgnoredAmong). Git
        never ignores a tracked file, so with an index to vouch for files only those
        it does not vouch for are asked about: none, or a pull request's few."""
        if self._ignored is not None:
            return self._ignored(paths, others)
        marks = self.rows_vouched(paths)
        modified = self._modified  # tracked too
        asked = [
            path
            for path, mark in zip(paths, marks, strict=True)
            if type(mark) is not int and path not in modified
        ]
        return check_ignored(self.root, [*asked, *others])

    def listed_blob(self, relative: str) -> str | None:
        """The blob id git's index holds for an unmodified plain tracked file, else None
        (and None for every file before rows_vouched() asked git). The first call
        reads every entry: worth it only when many files are not vouched for."""
        if self._known is None:
            self._known = {row_key[PATH_AT:]: row_key[:40] for row_key in self._listed}
            for path in self._modified:
                self._known.pop(path, None)
        return self._known.get(relative)

    def rows_vouched(self, paths: Sequence[str]) -> list[int | Verdict | None]:
        """For each of ``paths`` that git's index says still holds the bytes it was
        judged on: its row of the stored accepted files, or its stored verdict; None
        for the others. Then lets go of git's process (its listing stays, for
        listed_blob()). Asked twice about one list (ignored_among, then the judging),
        it answers once."""
        if self._vouched is not None and self._vouched[0] is paths:
            return self._vouched[1]
        if self._index is not None:
            self._listed, self._modified = self._index.listing()
        self._index = None
        stored, modified = self.stored, self._modified
        vouched = list(map(self._listed.__contains__, stored.keys))
        rows = range(len(stored.keys))
        row_of = dict(zip(compress(stored.paths, vouched), compress(rows, vouched), strict=True))
        for path in modified:
            row_of.pop(path, None)
        marks: list[int | Verdict | None] = list(map(row_of.get, paths))
        refused = stored.refused
        for index in compress(range(len(paths)), map(refused.__contains__, paths)):
            path = paths[index]  # stored as refused: that verdict, never a row
            blob, verdict = refused[path]
            plain = key(blob, path) in self._listed and path not in modified
            marks[index] = verdict if plain else None
        self._vouched = paths, marks
        return marks

    def row_for(self, relative: str, blob: str) -> int | Verdict | None:
        """rows_vouched() for one file whose blob id is ``blob``."""
        other = self.stored.refused.get(relative)
        if other is not None:
            return other[1] if other[0] == blob else None
        return self._row_of_key(key(blob, relative))

    def _row_of_key(self, row_key: str) -> int | None:
        """The stored row of ``row_key``: searched in C for the first few files that
        are not vouched for (a pull request's), looked up once there are more."""
        self._searches += 1
        if self._searches < SEARCHED_UNTIL:
            try:
                return self.stored.keys.index(row_key)
            except ValueError:
                return None
        if self._rows_of_keys is None:
            keys = self.stored.keys
            self._rows_of_keys = dict(zip(keys, range(len(keys)), strict=True))
        return self._rows_of_keys.get(row_key)

    def close(self) -> None:
        """Stop git if it is still listing, and wait for the cache to be written."""
        if self._ignored is not None:
            self._ignored.stop()
        if self._index is not None:
            self._index.close()
        if self._writer is not None:
            _wait(self._writer)
            self._writer = None

    def save_rows(self, rows: Callable[[], Stored], *, count: int, same: int) -> None:
        """Write atomically what ``rows()`` makes, this run's ``count`` verdicts of which
        ``same`` are as they were read (a failure to write only costs speed), then let
        go of what was read. Not when nothing changed; nor when under REWRITE_PERCENT
        of a large cache did, since judging those few files again costs less than
        writing every row. A large cache is made and written by a forked child while
        the checks run (close() waits for it): a third of a second at 100,000 files
        that is otherwise on every run's path."""
        if self._index is not None:
            self._index.close()
        changed = count - same + len(self.stored.keys) + len(self.stored.refused) - same
        self.stored, self._index = _EMPTY, None
        if not (self.usable and changed > 0):
            return
        if count < BACKGROUND_FROM:
            self._write(rows())
        elif changed * 100 >= count * REWRITE_PERCENT:
            self._writer = _beside(lambda: self._write(rows()))

    def _write(self, rows: Stored) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("*\n", encoding="utf-8")
            rows = dataclasses.replace(rows, apart=self._apart(rows.table))
            replace(self.folder / CACHE_FILE, encoded(self.stamp, rows))
        except OSError:
            return


_EMPTY = Stored([], [], FactTable.of([]), {})


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
