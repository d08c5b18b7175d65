"""Which tracked files git may store as other bytes than the work tree's.

Git's index holds the blob id of what git's clean conversion made of a file, not of
the file: with `core.autocrlf` true or input, or a `text`, `crlf`, `eol`, `ident`,
`filter` or `working-tree-encoding` attribute (gitattributes(5), "Effects"), a
CRLF file and its LF form are one blob. `git add` of the CRLF copy keeps the LF
form's id beside the copy's stat data, and `git ls-files -m` (which compares
contents through the same conversion, when it compares them at all) then sees the
copy unmodified. Such a file's index entry cannot vouch for the bytes portcheck
judges. `core.eol` alone converts nothing: it only picks the line ends of files
marked as text (git-config(1), core.eol). Each of these was checked with git 2.39
(tests/test_cache_conversion.py holds them).

Git is asked, not imitated: the index is listed through a pathspec with `attr`
magic (gitglossary(7), "pathspec"; git 2.13 or later, else git fails and nothing
is vouched for), so `git ls-files` itself leaves out every file for which any of
those attributes is specified (set, unset or given a value) in any source, read as
`git add` reads them: .gitattributes files from the top level down (in the work
tree, else in the index), $GIT_DIR/info/attributes, core.attributesFile or its XDG
default, the system file; macros expanded. That costs git about 9 ms at 100,000
files, in the background, and no process of its own. A `-text` (`binary`) file is
stored as it is too, but a second pathspec to vouch for it would double that cost
for a rare register; it is hashed. Only core.autocrlf needs a process of its
own, `git config`.
"""

from __future__ import annotations

from pathlib import Path

from portcheck.load.background import GitAnswer

#: The files none of whose converting attributes any source specifies.
_UNCONVERTED = ":(attr:!text !crlf !eol !filter !ident !working-tree-encoding)"


def unconverted(folder: str) -> str:
    """A pathspec for the files in ``folder`` git stores as they are."""
    return _UNCONVERTED + folder


#: core.autocrlf values that turn it off (git-config(1), "Values", boolean false).
_OFF = frozenset({b"false", b"no", b"off", b"0"})


class AutoCrlf:
    """Whether core.autocrlf may convert every text file: `git config`, started at once
    and read when first needed (on())."""

    def __init__(self, root: Path) -> None:
        self._answer = GitAnswer(root, "config", "--default", "false", "--get", "core.autocrlf")

    def stop(self) -> None:
        self._answer.stop()

    def on(self) -> bool:
        """True unless git says core.autocrlf is off (also when git could not tell:
        an implicit `autocrlf` with no value is true)."""
        value = self._answer.output()
        return value is None or value.strip().lower() not in _OFF
