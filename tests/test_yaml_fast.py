"""The fast reader must read every file it accepts exactly as the strict reader does."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.generate import generate
from portcheck.load import parse_document
from portcheck.load.document import Document
from portcheck.load.fast import parse_fast
from portcheck.load.lean import parse_lean
from portcheck.load.strict import parse_strict

from .conftest import CORPORA, mutants, require_corpus

REPO = Path(__file__).resolve().parents[1]


def _normal(value: object) -> object:
    """NaN is not equal to itself; compare it by name."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, list):
        return [_normal(item) for item in value]
    if isinstance(value, dict):
        return {key: _normal(item) for key, item in value.items()}
    return value


def assert_same(text: str) -> bool:
    """When the fast reader accepts ``text``, the strict one yields the same document;
    when the lean reader does, the fast one yields the same data."""
    assert_lean_same(text)
    fast = parse_fast(text, "f.yaml")
    if fast is None:
        return False
    strict = parse_strict(text, "f.yaml")
    assert isinstance(strict, Document), (text, strict)
    assert _normal(fast.data) == _normal(strict.data)
    assert [type(v) for v in fast.data.values()] == [type(v) for v in strict.data.values()]
    assert fast.key_at == strict.key_at
    assert fast.value_at == strict.value_at
    assert fast.scalars == strict.scalars
    return True


def assert_lean_same(text: str) -> bool:
    """The lean reader (no positions) accepts only what the fast one does, with the same
    data and the same source form of the port (the schema stage reads both)."""
    lean = parse_lean(text, "f.yaml")
    if lean is None:
        return False
    fast = parse_fast(text, "f.yaml")
    assert fast is not None, text
    assert _normal(lean.data) == _normal(fast.data)
    assert [type(v) for v in lean.data.values()] == [type(v) for v in fast.data.values()]
    assert lean.scalars.get(("port",)) == fast.scalars.get(("port",))
    assert (lean.key_at, lean.value_at) == ({}, {})
    return True


def test_lean_reader_agrees_on_mutants_and_a_generated_register(tmp_path: Path) -> None:
    generate(tmp_path, files=300, seed=11, dirty=28)
    texts = [p.read_bytes() for p in sorted((tmp_path / "ports").rglob("*")) if p.is_file()]
    accepted = 0
    for data in [*texts, *mutants(21, 3000)]:
        try:
            accepted += assert_lean_same(data.decode("utf-8"))
        except UnicodeDecodeError:
            continue
    assert accepted >= 1000  # the clean files and most mutants that stayed flat


def _corpus_texts() -> list[Path]:
    folders = ["hostile/files", "yaml-test-suite/valid", "yaml-test-suite/error", "manifests"]
    files = [p for f in folders for p in sorted((CORPORA / f).rglob("*.yaml"))]
    return files + sorted((REPO / "ports").rglob("*.yaml"))


def test_fast_reader_agrees_on_every_corpus_file() -> None:
    require_corpus("yaml-test-suite")
    accepted = 0
    for path in _corpus_texts():
        try:
            text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            continue
        accepted += assert_same(text)
    # A floor, so that the reader cannot pass by declining everything: the example
    # register and the plain hostile-corpus files take the fast path.
    assert accepted >= 60


@pytest.mark.parametrize(
    "text",
    [
        "port: 8080\n",
        "port: 08080\n",
        "port: 0x1F90\n",
        "port: 1_000\n",
        "port: 8080.0\n",
        "port: '8080'\n",
        'port: "8080"\n',
        "port: 30000-30009 # a range\n",
        "description: it's a 'quoted' \"thing\", really\n",
        "description: a#b c\n",
        "description: 'it''s'   # comment\n",
        "links: [https://a.example/x, http://b.example:8080/y]\n",
        "protocol: [ tcp ,udp ]\n",
        "protocol: []\n",
        "depends_on:\n- a\n- b\n",
        "depends_on:\n    - a   # first\n\n    # between\n    - 'b'\nport: 1\n",
        "a: null\nb: ~\nc: true\nd: False\ne: .inf\nf: .Inf\ng: .nan\n",
        'scope: prod/eu\nowner: "@acme/payments"\n',
    ],
)
def test_fast_reader_accepts_and_agrees(text: str) -> None:
    assert assert_same(text)


