"""Judging a large register in a pool of worker processes, in file order.

Workers read files without positions (the recogniser, then the lean reader) and
send back what the cache would store, facts as columns; this process recalls
that as it recalls a cached verdict, and judges here again what a worker cannot
express (findings that point at other files).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

from portcheck.cache import blob_id
from portcheck.cache.store import Verdict
from portcheck.finding import Finding
from portcheck.judge.one import Accepted, Blobbed, judged_here, judged_in_bulk, recall
from portcheck.load import read_allocation
from portcheck.load.document import Document
from portcheck.model import Allocation
from portcheck.model.columns import FactTable
from portcheck.model.facts import Facts
from portcheck.model.packing import Sections, Unpacker, pack
from portcheck.model.validate import model_or_errors

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext


def pooled(
    root: Path, paths: Sequence[str], workers: int, chunk: int, whole: bool
) -> Iterator[Blobbed]:
    """The outcome of each of ``paths``, in order, judged by ``workers`` processes
    ``chunk`` files a task; whatever a pool cannot do is judged here."""
    import gc
    from concurrent.futures.process import BrokenProcessPool

    # Forked workers share this process's memory until they write to it; the cyclic
    # collector writes to every object it scans, so it must not scan the inherited ones.
    gc.freeze()
    done = 0
    try:
        for judged in _in_pool(root, paths, workers, chunk, whole):
            done += 1
            yield judged
    except (OSError, BrokenProcessPool):
        # A host that cannot start processes (no semaphores, a process limit) or a
        # worker killed by the OS: the rest is judged here, as on a small register.
        yield from (judged_here(root, relative) for relative in paths[done:])
    finally:
        gc.unfreeze()


def _in_pool(
    root: Path, paths: Sequence[str], workers: int, chunk: int, whole: bool
) -> Iterator[Blobbed]:
    # Imported here: a small register never starts a pool.
    from concurrent.futures import ProcessPoolExecutor

    reader = Unpacker()  # shares repeated values (scopes, dates) across chunks
    chunks = [paths[start : start + chunk] for start in range(0, len(paths), chunk)]
    with ProcessPoolExecutor(workers, mp_context=_forking()) as pool:
        # map yields in task order, so the outcomes never depend on scheduling.
        results = pool.map(_verdicts, [root] * len(chunks), chunks, [whole] * len(chunks))
        for task, (accepted, verdicts, blobs, datas) in zip(chunks, results, strict=True):
            count = sum(verdict == _ACCEPTED for verdict in verdicts)
            read = reader.table(accepted, count)
            facts = None if read is None else iter(read.all_facts())  # None: judged here again
            models = iter(datas)
            for relative, verdict, blob in zip(task, verdicts, blobs, strict=True):
                recalled = recall(verdict, relative) if verdict not in (None, _ACCEPTED) else None
                if verdict == _ACCEPTED and facts is not None:
                    recalled = _accepted(relative, next(facts), next(models, None))
                yield (recalled, blob) if recalled is not None else judged_here(root, relative)


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
) -> tuple[Sections, list[Verdict | None], list[str | None], list[dict[str, object] | None]]:
    """A worker's task: judge ``paths``; the facts of the accepted files as packed
    columns (model.packing), what a cache would store for the others, each file's blob id,
    and (``whole``) the accepted files' data."""
    read = [read_allocation(root, relative) for relative in paths]
    judged = [judged_in_bulk(data, path, whole) for data, path in zip(read, paths, strict=True)]
    verdicts = [verdict for verdict, _ in judged]
    accepted = [cast(Facts, v[1]) for v in verdicts if v is not None and v[0] == "ok"]
    marked = [_ACCEPTED if v is not None and v[0] == "ok" else v for v in verdicts]
    blobs = [None if isinstance(data, Finding) else blob_id(data) for data in read]
    datas = [data for verdict, data in judged if verdict is not None and verdict[0] == "ok"]
    return pack(FactTable.of(accepted)), marked, blobs, datas
