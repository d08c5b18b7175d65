"""`check --cache-dir` vouches by git's index only for files git stores as they are.

With a conversion (core.autocrlf, or a text, eol, crlf, filter, ident or
working-tree-encoding attribute from any attributes source) git's index holds the
blob id of the converted bytes, and a file's LF and CRLF forms are one blob. The
64 KiB limit tells them apart: 64,000 bytes with LF ends, more with CRLF ends, so a
warm run that trusted the index would keep the LF form's "valid" where a cold run
reports PC102. Each case checks that git did convert (the index kept the LF blob)
and that the warm run says what the cold one says.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from portcheck.cache import blob_id
from portcheck.cache.converted import AutoCrlf
from portcheck.cache.index import IndexBlobs
from portcheck.cache.store import PATH_AT, Verdict
from portcheck.engine import check_cache, check_register

from .conftest import AS_OF, allocation, cli, git, located, new_repo


@pytest.fixture(autouse=True)
def no_user_git_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Git as portcheck runs it reads the user's and the system's settings: none here."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_ATTR_NOSYSTEM", "1")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


LARGE = 64_000  # bytes with LF line ends: under the limit, over it with CRLF


def large_allocation() -> str:
    text = allocation(port=8080)
    return text + "#\n" * ((LARGE - len(text)) // 2)


def checked(root: Path, cache: Path | None) -> list[tuple[str, int, int, str]]:
    return located(check_register(root, as_of=AS_OF, cache_dir=cache).findings)


def index_blob(root: Path, relative: str) -> str:
    return git(root, "ls-files", "-s", "--", relative).split()[1]


def vouched(root: Path, cache: Path, paths: list[str]) -> list[int | Verdict | None]:
    """What the cache takes on git's word alone, before any file is read."""
    held = check_cache(root, None, cache)
    try:
        return held.rows_vouched(paths)
    finally:
        held.close()


def attributes(relative: str, text: str) -> Callable[[Path], None]:
    def configure(root: Path) -> None:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")

    return configure


def config(*pairs: tuple[str, str]) -> Callable[[Path], None]:
    def configure(root: Path) -> None:
        for name, value in pairs:
            git(root, "config", name, value)

    return configure


def attributes_file(root: Path) -> None:
    (root.parent / "attributes").write_text("*.yaml text\n", encoding="utf-8")
    git(root, "config", "core.attributesFile", str(root.parent / "attributes"))


TRIGGERS = {
    "core.autocrlf true": config(("core.autocrlf", "true")),
    "core.autocrlf input": config(("core.autocrlf", "input")),
    ".gitattributes text=auto": attributes(".gitattributes", "* text=auto\n"),
    ".gitattributes eol=crlf": attributes(".gitattributes", "*.yaml eol=crlf\n"),
    ".gitattributes filter": lambda root: (
        attributes(".gitattributes", "*.yaml filter=unix\n")(root),
        config(("filter.unix.clean", "tr -d '\\r'"))(root),
    ),
    "info/attributes": attributes(".git/info/attributes", "* text\n"),
    "core.attributesFile": attributes_file,
}


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_a_file_git_converts_is_judged_on_its_own_bytes(tmp_path: Path, trigger: str) -> None:
    root = new_repo(tmp_path / "repo", {"ports/a.yaml": large_allocation()})
    TRIGGERS[trigger](root)
    cache = root / ".portcheck-cache"
    assert checked(root, cache) == []
    lf_blob = index_blob(root, "ports/a.yaml")
    path = root / "ports/a.yaml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    git(root, "add", "ports/a.yaml")
    assert index_blob(root, "ports/a.yaml") == lf_blob  # git converted: one blob
    assert git(root, "ls-files", "-m") == ""  # and sees the CRLF copy unmodified
    assert vouched(root, cache, ["ports/a.yaml"]) == [None]
    cold = checked(root, None)
    assert cold == [("ports/a.yaml", 1, 1, "PC102")]
    assert checked(root, cache) == cold


