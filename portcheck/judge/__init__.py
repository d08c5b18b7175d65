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

from portcheck.cache import CheckCache, blob_id
from portcheck.finding import Finding
from portcheck.judge.one import Accepted, Blobbed, Judged, as_verdict, judged_here, recall
from portcheck.judge.pool import pooled
from portcheck.load import read_allocation

__all__ = ["Accepted", "Judged", "judged_all"]

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
