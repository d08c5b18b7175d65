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
from typing import TYPE_CHECKING, NamedTuple, cast

from portcheck.cache import CheckCache, blob_id, finding_verdict, verdict_findings
from portcheck.cache.store import Verdict
from portcheck.finding import Finding
from portcheck.load import decode_text, parse_document, read_allocation
from portcheck.load.document import Document
from portcheck.load.modeline import find_modeline
from portcheck.model import Allocation
from portcheck.model.columns import FactReader, columns
from portcheck.model.facts import Facts
from portcheck.model.recognize import recognise
from portcheck.model.validate import model_or_errors, validate_allocation

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext


class Accepted(NamedTuple):
    """A file that passed the schema stage: its facts, and its document and model when
    this process parsed it (register.Entry reads them again if a finding needs them)."""

    facts: Facts
    loaded: tuple[Document, Allocation] | None = None


Judged = Finding | list[Finding] | Accepted
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


#: An outcome and the blob id of the bytes it was judged on (None: not read).
Blobbed = tuple[Judged, str | None]


def _judge_many(root: Path, paths: Sequence[str], whole: bool) -> Iterator[Blobbed]:
    if len(paths) < PARALLEL_FROM or WORKERS < 2:
        return (_judged_here(root, relative) for relative in paths)
    return _pooled(root, paths, WORKERS, whole)


def _judged_here(root: Path, relative: str) -> Blobbed:
    data = read_allocation(root, relative)
    return judge(data, relative), None if isinstance(data, Finding) else blob_id(data)


def _pooled(root: Path, paths: Sequence[str], workers: int, whole: bool) -> Iterator[Blobbed]:
    import gc
    from concurrent.futures.process import BrokenProcessPool

    # Forked workers share this process's memory until they write to it; the cyclic
    # collector writes to every object it scans, so it must not scan the inherited ones.
    gc.freeze()
    done = 0
    try:
        for judged in _in_pool(root, paths, workers, whole):
            done += 1
            yield judged
    except (OSError, BrokenProcessPool):
        # A host that cannot start processes (no semaphores, a process limit) or a
        # worker killed by the OS: the rest is judged here, as on a small register.
        yield from (_judged_here(root, relative) for relative in paths[done:])
    finally:
        gc.unfreeze()


def _in_pool(root: Path, paths: Sequence[str], workers: int, whole: bool) -> Iterator[Blobbed]:
    # Imported here: a small register never starts a pool.
    from concurrent.futures import ProcessPoolExecutor

    reader = FactReader()  # shares repeated values (scopes, dates) across chunks
    chunks = [paths[start : start + CHUNK] for start in range(0, len(paths), CHUNK)]
    with ProcessPoolExecutor(workers, mp_context=_forking()) as pool:
        # map yields in task order, so the outcomes never depend on scheduling.
        results = pool.map(_verdicts, [root] * len(chunks), chunks, [whole] * len(chunks))
        for chunk, (accepted, verdicts, blobs, datas) in zip(chunks, results, strict=True):
            count = sum(verdict == _ACCEPTED for verdict in verdicts)
            read = reader.read(accepted, count)
            facts = None if read is None else iter(read)  # None: judged here again
            models = iter(datas)
            for relative, verdict, blob in zip(chunk, verdicts, blobs, strict=True):
                recalled = recall(verdict, relative) if verdict not in (None, _ACCEPTED) else None
                if verdict == _ACCEPTED and facts is not None:
                    recalled = _accepted(relative, next(facts), next(models, None))
                yield (recalled, blob) if recalled is not None else _judged_here(root, relative)


def _forking() -> BaseContext | None:
    """Fork on Linux, whatever the interpreter's default (forkserver from Python
    3.14): workers then start in milliseconds, sharing what this process loaded.
    Elsewhere the platform's default (macOS spawns: fork is unsafe there)."""
    import multiprocessing
    import sys

    return multiprocessing.get_context("fork") if sys.platform == "linux" else None


