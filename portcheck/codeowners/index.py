"""An index of wildcard CODEOWNERS rules, so a path is tried only against rules that
could match it: the cost grows with files + rules, not files x rules.

Each rule is filed under a literal text every path it matches must contain:

- an anchored rule (`/ports/team-*/`) under its text before the first wildcard
  (`ports/team-`): a path finds it by looking up each of its own prefixes;
- a floating rule (`*.yaml`, `docs/`, `build-*/`) under its first segment: the
  whole segment when it is literal (`docs`), else the literal text before its
  first wildcard (`build-`) or after its last one (`.yaml`); a path finds it by
  looking up each of its segments, and each prefix and suffix of a segment.

What has no such text (`/*/x`, `*`) is tried for every path, as before.
Lookups cost a few dictionary probes per character of the path.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator

from portcheck.codeowners.pattern import ANY, segments

_WILD = frozenset("*?\\")


class WildcardIndex:
    """Indexes of wildcard rules, by the literal text their matches must contain."""

    def __init__(self, patterns: Iterable[tuple[int, str]]) -> None:
        self._anchored: dict[str, list[int]] = {}
        self._segment: dict[str, list[int]] = {}
        self._prefix: dict[str, list[int]] = {}
        self._suffix: dict[str, list[int]] = {}
        self._always: list[int] = []
        for index, text in patterns:
            self._file(index, text)
        # The longest key of each dict bounds the prefixes and suffixes worth probing:
        # a register of plain folder rules has none, so a path costs no probe at all.
        self._anchored_max = max(map(len, self._anchored), default=0)
        self._affix_max = max(map(len, [*self._prefix, *self._suffix]), default=0)

    def _file(self, index: int, text: str) -> None:
        parts = segments(text)
        if parts[0] != ANY:
            literal = _literal_prefix("/".join(parts))
            bucket = self._anchored if literal else None
        else:
            first = next((part for part in parts[1:] if part != ANY), "")
            literal, bucket = _segment_key(first, self._segment, self._prefix, self._suffix)
        if bucket is None or not literal:
            self._always.append(index)
        else:
            bucket.setdefault(literal, []).append(index)

    def candidates(self, path: str) -> Iterator[int]:
        """The indexes of every rule that may match ``path``, newest first (lazily: the
        caller stops at the first that matches)."""
        found: list[int] = []
        for end in range(1, min(len(path), self._anchored_max) + 1):
            found += self._anchored.get(path[:end], ())
        for part in path.split("/") if self._segment or self._affix_max else ():
            found += self._segment.get(part, ())
            for cut in range(1, min(len(part), self._affix_max) + 1):
                found += self._prefix.get(part[:cut], ())
                found += self._suffix.get(part[-cut:], ())
        if not found:
            return reversed(self._always)
        return heapq.merge(sorted(set(found), reverse=True), reversed(self._always), reverse=True)


def _literal_prefix(text: str) -> str:
    """``text`` up to its first wildcard or escape."""
    for at, char in enumerate(text):
        if char in _WILD:
            return text[:at]
    return text


def _segment_key(
    part: str,
    exact: dict[str, list[int]],
    prefix: dict[str, list[int]],
    suffix: dict[str, list[int]],
) -> tuple[str, dict[str, list[int]] | None]:
    if "\\" in part or not part:
        return "", None
    if not _WILD.intersection(part):
        return part, exact
    head = _literal_prefix(part)
    if head:
        return head, prefix
    tail = part[max(part.rfind("*"), part.rfind("?")) + 1 :]
    return (tail, suffix) if tail else ("", None)