@pytest.mark.parametrize(
    "text",
    [
        "port: 8080\nport: 9090\n",  # duplicate: the strict reader reports it
        "---\nport: 1\n",
        "%YAML 1.2\n---\nport: 1\n",
        "port: &a 1\n",
        "port: *a\n",
        "port: !!str 1\n",
        "owner: @acme\n",
        "description: a: b\n",
        "description: first\n  continued\n",
        "scope:\n  eu: 1\n",
        "port:\n",
        "port: [1, [2]]\n",
        "port: [1,]\n",
        "port: 'unterminated\n",
        'port: "esc\\n"\n',
        "port: 1\r\n",
        "port:\t1\n",
        "Port: 1\n",
        "- a\n",
        "",
        "# only a comment\n",
    ],
)
def test_fast_reader_leaves_the_rest_to_the_strict_reader(text: str) -> None:
    assert parse_fast(text, "f.yaml") is None


_WORDS = st.sampled_from(
    [
        "8080",
        "08080",
        "0x1F",
        "0o17",
        "1_000",
        "8080.0",
        "1e3",
        ".inf",
        ".nan",
        "~",
        "null",
        "true",
        "False",
        "yes",
        "-5",
        "+5",
        "a",
        "prod/eu",
        "a b",
        "a  b",
        "a#b",
        "a,b",
        "a]b",
        "it's",
        'say "hi"',
        "x:y",
        "https://h.example:1/p?q=1&r",
        "é",
        "日本",
        "a{b}",
        "%x",
        "!x",
        "'q'",
        "'it''s'",
        '"d"',
        '"a b"',
        "[a, b]",
        "[ a ,b ]",
        "[]",
        "[https://x.example/a]",
        "[1, 2.5, ~]",
        "a # c",
        "'q' # c",
        "[a] # c",
        "a:",
        "a: b",
        "@x",
        "*x",
        "&x",
        "- x",
        "|",
    ]
)
_KEYS = st.sampled_from(["service", "port", "protocol", "scope", "owner", "description", "x_1"])


@st.composite
def _documents(draw: st.DrawFn) -> str:
    lines: list[str] = []
    for key in draw(st.lists(_KEYS, min_size=1, max_size=6, unique=True)):
        if draw(st.booleans()) and draw(st.booleans()):
            indent = " " * draw(st.integers(0, 4))
            lines.append(f"{key}:{draw(st.sampled_from(['', ' ', ' # c']))}")
            for _ in range(draw(st.integers(1, 3))):
                lines.append(f"{indent}- {draw(_WORDS)}{draw(st.sampled_from(['', ' ', '  # c']))}")
        else:
            spaces = draw(st.sampled_from([" ", "  "]))
            lines.append(f"{key}:{spaces}{draw(_WORDS)}{draw(st.sampled_from(['', ' ', ' # c']))}")
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(["", "# note", "  # indented note", "   "])))
    return "\n".join(lines) + draw(st.sampled_from(["\n", ""]))


def test_fast_reader_agrees_on_generated_documents() -> None:
    accepted: list[bool] = []

    @settings(max_examples=400, deadline=None)
    @given(_documents())
    def agrees(text: str) -> None:
        accepted.append(assert_same(text))

    agrees()
    # A floor, so that the reader cannot pass by declining everything: many generated
    # documents are flat allocation-like YAML the fast path exists for (about 55%).
    assert sum(accepted) >= len(accepted) * 0.4, f"{sum(accepted)} of {len(accepted)} accepted"


def test_parse_document_strips_a_utf8_bom() -> None:
    doc = parse_document(b"\xef\xbb\xbfport: 8080\n", "f.yaml")
    assert isinstance(doc, Document)
    assert doc.data == {"port": 8080}
    assert doc.value_at[("port",)] == (1, 7)


def test_every_file_of_the_example_register_takes_the_fast_path() -> None:
    files = sorted((REPO / "ports").rglob("*.yaml"))
    assert len(files) >= 10
    for path in files:
        assert assert_same(path.read_text(encoding="utf-8")), path
