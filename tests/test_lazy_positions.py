"""Positions are dropped after a file passes the schema stage and recovered on demand.

A register keeps every allocation in memory; positions and source forms were
half of each document. The checks after the schema stage locate findings
through ``Document.locate``, which re-reads the file the first time: these
tests hold the recovered positions to the ones the first read produced.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.generate import generate
from portcheck.load import load_file, parse_document, walk
from portcheck.load.document import Document

from .conftest import allocation, located, mutants, require_corpus, run, write_register

REPO = Path(__file__).resolve().parents[1]


def assert_recovered(first: Document, reread: Callable[[], object]) -> None:
    again = reread()
    assert isinstance(again, Document)
    again.forget_positions(reread)
    assert (again.key_at, again.value_at, again.scalars) == ({}, {}, {})
    for node in first.key_at:
        assert again.locate_key(node) == first.locate_key(node), (first.path, node)
    for node in first.value_at:
        assert again.locate(node) == first.locate(node), (first.path, node)
    assert again.scalars == first.scalars


def test_every_position_of_the_benchmark_register_is_recovered(tmp_path: Path) -> None:
    generate(tmp_path, files=300, seed=5, dirty=28)  # every dirty kind twice
    documents = 0
    for relative, problem in walk(tmp_path):
        loaded = load_file(tmp_path, relative) if problem is None else None
        if isinstance(loaded, Document):
            assert_recovered(loaded, functools.partial(load_file, tmp_path, relative))
            documents += 1
    assert documents > 300


def recovered_count(texts: list[tuple[str, bytes]]) -> int:
    """Check every text that parses to a document; how many did."""
    documents = 0
    for name, data in texts:
        loaded = parse_document(data, name)
        if isinstance(loaded, Document):
            assert_recovered(loaded, functools.partial(parse_document, data, name))
            documents += 1
    return documents


@pytest.mark.parametrize(
    ("corpus", "least"),
    [("hostile/files", 10), ("yaml-test-suite/valid", 20), ("yaml-test-suite/error", 0)],
)
def test_every_position_of_a_corpus_is_recovered(corpus: str, least: int) -> None:
    name, _, inside = corpus.partition("/")
    folder = require_corpus(name) / inside
    texts = [(path.name, path.read_bytes()) for path in sorted(folder.rglob("*.yaml"))]
    assert texts
    assert recovered_count(texts) >= least


def test_every_position_of_random_mutants_is_recovered() -> None:
    """Thousands of mutants of the example register's files: bytes dropped,
    repeated or replaced by YAML's indicators, spaces and line breaks."""
    texts = [(f"mutant-{n}.yaml", text) for n, text in enumerate(mutants(11, 2000))]
    assert recovered_count(texts) > 600


def test_findings_after_the_schema_stage_point_where_they_did(tmp_path: Path) -> None:
    write_register(
        tmp_path,
        {
            "ports/team/a.yaml": "# first\n\n" + allocation(port=8080),
            "ports/team/b.yaml": allocation(service="b", port=8080, depends_on=["ghost"]),
        },
    )
    assert located(run(tmp_path)) == [
        ("ports/team/a.yaml", 4, 7, "PC400"),
        ("ports/team/b.yaml", 2, 7, "PC400"),
        ("ports/team/b.yaml", 7, 14, "PC402"),
    ]


def test_a_file_changed_after_reading_points_at_its_start(tmp_path: Path) -> None:
    write_register(tmp_path, {"ports/a.yaml": allocation(port=8080)})
    first = load_file(tmp_path, "ports/a.yaml")
    assert isinstance(first, Document)
    first.forget_positions(functools.partial(load_file, tmp_path, "ports/a.yaml"))
    (tmp_path / "ports/a.yaml").write_text(allocation(port=9090), encoding="utf-8")
    assert (first.locate(("port",)).line, first.locate(("port",)).column) == (1, 1)