def test_the_cli_judges_a_converted_file_again(tmp_path: Path) -> None:
    root = new_repo(tmp_path / "repo", {"ports/a.yaml": large_allocation()})
    git(root, "config", "core.autocrlf", "true")
    run = ("check", "--root", str(root), "--as-of", AS_OF.isoformat(), "--format", "json")
    assert cli(*run)[0] == 0  # fills .portcheck-cache/ under the root
    path = root / "ports/a.yaml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    git(root, "add", "ports/a.yaml")
    code, out, _ = cli(*run)
    assert code == 1
    assert [f["code"] for f in json.loads(out)["findings"]] == ["PC102"]


def test_a_file_whose_ident_git_collapses_is_judged_on_its_own_bytes(tmp_path: Path) -> None:
    """`ident` stores `$Id: anything $` as `$Id$`: a long one makes another size."""
    text = allocation(port=8080) + "# $Id$\n"
    root = new_repo(tmp_path / "repo", {"ports/a.yaml": text, ".gitattributes": "*.yaml ident\n"})
    cache = root / ".portcheck-cache"
    assert checked(root, cache) == []
    blob = index_blob(root, "ports/a.yaml")
    expanded = text.replace("$Id$", "$Id: " + "x" * 70_000 + " $")
    (root / "ports/a.yaml").write_text(expanded, encoding="utf-8")
    git(root, "add", "ports/a.yaml")
    assert index_blob(root, "ports/a.yaml") == blob
    cold = checked(root, None)
    assert cold == [("ports/a.yaml", 1, 1, "PC102")]
    assert checked(root, cache) == cold


@pytest.mark.xfail(
    strict=True,
    reason="git keeps the blob a conversion made after the conversion is turned off and "
    "sees the file unchanged, until `git add --renormalize .` stores it again",
)
def test_an_index_written_under_a_conversion_since_turned_off(tmp_path: Path) -> None:
    root = new_repo(tmp_path / "repo", {"ports/a.yaml": large_allocation()})
    cache = root / ".portcheck-cache"
    assert checked(root, cache) == []
    git(root, "config", "core.autocrlf", "true")
    path = root / "ports/a.yaml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    os.utime(path, (1e9, 1e9))  # older than the index: git trusts its stat data
    git(root, "add", "ports/a.yaml")
    git(root, "config", "--unset", "core.autocrlf")
    assert git(root, "ls-files", "-m") == ""
    assert index_blob(root, "ports/a.yaml") != blob_id(path.read_bytes())
    cold = checked(root, None)
    assert cold == [("ports/a.yaml", 1, 1, "PC102")]
    assert checked(root, cache) == cold


def test_in_a_plain_repository_git_vouches_for_the_file(tmp_path: Path) -> None:
    root = new_repo(tmp_path / "repo", {"ports/a.yaml": allocation(port=8080)})
    cache = root / ".portcheck-cache"
    assert checked(root, cache) == []
    assert vouched(root, cache, ["ports/a.yaml"]) == [0]  # its row, on git's word


def test_attributes_vouch_for_the_files_they_do_not_convert(tmp_path: Path) -> None:
    """A file no converting attribute names is stored as it is; one matched by `text`
    is not."""
    files = {"ports/a.yaml": allocation(port=8080), "ports/eu/b.yaml": allocation(port=8081)}
    files[".gitattributes"] = "*.png binary\nports/eu/*.yaml text\n"
    root = new_repo(tmp_path / "repo", files)
    cache = root / ".portcheck-cache"
    assert checked(root, cache) == []
    marks = vouched(root, cache, ["ports/a.yaml", "ports/eu/b.yaml"])
    assert isinstance(marks[0], int)
    assert marks[1] is None


def vouchable(root: Path) -> set[str]:
    """The paths whose index entries git's listing offers to vouch with."""
    index = IndexBlobs(root, AutoCrlf(root))
    try:
        return {row_key[PATH_AT:] for row_key in index.listing()[0]}
    finally:
        index.close()


