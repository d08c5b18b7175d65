"""Each allocation file's schema-stage outcome: its loading finding (PC100-PC103), its
schema findings, or its document and allocation; judged here, recalled from the
check cache, or judged by a pool of worker processes on a large register.

A worker sends back what the cache would store (portcheck.cache), and this
process recalls it exactly as it recalls a cached verdict: one semantics, and
what a worker cannot express (findings that point at other files) is judged
here again. Results are taken in file order, whatever order the workers finish in.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from portcheck.cache import CheckCache, Verdict, blob_id, finding_verdict, verdict_findings
from portcheck.finding import Finding
from portcheck.load import parse_document, read_allocation
from portcheck.load.document import Document
from portcheck.load.modeline import Modeline
from portcheck.model import Allocation
from portcheck.model.consistency import consistent
from portcheck.model.validate import model_or_errors, validate_allocation

Judged = Finding | list[Finding] | tuple[Document, Allocation]
#: Files to judge before a pool pays for itself: a worker's start-up and sending the
#: data back cost about what judging a few thousand files does (benchmarks/README.md).
PARALLEL_FROM = 5000
#: Files per task: large enough that sending tasks costs little, small enough that
#: both workers stay busy to the end.
CHUNK = 2000
#: Worker processes: one per core, up to four (reading and parsing is all they do).
WORKERS = min(os.cpu_count() or 1, 4)


def judged_all(root: Path, paths: Sequence[str], cache: CheckCache | None) -> list[Judged]:
    """The outcome of every file in ``paths`` (repo-relative), in that order. With
    ``cache``, files whose bytes an earlier run judged are recalled, not parsed, and
    this run's verdicts are kept for saving."""
    outcomes: list[Judged | None] = [None] * len(paths)
    pending: list[int] = []
    blobs: list[str | None] = [None] * len(paths)
    for index, relative in enumerate(paths):
        if cache is not None:
            outcomes[index], blobs[index] = _from_cache(root, relative, cache)
        if outcomes[index] is None:
            pending.append(index)
    judged = _judge_many(root, [paths[index] for index in pending])
    for index, outcome in zip(pending, judged, strict=True):
        outcomes[index] = outcome
        blob = blobs[index]
        kept = None if blob is None else as_verdict(outcome)
        if cache is not None and blob is not None and kept is not None:
            cache.keep(blob, kept)
    return [outcome for outcome in outcomes if outcome is not None]


def _from_cache(root: Path, relative: str, cache: CheckCache) -> tuple[Judged | None, str | None]:
    """The recalled outcome (None when it must be judged) and the file's blob id."""
    blob = cache.known_blob(relative)
    if blob is None:
        data = read_allocation(root, relative)
        if isinstance(data, Finding):
            return data, None  # unreadable or too large: not worth a verdict
        blob = blob_id(data)
    verdict = cache.verdict(blob)
    recalled = None if verdict is None else recall(verdict, relative)
    if recalled is not None and verdict is not None:
        cache.keep(blob, verdict)
    return recalled, blob


def _judge_many(root: Path, paths: Sequence[str]) -> Iterator[Judged]:
    if len(paths) < PARALLEL_FROM or WORKERS < 2:
        return (judge(read_allocation(root, relative), relative) for relative in paths)
    return _pooled(root, paths, WORKERS)


def _pooled(root: Path, paths: Sequence[str], workers: int) -> Iterator[Judged]:
    import gc
    from concurrent.futures.process import BrokenProcessPool

    # Forked workers share this process's memory until they write to it; the cyclic
    # collector writes to every object it scans, so it must not scan the inherited ones.
    gc.freeze()
    done = 0
    try:
        for judged in _in_pool(root, paths, workers):
            done += 1
            yield judged
    except (OSError, BrokenProcessPool):
        # A host that cannot start processes (no semaphores, a process limit) or a
        # worker killed by the OS: the rest is judged here, as on a small register.
        yield from (judge(read_allocation(root, relative), relative) for relative in paths[done:])
    finally:
        gc.unfreeze()


def _in_pool(root: Path, paths: Sequence[str], workers: int) -> Iterator[Judged]:
    # Imported here: a small register never starts a pool.
    from concurrent.futures import ProcessPoolExecutor

    chunks = [paths[start : start + CHUNK] for start in range(0, len(paths), CHUNK)]
    with ProcessPoolExecutor(workers) as pool:
        # map yields in task order, so the outcomes never depend on scheduling.
        results = pool.map(_verdicts, [root] * len(chunks), chunks)
        for chunk, verdicts in zip(chunks, results, strict=True):
            for relative, verdict in zip(chunk, verdicts, strict=True):
                recalled = None if verdict is None else recall(verdict, relative, checked=True)
                if recalled is None:
                    recalled = judge(read_allocation(root, relative), relative)
                yield recalled


def _verdicts(root: Path, paths: Sequence[str]) -> list[Verdict | None]:
    """A worker's task: judge ``paths`` and return what a cache would store."""
    return [as_verdict(judge(read_allocation(root, relative), relative)) for relative in paths]


def judge(data: bytes | Finding, relative: str) -> Judged:
    loaded = data if isinstance(data, Finding) else parse_document(data, relative)
    if isinstance(loaded, Finding):
        return loaded
    validated = validate_allocation(loaded)
    return validated if isinstance(validated, list) else (loaded, validated)


def as_verdict(judged: Judged) -> Verdict | None:
    """What the cache stores for ``judged``; None when it cannot be stored."""
    if isinstance(judged, Finding):
        stored = finding_verdict([judged])
        return None if stored is None else ("load", stored[1])
    if isinstance(judged, list):
        return finding_verdict(judged)
    modeline = judged[0].modeline
    return "ok", [judged[0].data, None if modeline is None else list(modeline)]


def recall(verdict: Verdict, relative: str, *, checked: bool = False) -> Judged | None:
    """What a stored verdict says about the file at ``relative``; None when the
    verdict does not hold up (a tampered cache is re-checked, not believed).

    Data said to be valid must pass the model and the rules the model cannot
    express (no nulls, consistent dates and status), unless ``checked``: a worker of
    this run has just judged it."""
    kind, value = verdict
    if kind == "ok":
        if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], dict)):
            return None
        data, row = value
        if not _is_modeline(row):
            return None
        if not checked and (None in data.values() or not consistent(data)):
            return None
        # The model forbids unknown keys, so a key that is not a str fails it too.
        allocation, _ = model_or_errors(Allocation, data)
        if allocation is None:
            return None
        modeline = None if row is None else Modeline(*row)
        return Document(relative, data, modeline=modeline), allocation
    found = verdict_findings(relative, value)
    if found is None or (kind == "load" and len(found) != 1):
        return None
    return found[0] if kind == "load" else found


def _is_modeline(row: object) -> bool:
    """A stored modeline (PC104 needs it) is None or [line, column, target]."""
    if row is None:
        return True
    if not (isinstance(row, list) and len(row) == 3):
        return False
    line, column, target = row
    return type(line) is int and type(column) is int and isinstance(target, str)
