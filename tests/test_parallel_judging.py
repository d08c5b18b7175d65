"""A large register is judged by a pool of worker processes: the same findings,
positions and facts as judging every file in this process, and the same documents
and models when a finding asks for them.

The pool starts from ``judge.PARALLEL_FROM`` files; these tests lower that
threshold and the chunk size so a small register takes the pooled path,
chunk by chunk, with two workers whatever the machine has.
"""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import pytest

from benchmarks.generate import generate
from portcheck import judge
from portcheck.cache import CACHE_FILE
from portcheck.engine import check_register
from portcheck.finding import Finding, Location
from portcheck.register import build_register, read_policy

from .conftest import AS_OF, allocation, cli, mutants, require_corpus

REPO = Path(__file__).resolve().parents[1]


def pool_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, every register is judged in a pool of two, 16 files a task."""
    monkeypatch.setattr(judge, "PARALLEL_FROM", 1)
    monkeypatch.setattr(judge, "CHUNK", 16)
    monkeypatch.setattr(judge, "WORKERS", 2)


def shown(findings: list[Finding]) -> list[tuple[object, ...]]:
    return [(f.path, f.line, f.column, f.code, f.message, f.related) for f in findings]


def outcome(judged: judge.Judged) -> object:
    """A comparable form of one file's outcome."""
    if isinstance(judged, Finding):
        return shown([judged])
    if isinstance(judged, list):
        return shown(judged)
    return judged.facts


def judged_both_ways(root: Path, paths: list[str], monkeypatch: pytest.MonkeyPatch) -> list[object]:
    alone = [outcome(judged) for judged in judge.judged_all(root, paths, None)]
    pool_everything(monkeypatch)
    pooled = [outcome(judged) for judged in judge.judged_all(root, paths, None)]
    assert pooled == alone
    return alone


def test_a_pooled_check_matches_on_every_dirty_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate(tmp_path, files=300, seed=5, dirty=28)  # every dirty kind twice
    moved = "# yaml-language-server: $schema=../schema/allocation.schema.json\n"
    (tmp_path / "ports/lab/moved.yaml").parent.mkdir(exist_ok=True)
    (tmp_path / "ports/lab/moved.yaml").write_text(moved + allocation(port=1030) + "\n")
    alone = check_register(tmp_path, as_of=AS_OF)
    pool_everything(monkeypatch)
    pooled = check_register(tmp_path, as_of=AS_OF)
    assert shown(pooled.findings) == shown(alone.findings)
    assert len({finding.code for finding in alone.findings}) >= 14  # PC104 among them


def copied(corpus: list[bytes], root: Path) -> list[str]:
    """Each text as an allocation file of a register under ``root``."""
    paths = []
    for number, data in enumerate(corpus):
        relative = f"ports/t/f-{number}.yaml"
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(data)
        paths.append(relative)
    return paths


@pytest.mark.parametrize(
    "corpus", ["hostile/files", "yaml-test-suite/valid", "yaml-test-suite/error"]
)
def test_a_pool_judges_a_corpus_as_this_process_does(
    corpus: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, _, inside = corpus.partition("/")
    folder = require_corpus(name) / inside
    texts = [path.read_bytes() for path in sorted(folder.rglob("*.yaml"))]
    assert texts
    outcomes = judged_both_ways(tmp_path, copied(texts, tmp_path), monkeypatch)
    assert len(outcomes) == len(texts)


def test_a_pool_judges_random_mutants_as_this_process_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = mutants(12, 2000)
    outcomes = judged_both_ways(tmp_path, copied(texts, tmp_path), monkeypatch)
    assert sum(isinstance(row, tuple) for row in outcomes) > 300  # facts among them


@pytest.mark.parametrize("whole", [True, False])
def test_a_pooled_entry_reads_its_document_and_model_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, whole: bool
) -> None:
    """Whole (a command): the workers send each file's data and the model is built
    here; else (the checks) an entry reads its file again when asked."""
    generate(tmp_path, files=60, seed=6, dirty=14)
    policy = read_policy(tmp_path, None)
    alone, _ = build_register(tmp_path, policy, AS_OF)
    pool_everything(monkeypatch)
    pooled, _ = build_register(tmp_path, policy, AS_OF, whole=whole)
    assert [entry.facts for entry in pooled.entries] == [entry.facts for entry in alone.entries]
    for mine, theirs in zip(pooled.entries, alone.entries, strict=True):
        assert mine.allocation == theirs.allocation
        assert mine.document.data == theirs.document.data
        for field in ("port", "owner", "allocated"):
            assert mine.document.locate((field,)) == theirs.document.locate((field,))


def test_a_file_changed_under_the_run_keeps_what_was_judged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker judged the file; it changed before a finding asked for its positions."""
    generate(tmp_path, files=20, seed=6)
    pool_everything(monkeypatch)
    register, _ = build_register(tmp_path, read_policy(tmp_path, None), AS_OF, whole=False)
    entry = register.entries[0]
    (tmp_path / entry.path).write_text("port: [broken\n", encoding="utf-8")
    assert entry.document.locate(("port",)) == Location(entry.path, 1, 1)
    assert entry.allocation.span == entry.facts.span
    assert entry.allocation.status == entry.facts.status


def test_the_cli_prints_the_same_report_from_a_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate(tmp_path, files=100, seed=3, dirty=14)
    args = ("check", "--root", str(tmp_path), "--as-of", AS_OF.isoformat(), "--format", "json")
    alone = cli(*args, "--cache-dir", str(tmp_path / "alone"))
    pool_everything(monkeypatch)
    # A cache of its own: the pool's verdicts are saved as this process's are.
    assert cli(*args, "--cache-dir", str(tmp_path / "pooled")) == alone
    assert alone[0] == 1
    saved = [(tmp_path / folder / CACHE_FILE).read_bytes() for folder in ("alone", "pooled")]
    assert saved[0] == saved[1]


class NoProcesses:
    """What ProcessPoolExecutor does on a host without semaphores: refuse to start."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise OSError(38, "Function not implemented")


def test_a_host_without_processes_is_judged_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate(tmp_path, files=60, seed=4, dirty=14)
    alone = check_register(tmp_path, as_of=AS_OF)
    pool_everything(monkeypatch)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", NoProcesses)
    assert shown(check_register(tmp_path, as_of=AS_OF).findings) == shown(alone.findings)
    assert alone.findings
