"""CODEOWNERS lines to rules, and every line GitHub would not read to a located problem.

A line is a pattern followed by owners, separated by spaces or tabs; `#` at
the start of a line or of a word starts a comment ("About code owners": the
docs' own example ends an owner list with `#This is an inline comment.`). A
line with no owners is a rule too: it leaves the paths it matches unowned.

GitHub skips a line with invalid syntax and lists it on the CODEOWNERS page
("If any line in your CODEOWNERS file contains invalid syntax, that line will
be skipped"), so a line with a problem yields the problem and no rule: the
approval it meant to require is simply gone, which is why each is PC502.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from portcheck.codeowners.pattern import Pattern, compile_pattern
from portcheck.finding import printable

# Owners as GitHub accepts them: @user, @org/team-slug, or an e-mail address.
# Logins are letters, digits and hyphens (managed users add _shortcode); team
# slugs also allow . and _ (as the allocation schema's owner pattern does).
_OWNER = re.compile(
    r"@[A-Za-z0-9][A-Za-z0-9_-]*(?:/[A-Za-z0-9_][A-Za-z0-9._-]*)?"
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
# The pattern is the first word; a backslash escapes the next character,
# a space included (`foo\ bar`), as in gitignore and hmarr/codeowners.
_PATTERN_WORD = re.compile(r"(?:\\.|[^\\ \t])+\\?|\\", re.DOTALL)
_WORD = re.compile(r"[^ \t]+")
_ODD_BACKSLASHES_AT_END = re.compile(r"(?:\\.|[^\\])*\\", re.DOTALL)
# Controls (other than tab) and lone surrogates (bytes that were not UTF-8).
_UNREADABLE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\ud800-\udfff]")
_UNESCAPED_BRACKET = re.compile(r"(?:\\.|[^\\\[\]])*([\[\]])", re.DOTALL)


class OwnersLine(NamedTuple):
    """One line GitHub reads: the last rule whose pattern matches a path decides its owners."""

    line: int
    column: int  # of the pattern
    pattern: Pattern
    owners: tuple[str, ...]
    source: str  # the line as written, for `codeowners --who`


class LineProblem(NamedTuple):
    """A line GitHub skips (or a file it ignores), at the offending character."""

    line: int
    column: int
    message: str


def parse(text: str) -> tuple[list[OwnersLine], list[LineProblem]]:
    """The rules and problems of a whole file (lines end at LF; a CR before it is dropped)."""
    rules: list[OwnersLine] = []
    problems: list[LineProblem] = []
    for number, line in enumerate(text.split("\n"), start=1):
        parsed = parse_line(number, line.removesuffix("\r"))
        if isinstance(parsed, OwnersLine):
            rules.append(parsed)
        elif parsed is not None:
            problems.append(parsed)
    return rules, problems


def parse_line(number: int, line: str) -> OwnersLine | LineProblem | None:
    """A rule, the first problem of the line, or None for a blank or comment line."""
    start = len(line) - len(line.lstrip(" \t"))
    if start == len(line) or line[start] == "#":
        return None
    word = _PATTERN_WORD.match(line, start)
    assert word is not None  # line[start] is neither blank nor end of line
    owners = list(_owner_words(line, word.end()))
    problem = pattern_problem(word.group(), start + 1) or _owners_problem(owners)
    if problem is not None:
        column, message = problem
        return LineProblem(number, column, message)
    owned = tuple(owner for _, owner in owners)
    return OwnersLine(number, start + 1, compile_pattern(word.group()), owned, line.strip(" \t"))


def _owner_words(line: str, position: int) -> Iterator[tuple[int, str]]:
    for word in _WORD.finditer(line, position):
        if word.group().startswith("#"):
            return
        yield word.start() + 1, word.group()


def pattern_problem(pattern: str, column: int) -> tuple[int, str] | None:
    """Why GitHub would not read ``pattern`` (starting at ``column``), and where."""
    for check in _PATTERN_CHECKS:
        found = check(pattern)
        if found is not None:
            offset, message = found
            return column + offset, message
    return None


def _unreadable(text: str) -> tuple[int, str] | None:
    found = _UNREADABLE.search(text)
    if found is None:
        return None
    char = found.group()
    what = "a byte that is not UTF-8" if "\ud800" <= char <= "\udfff" else "a control character"
    return found.start(), f"{what} ({char.encode('utf-8', 'surrogateescape')!r})"


def _section(pattern: str) -> tuple[int, str] | None:
    # GitLab's `[Section]` and `^[Optional section]` headers: GitHub has no sections.
    if pattern.startswith(("[", "^[")):
        return 0, "a GitLab section header: GitHub has no sections and skips the line"
    return None


def _negation(pattern: str) -> tuple[int, str] | None:
    # "Using ! to negate a pattern" does not work in CODEOWNERS (GitHub docs).
    if pattern.startswith("!"):
        return 0, "`!` negation is not supported by GitHub; the line is skipped"
    return None


def _escaped_hash(pattern: str) -> tuple[int, str] | None:
    # "Escaping a pattern starting with # using \ ... does not work" (GitHub docs).
    offset = pattern.find("\\#")
    if offset < 0:
        return None
    return offset, "`\\#` escapes are not supported by GitHub; the line is skipped"


def _bracket(pattern: str) -> tuple[int, str] | None:
    # "Using [ ] to define a character range" does not work (GitHub docs); GitHub
    # flags the line ("both `[` and `]` must be escaped with a `\`").
    found = _UNESCAPED_BRACKET.match(pattern)
    if found is None:
        return None
    return found.start(1), "`[ ]` character ranges are not supported by GitHub; escape as `\\[`"


def _inner_hash(pattern: str) -> tuple[int, str] | None:
    # `\#` cannot escape it, and whether GitHub ends the pattern there is not
    # documented: a `#` inside a pattern is ambiguous, so it is refused.
    offset = pattern.find("#")
    if offset < 0:
        return None
    return offset, "`#` inside a pattern: GitHub may read a comment; use `?` to match it"


def _stars(pattern: str) -> tuple[int, str] | None:
    # Neither gitignore nor GitHub gives `***` a meaning (hmarr/codeowners refuses it).
    offset = pattern.find("***")
    if offset < 0:
        return None
    return offset, "`***` has no meaning; use `*` within a folder or `**` across folders"


def _root_only(pattern: str) -> tuple[int, str] | None:
    # GitHub's own CODEOWNERS error: "The pattern `/` will never match anything".
    if pattern == "/":
        return 0, "the pattern `/` never matches anything; did you mean `*`?"
    return None


def _trailing_backslash(pattern: str) -> tuple[int, str] | None:
    if _ODD_BACKSLASHES_AT_END.fullmatch(pattern):
        return len(pattern) - 1, "a trailing `\\` escapes nothing"
    return None


_PATTERN_CHECKS = (
    _unreadable,
    _section,
    _negation,
    _escaped_hash,
    _bracket,
    _inner_hash,
    _stars,
    _root_only,
    _trailing_backslash,
)


def _owners_problem(owners: list[tuple[int, str]]) -> tuple[int, str] | None:
    for column, owner in owners:
        unreadable = _unreadable(owner)
        if unreadable is not None:
            return column + unreadable[0], unreadable[1]
        if not _OWNER.fullmatch(owner):
            return column, f"{printable(owner)} is not an owner (@user, @org/team or an e-mail)"
    return None
