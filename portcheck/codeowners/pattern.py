"""CODEOWNERS patterns: GitHub's gitignore-like paths, each compiled to one regex.

GitHub ("About code owners", CODEOWNERS syntax) documents the rules this module
follows: a pattern without a slash (or with only a trailing one) matches at any
depth; a leading or inner slash anchors it to the root; a trailing slash
matches only what is below a directory; `*` stays inside one path segment, so
`docs/*` owns `docs/a.md` but not `docs/build/a.md`; `**` spans segments;
anything else matching a directory also owns everything below it. Where the
docs are silent, the behaviour is that of hmarr/codeowners (testdata/patterns.json,
checked against GitHub), which the conformance tests run in full.

This module only translates: the parser (``parse.py``) refuses, before this is
reached, the lines GitHub does not support (``[ ]``, ``!``, ``\\#``). Brackets
that reach it are literal, as hmarr's fixture `/apps/[param]/file.ts` expects.

Matching never backtracks without bound, whatever the pattern (a pull request
can change CODEOWNERS, and CI must not hang on it): between two wildcards the
leftmost occurrence is always as good as any later one, so those parts are
atomic groups, and only the last wildcard of a segment or path backtracks.
"""

from __future__ import annotations

import re

ANY = "**"
_TOKEN = re.compile(r"\\(.)|(\*+)|(\?)|([^\\*?]+)|(\\)", re.DOTALL)
_STARS, _ONE = 2, 3


class Pattern:
    """A CODEOWNERS pattern, its regex compiled the first time it is needed: the index
    (``index.py``) tries few rules per path, and compiling all of a 3 MB file's
    100,000 rules up front would take longer than matching a register with them."""

    __slots__ = ("_regex", "directory", "literal", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        #: For an anchored pattern without wildcards or escapes, the path it names
        #: (without slashes around it): an index can find it without the regex.
        self.literal = _literal(text)
        #: The literal ends with "/": it owns only what is below that directory.
        self.directory = text.endswith("/")
        self._regex: re.Pattern[str] | None = None

    def __repr__(self) -> str:
        return f"Pattern({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pattern) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    @property
    def name_free(self) -> bool:
        """True when whether it matches ``folder/name`` depends on the folder alone:
        its last segment is ``*`` or ``**`` (or implied ``**``, a trailing slash)."""
        return segments(self.text)[-1] in ("*", ANY)

    @property
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            self._regex = re.compile(_translate(segments(self.text)), re.DOTALL)
        return self._regex

    def matches(self, path: str) -> bool:
        return self.regex.match(path) is not None


def compile_pattern(text: str) -> Pattern:
    """Any text as a pattern; never raises (unsupported syntax is the parser's concern)."""
    return Pattern(text)


def segments(text: str) -> list[str]:
    """The pattern as path segments, with the implicit ``**`` made explicit.

    A pattern with no slash but a trailing one matches at any depth (a leading
    ``**``); a trailing slash means everything below (a trailing ``**``).
    """
    parts = text.split("/")
    if parts[0] == "":
        parts = parts[1:]
    elif (len(parts) == 1 or (len(parts) == 2 and parts[1] == "")) and parts[0] != ANY:
        parts = [ANY, *parts]
    if len(parts) > 1 and parts[-1] == "":
        parts[-1] = ANY
    collapsed: list[str] = []
    for part in parts:
        if not (part == ANY and collapsed and collapsed[-1] == ANY):
            collapsed.append(part)
    return collapsed


def _literal(text: str) -> str | None:
    anchored = text.startswith("/") or "/" in text.rstrip("/")
    name = text.strip("/")
    if not anchored or not name or any(c in text for c in "*?\\") or "//" in text:
        return None
    return name


def _translate(parts: list[str]) -> str:
    if parts == [ANY]:
        return r".+\Z"
    leading = parts[0] == ANY
    trailing = len(parts) > 1 and parts[-1] == ANY
    blocks = _blocks(parts[int(leading) : len(parts) - int(trailing)])
    out: list[str] = []
    for index, block in enumerate(blocks):
        body = "/".join(_segment(part) for part in block)
        if index == 0 and not leading:
            out.append(body)
        elif index == len(blocks) - 1 and not trailing:
            # Only the final block backtracks over where it starts.
            out.append(("(?:.+/)?" if index == 0 else "(?:/.+)?/") + body)
        else:
            # A `**` follows this block: its leftmost place is as good as any later one.
            gap = "(?:.+?/)?" if index == 0 else "(?:/.+?)?/"
            out.append(f"(?>{gap}{body}(?=/))")
    out.append(_tail(parts, trailing))
    return "".join(out)


def _blocks(parts: list[str]) -> list[list[str]]:
    """Runs of plain segments between ``**`` segments."""
    blocks: list[list[str]] = [[]]
    for part in parts:
        if part == ANY:
            blocks.append([])
        else:
            blocks[-1].append(part)
    return blocks


def _tail(parts: list[str], trailing: bool) -> str:
    if trailing:
        return r"/.*\Z"
    if parts[-1] == "*":
        # `docs/*`: direct children only (GitHub docs, "docs/*" example).
        return r"\Z"
    # Any other last segment may name a directory: it owns what is below.
    return r"(?:/.*)?\Z"


def _segment(part: str) -> str:
    """One path segment: ``*`` is any run within it, ``?`` one character."""
    if part == "*":
        return "[^/]+"
    pieces = _pieces(part)
    if len(pieces) == 1:
        return pieces[0]
    middle = "".join(f"(?>[^/]*?{piece})" for piece in pieces[1:-1])
    return f"{pieces[0]}{middle}[^/]*{pieces[-1]}"


def _pieces(part: str) -> list[str]:
    """The regexes of the parts between unescaped stars (consecutive stars are one)."""
    pieces: list[list[str]] = [[]]
    for token in _TOKEN.finditer(part):
        kind = token.lastindex
        if kind == _STARS:
            pieces.append([])
        elif kind == _ONE:
            pieces[-1].append("[^/]")
        else:  # an escaped character, a plain run, or a trailing backslash (itself)
            pieces[-1].append(re.escape(token.group(kind or 0)))
    return ["".join(piece) for piece in pieces]
