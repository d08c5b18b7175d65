"""Which tracked files under ports/ git may store as other bytes than the work tree's.

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

Git is asked, not imitated: `git check-attr -a` reads every attribute source as
`git add` does (.gitattributes files from the top level down, in the work tree or
else the index; $GIT_DIR/info/attributes; core.attributesFile or its XDG default;
the system file) and expands macros (`binary` is `-text`), and prints nothing for
a file without attributes, so the common case costs it no output. It runs in the
background, fed by `git ls-files` (only tracked files can be vouched for), beside
`git config core.autocrlf`.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import IO

from portcheck.load.background import GitAnswer

#: The attributes by which the clean conversion can change a file's bytes; each is
#: harmless when unset (`-text` is binary: no conversion at all).
CONVERTING = frozenset({"text", "crlf", "eol", "ident", "filter", "working-tree-encoding"})
#: core.autocrlf values that turn it off (git-config(1), "Values", boolean false).
_OFF = frozenset({b"false", b"no", b"off", b"0"})


class Conversions:
    """Git's answer to which tracked files under ports/ it may convert: started at
    once, read when first needed (converted())."""

    def __init__(self, root: Path) -> None:
        self._autocrlf = GitAnswer(root, "config", "--default", "false", "--get", "core.autocrlf")
        self._attributes = _AttributesAnswer(root)

    def stop(self) -> None:
        self._autocrlf.stop()
        self._attributes.stop()

    def converted(self) -> frozenset[str] | None:
        """The paths that have a converting attribute; None when every file may be
        converted (core.autocrlf is on, or git could not tell)."""
        autocrlf, listing = self._autocrlf.output(), self._attributes.output()
        if autocrlf is None or listing is None or autocrlf.strip().lower() not in _OFF:
            return None
        if not listing:  # the common case: no file has any attribute
            return frozenset()
        fields = os.fsdecode(listing).split("\0")  # path, attribute, value, ...
        triples = zip(fields[0::3], fields[1::3], fields[2::3], strict=False)
        return frozenset(
            path for path, name, value in triples if name in CONVERTING and value != "unset"
        )


class _AttributesAnswer:
    """`git ls-files -z -- ports | git check-attr -a -z --stdin`, run in the background
    into a temporary file (as GitAnswer does); None when either git fails."""

    def __init__(self, root: Path) -> None:
        self._file: IO[bytes] | None = None
        self._processes: list[subprocess.Popen[bytes]] = []
        self._output: bytes | None = None
        git = ["git", "-C", str(root)]
        try:
            self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
            listing = _started([*git, "ls-files", "-z", "--", "ports"], None, subprocess.PIPE)
            self._processes.append(listing)
            paths = listing.stdout
            try:
                command = [*git, "check-attr", "-a", "-z", "--stdin"]
                self._processes.append(_started(command, paths, self._file))
            finally:
                if paths is not None:
                    paths.close()  # check-attr holds its own copy
        except OSError:
            self.stop()

    def output(self) -> bytes | None:
        processes, self._processes = self._processes, []
        if not processes:
            return self._output
        try:
            codes = [process.wait(timeout=60) for process in processes]
        except subprocess.SubprocessError:
            codes = []
        if codes == [0, 0] and self._file is not None:
            self._file.seek(0)
            self._output = self._file.read()
        self._stop(processes)
        return self._output

    def stop(self) -> None:
        processes, self._processes = self._processes, []
        self._stop(processes)

    def _stop(self, processes: list[subprocess.Popen[bytes]]) -> None:
        for process in processes:
            if process.returncode is None:
                process.kill()
                process.wait()
        if self._file is not None:
            self._file.close()
            self._file = None


def _started(
    command: list[str], stdin: IO[bytes] | None, stdout: IO[bytes] | int | None
) -> subprocess.Popen[bytes]:
    """``command`` started with git's errors silenced and its prompts off."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    return subprocess.Popen(command, stdin=stdin, stdout=stdout, stderr=subprocess.DEVNULL, env=env)
