"""Each allocation file's schema-stage outcome: its loading finding (PC100-PC103), its
schema findings, or its facts (with its document and model when judged in this
process); recalled from the check cache, judged here, or judged by a pool of
worker processes on a large register.

Workers read files without positions (the recogniser, then the lean reader) and
send back what the cache would store, facts as columns; this process recalls
that as it recalls a cached verdict: one semantics, and what a worker cannot
express (findings that point at other files) is judged here again. Results are
taken in file order, whatever order the workers finish in.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import cast

from portcheck.cache import CheckCache, blob_id
from portcheck.cache.store import Verdict
from portcheck.finding import Finding
from portcheck.judge.one import Accepted, Blobbed, Judged, as_verdict, judged_here, recall
from portcheck.judge.pool import pooled
from portcheck.load import read_allocation

__all__ = ["Accepted", "Judged", "Placed", "judged_all", "placed_all"]

#: Files to judge before a pool pays for itself: a worker's start-up and sending the
#: data back cost about what judging a few thousand files does (benchmarks/README.md).
PARALLEL_FROM = 5000
#: Files per task: large enough that sending tasks costs little, small enough that
#: both workers stay busy to the end.
CHUNK = 2000
#: Worker processes: one per core, up to four (reading and parsing is all they do).
WORKERS = min(os.cpu_count() or 1, 4)


def judged_all(
    root: Path, paths: Sequence[str], cache: CheckCache | None, *, whole: bool = True
) -> list[Judged]:
    """The outcome of every file in ``paths`` (repo-relative), in that order. With
    ``cache``, files whose bytes an earlier run judged are recalled, not parsed, and
    this run's verdicts are kept for saving. ``whole``: accepted files come with
    their model (a command that shows allocations), else with their facts alone
    when workers judged them (the checks)."""
    outcomes: list[Judged | None] = [None] * len(paths)
    pending: list[int] = []
    blobs: list[str | None] = [None] * len(paths)
    recalling = cache is not None and cache.holds_verdicts()
    vouched = cache.vouched(paths) if cache is not None and recalling else [None] * len(paths)
    for index, relative in enumerate(paths):
        verdict = vouched[index]
        if verdict is not None:
            outcomes[index] = recall(verdict, relative)
        if outcomes[index] is None and cache is not None and recalling:
            outcomes[index], blobs[index] = _from_cache(root, relative, cache)
        if outcomes[index] is None:
            pending.append(index)
    judged = _judge_many(root, [paths[index] for index in pending], whole)
    for index, (outcome, read_blob) in zip(pending, judged, strict=True):
        outcomes[index] = outcome
        blob = blobs[index] or read_blob
        kept = None if blob is None else as_verdict(outcome)
        if cache is not None and blob is not None and kept is not None:
            cache.keep(paths[index], blob, kept)
    return [outcome for outcome in outcomes if outcome is not None]


def _from_cache(root: Path, relative: str, cache: CheckCache) -> tuple[Judged | None, str | None]:
    """The recalled outcome (None when it must be judged) and the file's blob id."""
    blob = cache.known_blob(relative)
    if blob is None:
        data = read_allocation(root, relative)
        if isinstance(data, Finding):
            return data, None  # unreadable or too large: not worth a verdict
        blob = blob_id(data)
    verdict = cache.verdict(relative, blob)
    recalled = None if verdict is None else recall(verdict, relative)
    if recalled is not None and verdict is not None:
        cache.keep(relative, blob, verdict)
    return recalled, blob


def _judge_many(root: Path, paths: Sequence[str], whole: bool) -> Iterator[Blobbed]:
    if len(paths) < PARALLEL_FROM or WORKERS < 2:
        return (judged_here(root, relative) for relative in paths)
    return pooled(root, paths, WORKERS, CHUNK, whole)


#: A file's place in a warm run: its row of the cache's stored accepted files, or
#: its outcome (recalled, or judged now).
Placed = int | Judged


def placed_all(
    root: Path, paths: Sequence[str], cache: CheckCache
) -> tuple[list[Placed], dict[str, tuple[str, Verdict]]]:
    """For each of ``paths``: its row of ``cache.stored`` when the file still holds the
    bytes that row was judged on, else its outcome. Also every verdict this run holds
    that is not such a row, by path with its blob id, for saving. judged_all() without
    making any stored row whole: a warm check looks at a few files of thousands."""
    placed: list[Placed | None] = []
    kept: dict[str, tuple[str, Verdict]] = {}
    pending: list[int] = []
    blobs: dict[int, str] = {}
    for index, (relative, vouched) in enumerate(zip(paths, cache.rows_vouched(paths), strict=True)):
        if type(vouched) is int:  # the common case
            placed.append(vouched)
            continue
        mark, blob = vouched, cache.known_blob(relative)
        if mark is None and blob is None:  # modified or untracked: hashed as git would
            data = read_allocation(root, relative)
            if isinstance(data, Finding):
                placed.append(data)  # unreadable or too large: not worth a verdict
                continue
            blob = blob_id(data)
            mark = cache.row_for(relative, blob)
        recalled = mark if mark is None or isinstance(mark, int) else recall(mark, relative)
        if recalled is not None and mark is not None and not isinstance(mark, int):
            kept[relative] = (cast(str, blob), mark)  # a blob id vouched, or hashed
        if recalled is None:
            pending.append(index)
            if blob is not None:
                blobs[index] = blob
        placed.append(recalled)
    judged = _judge_many(root, [paths[index] for index in pending], whole=False)
    for index, (outcome, read_blob) in zip(pending, judged, strict=True):
        placed[index] = outcome
        blob, verdict = blobs.get(index) or read_blob, as_verdict(outcome)
        if blob is not None and verdict is not None:
            kept[paths[index]] = (blob, verdict)
    return [one for one in placed if one is not None], kept