BOTH = {"ports/a.yaml", "ports/eu/b.yaml"}
ATTRIBUTE_LINES = {
    "": BOTH,
    "*.png text\n": BOTH,
    "* binary\n": set(),  # -text, stored as it is, but specified: hashed all the same
    "* text=auto\n": set(),
    "*.yaml text\n": set(),
    "*.yaml crlf\n": set(),  # the legacy name of text
    "b.yaml eol=lf\n": {"ports/a.yaml"},
    "a.yaml working-tree-encoding=UTF-16\n": {"ports/eu/b.yaml"},
    "*.yaml -diff\nb.yaml filter=lfs\n": {"ports/a.yaml"},
    "[attr]mine ident\n*.yaml mine\n": set(),  # a macro
}


@pytest.mark.parametrize("lines", ATTRIBUTE_LINES)
def test_git_lists_only_the_files_it_stores_as_they_are(tmp_path: Path, lines: str) -> None:
    root = new_repo(tmp_path / "repo", {"ports/a.yaml": allocation(), "ports/eu/b.yaml": ""})
    (root / ".gitattributes").write_text(lines, encoding="utf-8")  # as `git add` reads it
    assert vouchable(root) == ATTRIBUTE_LINES[lines]


def test_attributes_git_holds_only_in_its_index_count(tmp_path: Path) -> None:
    files = {"ports/a.yaml": allocation(), ".gitattributes": "*.yaml text\n"}
    root = new_repo(tmp_path / "repo", files)
    (root / ".gitattributes").unlink()
    assert vouchable(root) == set()


def test_a_folder_s_own_attributes_count_even_when_not_committed(tmp_path: Path) -> None:
    root = new_repo(tmp_path / "repo", {"ports/a.yaml": allocation(), "ports/eu/b.yaml": ""})
    (root / "ports/eu/.gitattributes").write_text("* filter=lfs\n", encoding="utf-8")
    assert vouchable(root) == {"ports/a.yaml"}


@pytest.mark.parametrize(
    ("value", "on"), [("false", False), ("off", False), ("true", True), ("input", True)]
)
def test_core_autocrlf_converts_every_file(tmp_path: Path, value: str, on: bool) -> None:
    root = new_repo(tmp_path / "repo", {"ports/a.yaml": allocation()})
    git(root, "config", "core.autocrlf", value)
    assert vouchable(root) == (set() if on else {"ports/a.yaml"})


def test_an_autocrlf_without_a_value_is_on(tmp_path: Path) -> None:
    root = new_repo(tmp_path / "repo", {"ports/a.yaml": allocation()})
    with (root / ".git/config").open("a", encoding="utf-8") as config:
        config.write("[core]\n\tautocrlf\n")
    assert AutoCrlf(root).on()


def test_the_user_s_default_attributes_file_counts(tmp_path: Path) -> None:
    root = new_repo(tmp_path / "repo", {"ports/a.yaml": allocation(), "ports/b.yaml": ""})
    (tmp_path / "xdg/git").mkdir(parents=True)
    (tmp_path / "xdg/git/attributes").write_text("a.yaml eol=lf\n", encoding="utf-8")
    assert vouchable(root) == {"ports/b.yaml"}


def test_core_eol_alone_converts_nothing(tmp_path: Path) -> None:
    """core.eol picks the line ends of text files; without text nothing is converted."""
    root = new_repo(tmp_path / "repo", {"ports/a.yaml": allocation()})
    git(root, "config", "core.eol", "crlf")
    path = root / "ports/a.yaml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    git(root, "add", "ports/a.yaml")
    assert index_blob(root, "ports/a.yaml") == blob_id(path.read_bytes())
    assert vouchable(root) == {"ports/a.yaml"}


def test_outside_git_nothing_is_vouched_for(tmp_path: Path) -> None:
    (tmp_path / "ports").mkdir()
    assert vouchable(tmp_path) == set()
