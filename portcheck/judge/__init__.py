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
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple, cast

from portcheck.cache import CheckCache, blob_id
from portcheck.cache.store import Keys, Stored, Verdict, key
from portcheck.finding import Finding
from portcheck.judge.one import Accepted, Blobbed, Judged, as_verdict, judged_here, recall
from portcheck.judge.pool import pooled
from portcheck.load import read_allocation
from portcheck.model.columns import FactTable, patch_rows

__all__ = [
    "Accepted",
    "Held",
    "Judged",
    "Kept",
    "Placed",
    "held",
    "judged_all",
    "placed_all",
    "save",
]

#: Files not vouched for from which git's blob ids are looked up rather than hashed:
#: the lookup reads git's whole listing once (0.03 s at 100,000 files).
LISTED_FROM = 1000
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
    the cache is saved. ``whole``: accepted files come with their model (a command
    that shows allocations), else with their facts alone when workers judged them
    (the checks)."""
    if cache is None:
        return [outcome for outcome, _ in _judge_many(root, paths, whole)]
    placed, kept = placed_all(root, paths, cache, whole=whole)
    stored = cache.stored
    facts = stored.table.all_facts() if any(isinstance(one, int) for one in placed) else []
    outcomes = [Accepted(facts[one]) if isinstance(one, int) else one for one in placed]
    save(cache, lambda: held(stored, paths, placed, kept).stored, placed, kept)
    return outcomes


def _judge_many(root: Path, paths: Sequence[str], whole: bool) -> Iterator[Blobbed]:
    if len(paths) < PARALLEL_FROM or WORKERS < 2:
        return (judged_here(root, relative) for relative in paths)
    return pooled(root, paths, WORKERS, CHUNK, whole)


#: A file's place in a run with a cache: its row of the cache's stored accepted
#: files, or its outcome (recalled, or judged now).
Placed = int | Judged
#: What a run holds of the files it did not take as stored rows, by path: blob id and
#: verdict, as the cache stores them.
Kept = dict[str, tuple[str, Verdict]]


def placed_all(
    root: Path, paths: Sequence[str], cache: CheckCache, *, whole: bool = False
) -> tuple[list[Placed], Kept]:
    """For each of ``paths``: its row of ``cache.stored`` when the file still holds the
    bytes that row was judged on, else its outcome; and what is Kept. No stored row
    is made whole here: a warm check looks at a few files of thousands."""
    recalling = cache.holds_verdicts()
    marks = cache.rows_vouched(paths) if recalling else [None] * len(paths)
    # Each file not vouched for by a row is placed below.
    placed = cast(list[Placed | None], list(marks))
    kept: Kept = {}
    pending: list[int] = []
    blobs: dict[int, str] = {}
    others = [index for index, mark in enumerate(marks) if type(mark) is not int]
    listed = recalling and len(others) >= LISTED_FROM
    for index in others:
        relative, mark = paths[index], marks[index]
        if mark is not None:  # a refused file's verdict git vouched for: its blob's
            blob: str | None = cache.stored.refused[relative][0]
        else:
            blob = cache.listed_blob(relative) if listed else None
        if mark is None and blob is None and recalling:  # not vouched for: hashed
            data = read_allocation(root, relative)
            if isinstance(data, Finding):
                placed[index] = data  # unreadable or too large: not worth a verdict
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
        placed[index] = recalled
    judged = _judge_many(root, [paths[index] for index in pending], whole)
    for index, (outcome, read_blob) in zip(pending, judged, strict=True):
        placed[index] = outcome
        blob, verdict = blobs.get(index) or read_blob, as_verdict(outcome)
        if blob is not None and verdict is not None:
            kept[paths[index]] = (blob, verdict)
    return cast(list[Placed], placed), kept


class Held(NamedTuple):
    """What a run holds, as the cache stores it, and which of its rows it judged."""

    stored: Stored
    fresh: list[int]


def held(stored: Stored, paths: Sequence[str], placed: Sequence[Placed], kept: Kept) -> Held:
    """Everything a run holds: the stored rows it took, the files it accepted now in
    place of those it did not take (then after them), and its refused files'
    verdicts. A few rows' work when a few files changed."""
    refused = {path: one for path, one in kept.items() if one[1][0] != "ok"}
    if not stored.keys:  # nothing stored (a cold run): every accepted file, in order
        chosen = [index for index, one in enumerate(placed) if isinstance(one, Accepted)]
        rows_paths = [paths[index] for index in chosen]
        blobs = [kept[path][0] for path in rows_paths]
        table = FactTable.of([cast(Accepted, placed[index]).facts for index in chosen])
        fresh_rows = list(range(len(rows_paths)))
        return Held(Stored(Keys(blobs, rows_paths), rows_paths, table, refused), fresh_rows)
    taken = [one for one in placed if type(one) is int]
    others = [index for index, one in enumerate(placed) if type(one) is not int]
    fresh = [
        (key(kept[paths[index]][0], paths[index]), paths[index], accepted.facts)
        for index in others
        if isinstance(accepted := placed[index], Accepted)
    ]
    free = sorted(set(range(len(stored.keys))).difference(taken))
    put = list(zip(free, fresh, strict=False))
    removed = free[len(put) :]
    keys, rows_paths = list(stored.keys), stored.paths[:]
    patch_rows(keys, [(row, row_key) for row, (row_key, _, _) in put], removed)
    patch_rows(rows_paths, [(row, path) for row, (_, path, _) in put], removed)
    table = stored.table.patched([(row, facts) for row, (_, _, facts) in put], removed)
    more = fresh[len(put) :]
    # The rows put sit below every row removed, so no removal moved them.
    judged = [row for row, _ in put] + list(range(len(keys), len(keys) + len(more)))
    keys += [row_key for row_key, _, _ in more]
    rows_paths += [path for _, path, _ in more]
    table.extend([facts for _, _, facts in more])
    return Held(Stored(keys, rows_paths, table, refused), judged)


def save(
    cache: CheckCache, rows: Callable[[], Stored], placed: Sequence[Placed], kept: Kept
) -> None:
    """Save what ``rows()`` makes (held()): CheckCache.save_rows decides whether."""
    taken = sum(isinstance(one, int) for one in placed)
    same = taken + sum(cache.stored.refused.get(path) == one for path, one in kept.items())
    cache.save_rows(rows, count=taken + len(kept), same=same)