#: A worker's verdict on an accepted file: its facts travel as columns beside.
_ACCEPTED = ("ok", None)


def _accepted(relative: str, facts: Facts, data: dict[str, object] | None) -> Accepted | None:
    """A worker's accepted file; with its data (whole), its model is built here."""
    if data is None:
        return Accepted(facts)
    allocation, _ = model_or_errors(Allocation, data)
    if allocation is None:
        return None  # judged here again
    return Accepted(facts, (Document(relative, data, modeline=facts.modeline), allocation))


def _verdicts(
    root: Path, paths: Sequence[str], whole: bool = False
) -> tuple[
    dict[str, object], list[Verdict | None], list[str | None], list[dict[str, object] | None]
]:
    """A worker's task: judge ``paths``; the facts of the accepted files as columns
    (model.columns), what a cache would store for the others, each file's blob id,
    and (``whole``) the accepted files' data."""
    read = [read_allocation(root, relative) for relative in paths]
    judged = [_in_bulk(data, path, whole) for data, path in zip(read, paths, strict=True)]
    verdicts = [verdict for verdict, _ in judged]
    accepted = [cast(Facts, v[1]) for v in verdicts if v is not None and v[0] == "ok"]
    marked = [_ACCEPTED if v is not None and v[0] == "ok" else v for v in verdicts]
    blobs = [None if isinstance(data, Finding) else blob_id(data) for data in read]
    datas = [data for verdict, data in judged if verdict is not None and verdict[0] == "ok"]
    return columns(accepted), marked, blobs, datas


def judge(data: bytes | Finding, relative: str) -> Judged:
    """The outcome of one file, with its document and model."""
    loaded = data if isinstance(data, Finding) else parse_document(data, relative)
    if isinstance(loaded, Finding):
        return loaded
    validated = validate_allocation(loaded)
    if isinstance(validated, list):
        return validated
    return Accepted(Facts.of(validated, loaded.modeline), (loaded, validated))


def judged_in_bulk(data: bytes | Finding, relative: str) -> Verdict | None:
    """What judge() would store for one file, read without positions: recognised in
    one pass when it is a plainly valid file (model.recognize), else read by the lean
    reader; only a file with findings, whose findings need them, is read again."""
    return _in_bulk(data, relative, whole=False)[0]


def _in_bulk(
    data: bytes | Finding, relative: str, whole: bool
) -> tuple[Verdict | None, dict[str, object] | None]:
    """judged_in_bulk(), and with ``whole`` an accepted file's data (for its model)."""
    if not isinstance(data, Finding):
        text = decode_text(data, relative)
        recognised = None
        if not whole and not isinstance(text, Finding):
            recognised = recognise(text, find_modeline(text))
        if recognised is not None:
            return ("ok", recognised), None
        lean = parse_document(data, relative, positions=False)
        validated = lean if isinstance(lean, Finding) else validate_allocation(lean)
        if isinstance(validated, Allocation):
            assert isinstance(lean, Document)
            return ("ok", Facts.of(validated, lean.modeline)), lean.data if whole else None
    return as_verdict(judge(data, relative)), None


def as_verdict(judged: Judged) -> Verdict | None:
    """What the cache stores for ``judged``; None when it cannot be stored."""
    if isinstance(judged, Finding):
        stored = finding_verdict([judged])
        return None if stored is None else ("load", stored[1])
    if isinstance(judged, list):
        return finding_verdict(judged)
    return "ok", judged.facts


def recall(verdict: Verdict, relative: str) -> Judged | None:
    """What a stored verdict says about the file at ``relative``; None when the
    verdict does not hold up (a tampered cache is re-checked, not believed). Facts
    were checked as the cache was read (model.facts.FactReader)."""
    kind, value = verdict
    if kind == "ok":
        return Accepted(cast(Facts, value))
    found = verdict_findings(relative, value)
    if found is None or (kind == "load" and len(found) != 1):
        return None
    return found[0] if kind == "load" else found
