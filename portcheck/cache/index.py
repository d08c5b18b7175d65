"""Which files under ports/ git's index vouches for: their blob ids, listed by git
in the background while the register is walked; never a file git may convert on
its way into the index (cache.converted)."""

from __future__ import annotations

import operator
import os
from pathlib import Path

from portcheck.cache.converted import AutoCrlf, unconverted
from portcheck.load.background import GitAnswer


class IndexBlobs:
    """What git's index vouches for under ports/: the keys (store.key) of the plain
    tracked files whose work-tree copy git sees unchanged and stores as it is. Git
    starts at once and is asked for its answer when first needed, so that it lists
    and compares while this process reads the cache and walks the register."""

    def __init__(self, root: Path, autocrlf: AutoCrlf) -> None:
        # Only the files git stores as they are (cache.converted).
        self._staged = GitAnswer(root, "ls-files", "-s", "-v", "-z", "--", unconverted("ports"))
        # Modified files, found without preloading the index: its lstat threads would
        # take every core from the run this listing is meant to run beside.
        modified = ("ls-files", "-m", "-z", "--", "ports")
        self._changed = GitAnswer(root, "-c", "core.preloadIndex=false", *modified)
        self._autocrlf = autocrlf  # started by the caller, as early as it can
        self._listing: tuple[set[str], set[str]] | None = None

    def close(self) -> None:
        self._staged.stop()
        self._changed.stop()
        self._autocrlf.stop()

    def listing(self) -> tuple[set[str], set[str]]:
        """The keys git lists for plain tracked files, and the paths it sees modified
        in the work tree (nothing at all when git could not answer, or when
        core.autocrlf is on)."""
        if self._listing is None:
            staged, changed = self._staged.output(), self._changed.output()
            if staged is None or changed is None or self._autocrlf.on():
                self._listing = set(), set()
            else:
                modified = set(os.fsdecode(changed).split("\0"))
                self._listing = _plain_keys(os.fsdecode(staged)), modified
            self._autocrlf.stop()
        return self._listing


#: The start of an entry of `git ls-files -s -v -z` for a plain tracked file: tag H
#: (h is assume-unchanged, S skip-worktree, whose changes `ls-files -m` would not
#: report) and mode 100644 or 100755; then the key (store.key) follows. An entry in
#: a merge conflict has a stage other than 0, so its key matches no row.
_PLAIN = ("H 100644 ", "H 100755 ")
_KEY = operator.itemgetter(slice(len(_PLAIN[0]), None))


def _plain_keys(listing: str) -> set[str]:
    entries = listing.split("\0")
    if entries[-1] == "":
        entries.pop()
    plain = sum(map(listing.count, ("\0" + start for start in _PLAIN)))
    if plain + listing.startswith(_PLAIN) != len(entries):  # some are not: pick
        entries = [entry for entry in entries if entry.startswith(_PLAIN)]
    return set(map(_KEY, entries))
