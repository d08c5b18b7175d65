"""Values from allocation files cannot forge workflow commands or break markdown."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from portcheck.finding import Finding, Severity
from portcheck.report import github, junit, markdown

from .conftest import allocation, cli, parse_commands, table_cells, write_register

PAYLOAD = "a\n::error file=x::pwned | <b>bold</b> @here `tick` [link](https://evil.example)"
YAML_PAYLOAD = json.dumps(PAYLOAD)  # a double-quoted YAML scalar holding a real newline
CODEOWNERS = "* @acme/platform\n/ports/ @acme/team\n"
OUR_PROPERTIES = {"file", "line", "col", "endLine", "title"}


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    files = {
        ".github/CODEOWNERS": CODEOWNERS,
        # Valid: the payload sits in the description of a file that collides.
        "ports/x.yaml": allocation(service="x", description=YAML_PAYLOAD),
        "ports/y.yaml": allocation(service="y"),
        # Invalid: the schema finding quotes the value.
        "ports/z.yaml": allocation(service="z", port=9000, status=YAML_PAYLOAD),
    }
    root = write_register(tmp_path, files)
    # And the file name itself (PC103 names it).
    (root / "ports" / f"{PAYLOAD.replace('/', '_')}.yaml").write_text("service: q\n")
    return root


def output(root: Path, fmt: str) -> str:
    code, out, err = cli("check", "--root", str(root), "--as-of", "2026-11-27", "--format", fmt)
    assert code == 1, err
    return out


def test_no_forged_annotation(hostile: Path) -> None:
    text = output(hostile, "github")
    commands = parse_commands(text)  # every line is one of our commands
    assert [command for command, _, _ in commands] == ["error"] * 4
    assert len(text.splitlines()) == 4
    for _, properties, _ in commands:
        assert set(properties) == OUR_PROPERTIES
        assert properties["file"].startswith("ports/")
    codes = [(p["file"], p["title"].split()[0]) for _, p, _ in commands]
    assert codes[1:] == [
        ("ports/z.yaml", "PC200"),
        ("ports/x.yaml", "PC400"),
        ("ports/y.yaml", "PC400"),
    ]
    assert codes[0][1] == "PC103"
    assert "pwned" in commands[1][2]


def test_no_forged_annotation_from_raw_values() -> None:
    """Whatever a future rule puts in a message or path, the reporter escapes it."""
    forged = Finding(f"ports/{PAYLOAD}", 1, 1, "PC103", "bad-file", Severity.ERROR, PAYLOAD)
    text = github.render([forged])
    assert text.count("\n") == 1
    [(command, properties, message)] = parse_commands(text)
    assert command == "error"
    assert set(properties) == OUR_PROPERTIES
    assert properties["file"] == f"ports/{PAYLOAD}".replace("\n", "\\x0a")
    assert message == PAYLOAD.replace("\n", "\\x0a")
    assert "::error file=x::" not in text.replace("%3A", ":").split("::", 2)[1]


def assert_sound_markdown(text: str) -> None:
    assert "<b>" not in text
    assert "@here" not in text
    assert re.search(r"(?<!\\)\]\(", text) is None  # no link
    assert re.search(r"(?<!\\)`", text) is None  # no unescaped backtick
    widths = {"| rule": 4, "| file": 3, "| location": 4}
    width = 0
    for line in text.splitlines():
        width = next((w for head, w in widths.items() if line.startswith(head)), width)
        if line.startswith("|"):
            assert len(table_cells(line)) == width, line
        else:
            width = 0 if not line else width
            assert not line.startswith("::")


def test_no_broken_markdown(hostile: Path) -> None:
    text = output(hostile, "markdown")
    assert_sound_markdown(text)
    assert "pwned \\| &lt;b&gt;bold&lt;/b&gt; @\u200bhere \\`tick\\`" in text


def test_no_broken_markdown_from_raw_values() -> None:
    forged = Finding(f"ports/{PAYLOAD}", 1, 1, "PC103", "bad-file", Severity.ERROR, PAYLOAD)
    assert_sound_markdown(markdown.render([forged], 1))


def test_other_formats_still_parse(hostile: Path) -> None:
    report = json.loads(output(hostile, "sarif"))
    messages = [r["message"]["text"] for r in report["runs"][0]["results"]]
    assert any("pwned" in message for message in messages)
    suite = ET.fromstring(output(hostile, "junit"))
    assert len(list(suite.iter("testcase"))) == 4


def test_junit_is_xml_whatever_the_bytes() -> None:
    hostile = "\x00\x1b[31m\udcff\ufffe]]><x/>&"
    forged = Finding(f"ports/{hostile}", 1, 1, "PC103", "bad-file", Severity.ERROR, hostile)
    import datetime as dt

    text = junit.render([forged], [], timestamp=dt.datetime(2026, 11, 27))
    suite = ET.fromstring(text)
    [case] = suite.iter("testcase")
    assert case.get("name") == "ports/\\x00\\x1b[31m\\udcff\\ufffe]]><x/>&"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("https://evil.example/x", "https:\u200b//evil.example/x"),
        ("see WWW.evil.example", "see WWW\u200b.evil.example"),
        ("ftp://x and mailto:a", "ftp:\u200b//x and mailto:a"),
        (":smile: :+1: :8ball: :100:", ":\u200bsmile: :\u200b+1: :\u200b8ball: :\u200b100:"),
        ("ports/a.yaml:100:5", "ports/a.yaml:\u200b100:5"),
        ("ports/a.yaml:2:7 note: plain", "ports/a.yaml:2:7 note: plain"),
    ],
)
def test_markdown_neutralises_bare_urls_and_shortcodes(value: str, shown: str) -> None:
    assert markdown.escape(value) == shown
