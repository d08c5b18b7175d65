"""The one-pass recogniser says "valid, with these facts" only where the full path
(parse, schema stage, model) says exactly the same, and says it for the common file."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.generate import generate
from portcheck.load import parse_document
from portcheck.load.document import Document
from portcheck.load.modeline import find_modeline
from portcheck.model import Allocation
from portcheck.model.facts import Facts
from portcheck.model.recognize import recognise
from portcheck.model.validate import validate_allocation

from .conftest import CORPORA, allocation, mutants, require_corpus

REPO = Path(__file__).resolve().parents[1]


def full_path(data: bytes) -> Facts | None:
    """What judging the file the long way accepts: its facts, or None."""
    document = parse_document(data, "ports/f.yaml")
    if not isinstance(document, Document):
        return None
    validated = validate_allocation(document)
    return Facts.of(validated, document.modeline) if isinstance(validated, Allocation) else None


def agrees(data: bytes) -> bool:
    """True when the recogniser accepted ``data`` (and then agreed)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if text.startswith("\ufeff") or "\x00" in text:
        return False  # decoding refuses these before either path runs
    recognised = recognise(text, find_modeline(text))
    if recognised is None:
        return False
    assert recognised == full_path(data), text
    return True


def test_it_recognises_nearly_every_file_of_a_generated_register(tmp_path: Path) -> None:
    generate(tmp_path, files=2000, seed=13, dirty=28)
    files = [p for p in sorted((tmp_path / "ports").rglob("*.yaml")) if p.is_file()]
    accepted = sum(agrees(path.read_bytes()) for path in files)
    assert accepted >= 0.95 * 2000, accepted


def test_it_agrees_on_thousands_of_mutants() -> None:
    accepted = sum(agrees(data) for data in mutants(31, 6000))
    assert accepted >= 500  # mutants that stayed valid are recognised, and agree


def test_it_agrees_on_every_corpus_file_and_the_example_register() -> None:
    require_corpus("yaml-test-suite")
    folders = ["hostile/files", "yaml-test-suite/valid", "yaml-test-suite/error", "manifests"]
    files = [p for f in folders for p in sorted((CORPORA / f).rglob("*.yaml"))]
    for path in files:
        agrees(path.read_bytes())
    example = sorted((REPO / "ports").rglob("*.yaml"))
    assert sum(agrees(path.read_bytes()) for path in example) == len(example)


@pytest.mark.parametrize(
    "change",
    [
        {"port": "08080"},  # PC202: a leading zero
        {"port": '"8080"'},  # quoted: PC202 has something to say
        {"port": "0"},
        {"port": "65536"},
        {"port": "30010-30000"},
        {"port": "30000-30000"},
        {"port": "1_000"},
        {"service": "8080"},  # a number, not an id
        {"service": "null"},
        {"description": "true"},
        {"description": "1.5"},
        {"description": "a: b"},
        {"description": '""'},
        {"description": "x" * 201},
        {"owner": "'@acme/team'"},
        {"owner": '"acme"'},
        {"protocol": "[tcp, tcp]"},
        {"protocol": "[]"},
        {"protocol": "http"},
        {"scope": "[prod, prod]"},
        {"scope": "Prod"},
        {"scope": "prod/" + "a" * 251},  # 256 characters
        {"scope": "a" * 64},  # the recogniser holds a scope without a "/" to an id's length
        {"depends_on": "[" + "a" * 64 + "]"},
        {"status": "retired"},  # without retired_on
        {"status": "reserved"},  # without expires
        {"retired_on": "2026-03-20"},  # without status retired
        {"review_by": "2026-03-13"},  # before allocated
        {"allocated": "2026-02-30"},
        {"allocated": "2026-3-14"},
        {"depends_on": "a"},
        {"depends_on": "[a, a]"},
        {"depends_on": "[A]"},
        {"links": "[ftp://x]"},
        {"unknown": "1"},
        {"description": None},
        {"contact": "~"},
    ],
)
def test_it_leaves_every_doubtful_file_to_the_full_path(change: dict[str, object]) -> None:
    assert recognise(allocation(**change), None) is None


def test_it_recognises_the_forms_an_author_writes() -> None:
    text = (
        "# yaml-language-server: $schema=../schema/allocation.schema.json\n"
        "service: svc   # a comment\n"
        "port: 30000-30009\n"
        "protocol: [tcp, udp]\n"
        "scope: [prod/eu, staging]\n"
        'owner: "@acme/team"\n'
        'description: "A service: with a colon"\n'
        "contact: ops@acme.example\n"
        "\n"
        "allocated: 2026-03-14\n"
        "depends_on: []\n"
        "links: [https://wiki.acme.example/svc, http://b.example:8080/y]\n"
    )
    assert recognise(text, find_modeline(text)) == full_path(text.encode())
    assert agrees(text.encode())
