"""Who owns a path: the last CODEOWNERS rule that matches it ("Order is important;
the last matching pattern takes the most precedence", GitHub docs).

A register may hold 100,000 allocations and CODEOWNERS one line per folder or
file, so trying every rule on every path would be quadratic. Most rules name a
path literally (`/ports/payments/`, `/ports/x/api.yaml`): those sit in dicts,
found by the path and each of its parent folders. Only the rules with
wildcards are tried as regexes, newest first, and only while they could still
beat the best literal rule found, and only those whose literal text the path
contains (:mod:`portcheck.codeowners.index`): a 3 MB CODEOWNERS of wildcard lines
costs a few probes per path, not one regex per line.
"""

from __future__ import annotations

from collections.abc import Sequence

from portcheck.codeowners.index import WildcardIndex
from portcheck.codeowners.parse import OwnersLine


class Ruleset:
    """The rules GitHub reads from one CODEOWNERS file, in file order."""

    def __init__(self, rules: Sequence[OwnersLine]) -> None:
        self.rules = tuple(rules)
        self._exact: dict[str, int] = {}  # `/a/b`: the path a/b itself
        self._below: dict[str, int] = {}  # `/a/b` and `/a/b/`: paths under a/b/
        self._wild: list[int] = []
        self._folders: dict[str, int] = {}  # a folder -> _below_folder() of its files
        for index, rule in enumerate(self.rules):
            literal = rule.pattern.literal
            if literal is None:
                self._wild.append(index)
                continue
            if not rule.pattern.directory:
                self._exact[literal] = index
            self._below[literal] = index
        self._index = WildcardIndex((i, self.rules[i].pattern.text) for i in self._wild)

    def _below_folder(self, path: str) -> int:
        """The last folder rule that covers the folders of ``path``, or -1."""
        best = -1
        slash = path.find("/")
        while slash > 0:
            best = max(best, self._below.get(path[:slash], -1))
            slash = path.find("/", slash + 1)
        return best

    def by_folder(self) -> bool:
        """True when two files of one folder that no rule names by its own path
        (named()) have the same owners: every wildcard rule ends in ``*`` or ``**``
        (``*``, ``/ports/*``, ``docs/``), so whether it matches a file depends on
        the file's folder, never its name."""
        return all(self.rules[index].pattern.name_free for index in self._wild)

    def named(self) -> frozenset[str]:
        """The paths a rule names by themselves (``/ports/x/api.yaml``)."""
        return frozenset(self._exact)

    def owners_of(self, path: str) -> OwnersLine | None:
        """The rule that decides ``path`` (repo-relative, POSIX), or None if none matches.

        The rule's owners may be empty: a rule without owners leaves the path unowned.
        """
        folder = path[: max(path.rfind("/"), 0)]
        below = self._folders.get(folder)
        if below is None:
            below = self._folders[folder] = self._below_folder(path)
        best = max(self._exact.get(path, -1), below)
        for index in self._index.candidates(path) if self._wild else ():
            if index < best:
                break
            if self.rules[index].pattern.matches(path):
                best = index
                break
        return self.rules[best] if best >= 0 else None
