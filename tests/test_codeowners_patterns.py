"""CODEOWNERS read as GitHub reads it: pattern and line tables, and the conformance fixtures."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portcheck.codeowners import Ruleset, compile_pattern, parse
from portcheck.codeowners.pattern import ANY, segments

from .conftest import require_corpus


def owners(codeowners: str, path: str) -> tuple[str, ...] | None:
    """The owners GitHub would request for ``path``: () for an ownerless line, None if none."""
    rules, problems = parse(codeowners)
    assert problems == []
    decided = Ruleset(rules).owners_of(path)
    return None if decided is None else decided.owners


A, B = ("@a",), ("@b",)


@pytest.mark.parametrize(
    ("codeowners", "path", "expected"),
    [
        # no slash: any depth; a leading or an inner slash anchors to the root
        ("docs @a", "docs", A),
        ("docs @a", "x/docs/y.md", A),
        ("docs @a", "docsy", None),
        ("/docs @a", "docs/y.md", A),
        ("/docs @a", "x/docs/y.md", None),
        ("docs/api @a", "docs/api/y", A),
        ("docs/api @a", "x/docs/api/y", None),
        # `*` stays in one segment; `dir/*` is direct children only (GitHub docs)
        ("*.js @a", "src/deep/x.js", A),
        ("*.js @a", "x.jsx", None),
        ("/src/*.py @a", "src/a.py", A),
        ("/src/*.py @a", "src/x/a.py", None),
        ("docs/* @a", "docs/a.md", A),
        ("docs/* @a", "docs/build/a.md", None),
        ("/* @a", "README.md", A),
        ("/* @a", "src/a.py", None),
        ("/v? @a", "v1", A),
        ("/v? @a", "v10", None),
        # `**` spans segments
        ("**/logs @a", "a/b/logs/x.log", A),
        ("**/logs @a", "logs", A),
        ("/a/**/z @a", "a/z", A),
        ("/a/**/z @a", "a/b/c/z/file", A),
        ("/a/**/z @a", "b/a/z", None),
        ("a/** @a", "a", None),
        ("a/** @a", "a/b/c", A),
        # a trailing slash: only what is below a directory
        ("apps/ @a", "x/apps/y", A),
        ("apps/ @a", "apps", None),
        ("/apps/ @a", "apps/y/z", A),
        ("/apps/ @a", "x/apps/y", None),
        # the last matching line wins, and an ownerless line unowns
        ("* @a\n*.md @b", "x.md", B),
        ("*.md @b\n* @a", "x.md", A),
        ("* @a\n/vendor/", "vendor/lib.c", ()),
        ("* @a\n/vendor/", "src/lib.c", A),
        ("/apps/ @a\n/apps/github @b", "apps/github/x", B),
        # comments: whole lines, indented lines, and the end of an owner list
        ("# * @a", "x", None),
        ("   # * @a", "x", None),
        ("* @a @b # reviewers: @c", "x", ("@a", "@b")),
        ("* @a #@b", "x", A),
        ("/x # nobody", "x", ()),
        # owners: users, teams, e-mail addresses; tabs separate too
        ("* docs@example.com", "x", ("docs@example.com",)),
        (
            "* @a @org/team-1 first.last+tag@sub.example.org",
            "x",
            ("@a", "@org/team-1", "first.last+tag@sub.example.org"),
        ),
        ("*\t@a\t\t@b", "x", ("@a", "@b")),
        ("* @a\r\n/x/ @b\r\n", "x/y", B),
        # escapes make a wildcard, a bracket or a space literal
        ("\\*.md @a", "*.md", A),
        ("\\*.md @a", "x.md", None),
        ("/\\[id\\].ts @a", "[id].ts", A),
        ("/\\[id\\].ts @a", "i.ts", None),
        ("foo\\ bar @a", "x/foo bar", A),
        # everything else is literal, and paths are case-sensitive (GitHub docs)
        ("/a+b(c)$.^{1}| @a", "a+b(c)$.^{1}|", A),
        ("/Docs/ @a", "docs/x", None),
        ("/dokumentë/ @a", "dokumentë/x", A),
    ],
)
def test_pattern_table(codeowners: str, path: str, expected: tuple[str, ...] | None) -> None:
    assert owners(codeowners, path) == expected


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("!/ports/legacy/ @a", 1),  # negation (GitHub docs: does not work)
        ("/x/[ab].md @a", 4),  # character range (GitHub docs: does not work)
        ("/x/a].md @a", 5),
        ("/x/\\[a].md @a", 7),
        ("\\#hash @a", 1),  # "\#" (GitHub docs: does not work)
        ("/a\\#b @a", 3),
        ("[Section]", 1),  # GitLab sections
        ("^[Optional section] @a", 1),
        ("  [Section name][2] @a", 3),
        ("* @a/b/c", 3),  # GitLab nested groups are not GitHub teams
        ("* user", 3),
        ("* @a @first.last", 6),
        ("* @", 3),
        ("* @a,@b", 3),
        ("* @-a", 3),
        ("* @a#comment", 3),
        ("* someone@localhost", 3),
        ("/x*** @a", 3),
        ("/ @a", 1),
        ("/x\\", 3),
        ("/a#b @a", 3),
        ("/x\x1b[31m @a", 3),
        ("* @a\x00", 5),
        ("* @a\x0bb", 5),
        ("/caf\udce9 @a", 5),  # a byte that was not UTF-8 (read with surrogateescape)
    ],
)
def test_unsupported_lines_are_located_and_skipped(line: str, column: int) -> None:
    rules, problems = parse(f"* @z\n{line}\n")
    assert [(p.line, p.column) for p in problems] == [(2, column)]
    assert [rule.line for rule in rules] == [1]  # skipped, not half-read


def test_the_first_problem_of_a_line_is_reported_once() -> None:
    _, problems = parse("![x] user @a/b/c\n")
    assert [(p.line, p.column) for p in problems] == [(1, 1)]


def test_rules_remember_where_they_are() -> None:
    rules, _ = parse("\n  /a/   @x  # c\n")
    assert [(r.line, r.column, r.pattern.text, r.source) for r in rules] == [
        (2, 3, "/a/", "/a/   @x  # c")
    ]


# Conformance fixtures (../shared/corpora/codeowners-conformance, see its SOURCE.md).


def _cases(name: str) -> list[dict[str, object]]:
    folder = require_corpus("codeowners-conformance")
    return json.loads((folder / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_hmarr_patterns_all_match_as_on_github() -> None:
    cases = _cases("cases.json")
    assert len(cases) == 153
    wrong = [
        (case["pattern"], case["path"], case["matches"])
        for case in cases
        if compile_pattern(str(case["pattern"])).matches(str(case["path"])) != case["matches"]
    ]
    assert wrong == []


def test_github_docs_examples_all_hold() -> None:
    cases = _cases("github-docs-examples.json")
    assert len(cases) == 21
    got = {str(c["id"]): owners(str(c["codeowners"]), str(c["path"])) or () for c in cases}
    assert got == {str(c["id"]): tuple(c["owners"]) for c in cases}  # type: ignore[arg-type]


# sbdchd's table is checked against git's gitignore, not GitHub (SOURCE.md); where
# the two disagree GitHub wins, and these rows are expected to differ.
_SBDCHD_DISAGREES = {
    ("[Ffb]oo", "foo"): "gitignore character range: GitHub does not support [ ] (docs)",
    ("[Ffb]oo", "Foo"): "gitignore character range: GitHub does not support [ ] (docs)",
    ("[Ffb]oo", "boo"): "gitignore character range: GitHub does not support [ ] (docs)",
    ("[\\]f]o\\[o\\]", "fo[o]"): "gitignore character range: not supported by GitHub",
    ("[\\]f]o\\[o\\]", "]o[o]"): "gitignore character range: not supported by GitHub",
    ("bar[0-5].log", "bar0.log"): "gitignore character range: not supported by GitHub",
    ("foo/**/", "foo/bar"): "git needs a directory for a trailing /; hmarr (GitHub) matches",
    ("docs/*", "docs/"): "skipped by sbdchd's own git check; docs/* owns files in docs/",
}


def _sbdchd_params() -> list[object]:
    folder = Path(__file__).resolve().parents[2] / "shared/corpora/codeowners-conformance"
    if not (folder / "sbdchd-cases.json").is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason="corpus not found"))]
    params: list[object] = []
    for case in json.loads((folder / "sbdchd-cases.json").read_text(encoding="utf-8")):
        reason = _SBDCHD_DISAGREES.get((case["pattern"], case["path"]))
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        params.append(pytest.param(case, marks=marks, id=f"{case['pattern']}|{case['path']}"))
    return params


@pytest.mark.parametrize("case", _sbdchd_params())
def test_sbdchd_table_where_it_agrees_with_github(case: dict[str, object]) -> None:
    assert compile_pattern(str(case["pattern"])).matches(str(case["path"])) == case["matches"]


# The regex translation against a plain one (no atomic groups) that backtracks freely.


def plain_regex(pattern: str) -> re.Pattern[str]:
    parts = segments(pattern)
    if parts == [ANY]:
        return re.compile(".+")
    out, slash = "", False
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == ANY:
            out += "(?:.+/)?" if index == 0 else "/.*" if last else "(?:/.+)?"
            slash = 0 < index < len(parts) - 1
            continue
        out += "/" if slash else ""
        if part == "*":
            out += "[^/]+"
        else:
            out += "".join("[^/]*" if c == "*" else "[^/]" if c == "?" else c for c in part)
            out += "(?:/.*)?" if last else ""
        slash = True
    return re.compile(out)


_PATTERN = st.text(alphabet="ab*?/", min_size=1, max_size=9)
_PATH = st.lists(st.text(alphabet="ab", min_size=1, max_size=3), min_size=1, max_size=5)


@given(_PATTERN, _PATH)
def test_translation_agrees_with_plain_backtracking(pattern: str, parts: list[str]) -> None:
    path = "/".join(parts)
    expected = plain_regex(pattern).fullmatch(path) is not None
    assert compile_pattern(pattern).matches(path) == expected


@given(st.lists(st.tuples(st.booleans(), _PATTERN), min_size=1, max_size=8), _PATH)
def test_the_index_finds_the_last_matching_rule(
    patterns: list[tuple[bool, str]], parts: list[str]
) -> None:
    text = "".join(f"{'/' if anchor else ''}{p} @o{n}\n" for n, (anchor, p) in enumerate(patterns))
    rules, _ = parse(text)
    path = "/".join(parts)
    matching = [rule for rule in rules if rule.pattern.matches(path)]
    assert Ruleset(rules).owners_of(path) == (matching[-1] if matching else None)


def test_hostile_patterns_match_in_bounded_time() -> None:
    # Nested wildcards backtrack exponentially in a naive regex; a pull request can
    # change CODEOWNERS, so CI must not hang on it. The child process has a deadline.
    program = """
from portcheck.codeowners import compile_pattern
path = "/".join(["a" * 40] * 60) + "/c"
for pattern in ["*a" * 30 + "*b", "**/" + "a*/**/" * 12 + "b", "/" + "*/" * 50 + "b"]:
    assert not compile_pattern(pattern).matches(path)
assert compile_pattern("**/" + "*a" * 30 + "*").matches(path.replace("/c", "/" + "a" * 30))
"""
    subprocess.run([sys.executable, "-c", program], check=True, timeout=60)
