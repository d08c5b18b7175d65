"""Loading: every malformed file is exactly one located finding (PC100-PC103)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from portcheck.finding import Finding
from portcheck.load import load_file, parse_document, walk
from portcheck.load.document import Document
from tests.conftest import allocation, cli, write_register


def _located(result: Document | Finding) -> tuple[int, int, str]:
    assert isinstance(result, Finding), result
    return result.line, result.column, result.code


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"port: 'unterminated\n", (1, 20, "PC100")),  # end of file: the last line
        (b"port: 'unterminated", (1, 20, "PC100")),
        (b"port: [1, 2\n", (1, 12, "PC100")),
        (b"a: 1\nport: [1, 2\n\n\n", (4, 1, "PC100")),
        (b"port: 1\n  bad: indent\n", (2, 6, "PC100")),
        (b"owner: @acme\n", (1, 8, "PC100")),
        (b"port: 8080\nprotocol: tcp\nport: 9090\n", (3, 1, "PC101")),
        (b"scope:\n  a: 1\n  a: 2\n", (3, 3, "PC101")),
        (b"port: &p 8080\n", (1, 7, "PC102")),
        (b"a: 1\nport: *p\n", (2, 7, "PC102")),
        (b"port: !!str 8080\n", (1, 7, "PC102")),
        (b"port: !ruby/object 1\n", (1, 7, "PC102")),
        (b"%YAML 1.2\n---\nport: 1\n", (1, 1, "PC102")),
        (b"# c\n%TAG ! tag:x,2000:\n---\nport: 1\n", (2, 1, "PC102")),
        (b"port: 1\n---\nport: 2\n", (2, 1, "PC102")),
        (b"- port: 1\n", (1, 1, "PC102")),
        (b"8080\n", (1, 1, "PC102")),
        (b"", (1, 1, "PC102")),
        (b"# only a comment\n", (1, 1, "PC102")),
        (b"---\n", (1, 1, "PC102")),
        (b"<<: {port: 1}\n", (1, 1, "PC102")),
        (b'"port": 8080\n', (1, 1, "PC102")),
        (b"? [a]\n: 1\n", (1, 3, "PC102")),
        (b"port: 1\nname: caf\xe9\n", (2, 10, "PC102")),
        (b"port: 1\nname: a\x00b\n", (2, 8, "PC102")),
        (b"\xff\xfep\x00o\x00", (1, 1, "PC102")),
        (b"\xfe\xff\x00p", (1, 1, "PC102")),
        (b"\xff\xfe\x00\x00p\x00\x00\x00", (1, 1, "PC102")),
        (b"port: 1\nname: a\x07b\n", (2, 8, "PC102")),
    ],
)
def test_parse_document_findings(data: bytes, expected: tuple[int, int, str]) -> None:
    assert _located(parse_document(data, "ports/x.yaml")) == expected


def test_nesting_is_limited_to_32_levels() -> None:
    ok = parse_document(b"a: " + b"[" * 31 + b"]" * 31 + b"\n", "x.yaml")
    assert isinstance(ok, Document)
    assert _located(parse_document(b"a: " + b"[" * 32 + b"]" * 32 + b"\n", "x.yaml")) == (
        1,
        35,
        "PC102",
    )


def test_deep_nesting_stops_early_without_recursion() -> None:
    assert _located(parse_document(b"a: " + b"[" * 10_000 + b"\n", "x.yaml"))[2] == "PC102"


def test_alias_bomb_is_refused_at_the_first_anchor() -> None:
    bomb = b'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\n'
    assert _located(parse_document(bomb, "x.yaml")) == (1, 4, "PC102")


def test_duplicate_key_points_at_the_first(tmp_path: Path) -> None:
    result = parse_document(b"port: 1\nport: 2\n", "ports/x.yaml")
    assert isinstance(result, Finding)
    assert [tuple(r) for r in result.related] == [("ports/x.yaml", 1, 1)]


def test_size_is_checked_before_parsing(tmp_path: Path) -> None:
    (tmp_path / "ports").mkdir()
    (tmp_path / "ports/big.yaml").write_bytes(b"description: '" + b"x" * 70_000 + b"'\n")
    (tmp_path / "ports/fits.yaml").write_bytes(b"d: '" + b"x" * (64 * 1024 - 6) + b"'\n")
    assert _located(load_file(tmp_path, "ports/big.yaml")) == (1, 1, "PC102")
    assert isinstance(load_file(tmp_path, "ports/fits.yaml"), Document)


def _walked(root: Path) -> dict[str, str | None]:
    return {path: (problem.code if problem else None) for path, problem in walk(root)}


def test_walk_flags_bad_files_and_skips_readme(tmp_path: Path) -> None:
    ports = tmp_path / "ports"
    (ports / "team").mkdir(parents=True)
    for name in [
        "ok.yaml",
        "team/also-ok.yaml",
        "README.md",
        ".gitkeep",
        "team/x.yml",
        "Bad_Id.yaml",
        "trailing-.yaml",
        "notes.txt",
        f"{'a' * 64}.yaml",
    ]:
        (ports / name).write_text("port: 1\n")
    (ports / "link.yaml").symlink_to(ports / "ok.yaml")
    (ports / "outside.yaml").symlink_to("/etc/passwd")
    (ports / "linked-dir").symlink_to(ports / "team")
    os.mkfifo(ports / "pipe.yaml")
    assert _walked(tmp_path) == {
        f"ports/{'a' * 64}.yaml": "PC103",
        "ports/Bad_Id.yaml": "PC103",
        "ports/link.yaml": "PC103",
        "ports/linked-dir": "PC103",
        "ports/notes.txt": "PC103",
        "ports/ok.yaml": None,
        "ports/outside.yaml": "PC103",
        "ports/pipe.yaml": "PC103",
        "ports/team/also-ok.yaml": None,
        "ports/team/x.yml": "PC103",
        "ports/trailing-.yaml": "PC103",
    }


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("service: svc\nscope: [prod,\x85staging]\n", (2, 14)),
        ("description: a\u2028b\n", (1, 15)),
        ("# note\u2029port: 1\n", (1, 7)),
        ("service: svc\ndescription: \u2028\n", (2, 14)),
    ],
)
def test_yaml_1_1_line_breaks_are_refused_where_they_are(text: str, at: tuple[int, int]) -> None:
    found = parse_document(text.encode("utf-8"), "ports/a.yaml")
    assert isinstance(found, Finding)
    assert (found.line, found.column, found.code) == (*at, "PC102")


@pytest.mark.parametrize(
    ("text", "at"), [("a:\t1\n", (1, 3)), ("a: 1\t# c\n", (1, 5)), ("a: 1\nb:\t2\n", (2, 3))]
)
def test_tabs_as_separators_are_reported_at_the_tab(text: str, at: tuple[int, int]) -> None:
    found = parse_document(text.encode("utf-8"), "ports/a.yaml")
    assert isinstance(found, Finding)
    assert (found.line, found.column, found.code) == (*at, "PC100")
    assert found.message == "a tab where only spaces are read: replace it with a space"


def test_a_nel_in_a_scope_list_does_not_hide_a_held_port(tmp_path: Path) -> None:
    held = allocation(scope="[prod,\x85staging]")
    root = write_register(tmp_path, {"ports/svc.yaml": held})
    code, out, _ = cli("check", "--root", str(root), "--as-of", "2026-11-27")
    assert code == 1
    assert out.startswith("ports/svc.yaml:7:14: PC102 yaml-unsafe U+0085 NEXT LINE")
