"""Where GitHub finds CODEOWNERS, what it reads of it, and the files it must protect.

GitHub looks for CODEOWNERS in `.github/`, then the root, then `docs/`, and
uses the first it finds ("About code owners", CODEOWNERS file location); the
others are silently ignored, so a second copy misleads whoever edits it (PC502).
A CODEOWNERS file must be under 3 MB or GitHub does not load it at all.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from portcheck.codeowners.parse import LineProblem, parse
from portcheck.codeowners.ruleset import Ruleset
from portcheck.finding import line_column

#: In GitHub's search order; the name is case-sensitive, as on GitHub.
LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
#: "CODEOWNERS files must be under 3 MB in size" (GitHub docs). Read as decimal
#: megabytes: a file GitHub might ignore is never taken as working.
MAX_BYTES = 3_000_000
#: Folders whose files decide the rules (owned by the policy's `platform`,
#: docs/policy.md), each with the file that matters most there: it is checked
#: even before it exists.
PROTECTED = {
    ".github": ".github/workflows/portcheck.yml",
    "schema": "schema/policy.yaml",
    "portcheck": "portcheck/__init__.py",
}
_WALK_LIMIT = 10_000  # files per protected folder; more is not a checkout of this project


@dataclasses.dataclass(frozen=True)
class Codeowners:
    """What GitHub reads for code owners in one working tree."""

    path: str | None  # the file GitHub reads (repo-relative), None when there is none
    ignored: tuple[str, ...] = ()  # further CODEOWNERS files GitHub does not read
    ruleset: Ruleset = dataclasses.field(default_factory=lambda: Ruleset(()))
    problems: tuple[LineProblem, ...] = ()  # in ``path``
    #: ``path`` could not be read at all (too large, binary, a symlink): GitHub
    #: reads no rule from it, and ``problems`` holds the one reason why.
    unread: bool = False
    #: Files that must be owned by the platform owner: CODEOWNERS itself and
    #: every file (on disk, or the one that matters most) under PROTECTED.
    protected: tuple[str, ...] = ()
    #: The register's folder from the git top level (``infra/portreg/``; empty
    #: when the register is the repository): patterns match ``prefix + path``.
    prefix: str = ""


def git_top_level(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``.git``, None outside git."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def register_prefix(root: Path) -> str:
    """``root`` from the git top level with a trailing slash (``infra/portreg/``), or ""."""
    top = git_top_level(root)
    if top is None or top == root:
        return ""
    return root.relative_to(top).as_posix() + "/"


def load_codeowners(root: Path) -> Codeowners:
    """CODEOWNERS as GitHub reads it for the register at ``root``: from the git top
    level, so in a larger repository (``root`` below it) its paths start with
    ``../`` and its patterns are matched against ``prefix + path``."""
    prefix = register_prefix(root)
    top = root.parents[prefix.count("/") - 1] if prefix else root
    up = "../" * prefix.count("/")
    found = [location for location in LOCATIONS if _present(top, location)]
    protected = protected_files(top, found[0] if found else None, prefix)
    if not found:
        return Codeowners(path=None, protected=protected, prefix=prefix)
    path, ignored = found[0], tuple(up + other for other in found[1:])
    link = symlinked_folder(top, path)
    if link is not None:
        reason = f"{link}/ is a symlink: GitHub reads the link itself, not the folder it points to"
        problem = (LineProblem(1, 1, reason),)
        return Codeowners(up + path, ignored, Ruleset(()), problem, True, protected, prefix)
    ruleset, problems, unread = read(top / path)
    return Codeowners(up + path, ignored, ruleset, problems, unread, protected, prefix)


def read(file: Path) -> tuple[Ruleset, tuple[LineProblem, ...], bool]:
    """The rules GitHub reads from ``file`` and the problems; True when it reads none."""
    try:
        reason = _unreadable(file)
        data = b"" if reason else file.read_bytes()
    except OSError as error:
        reason = f"unreadable ({error.strerror})"
    if reason is not None:
        return Ruleset(()), (LineProblem(1, 1, reason),), True
    if b"\0" in data:
        return Ruleset(()), (_binary(data),), True
    text = data.decode("utf-8", "surrogateescape")
    rules, problems = parse(text.removeprefix("\ufeff"))
    if text.startswith("\ufeff"):
        problems.insert(0, LineProblem(1, 1, "a byte-order mark: GitHub may read it into line 1"))
    return Ruleset(rules), tuple(problems), False


def symlinked_folder(root: Path, path: str) -> str | None:
    """The first folder on the repository path ``path`` that is a symlink, or None."""
    parts = path.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        folder = "/".join(parts[:depth])
        if (root / folder).is_symlink():
            return folder
    return None


def _binary(data: bytes) -> LineProblem:
    """At the first NUL byte: a file with one is binary, and one finding says so."""
    nul = data.index(b"\0")
    return LineProblem(*line_column(data, nul), "a binary file (NUL bytes)")


def _unreadable(file: Path) -> str | None:
    if file.is_symlink():
        return "a symlink: GitHub reads the link itself, not the file it points to"
    size = file.stat().st_size
    if size >= MAX_BYTES:
        return f"{size:,} bytes: GitHub ignores a CODEOWNERS file of 3 MB or more"
    return None


def _present(root: Path, location: str) -> bool:
    folder, _, name = location.rpartition("/")
    try:
        with os.scandir(root / folder) as entries:
            return any(e.name == name and not e.is_dir(follow_symlinks=False) for e in entries)
    except PermissionError:
        return True  # perhaps there: read() then says it cannot be read, not that it is absent
    except OSError:
        return False


def protected_files(top: Path, codeowners: str | None, prefix: str = "") -> tuple[str, ...]:
    """Paths from the git top level; the register's own folders are under ``prefix``,
    workflows (``.github``) are the repository's."""
    files = {codeowners or LOCATIONS[0]}
    for folder, key in PROTECTED.items():
        under = "" if folder == ".github" else prefix
        files.add(under + key)
        files.update(_walk(top, under + folder))
    return tuple(sorted(files))


def _walk(root: Path, folder: str) -> list[str]:
    found: list[str] = []
    if (root / folder).is_symlink():  # git stores the link, not what it points to
        return found
    for current, folders, names in os.walk(root / folder):
        folders[:] = sorted(name for name in folders if name != "__pycache__")
        base = Path(current).relative_to(root).as_posix()
        found.extend(f"{base}/{name}" for name in sorted(names))
        if len(found) >= _WALK_LIMIT:
            break
    return found
