"""The yaml-language-server modeline: the comment that tells editors which schema a file has.

Found while the file's text is at hand, so PC104 costs no second read; most
files carry it on their first line, and one without the marker costs one
substring search.
"""

from __future__ import annotations

import posixpath
import re
from typing import NamedTuple

from portcheck.finding import line_column

MARKER = "yaml-language-server"
SCHEMA = "schema/allocation.schema.json"
_MODELINE = re.compile(r"^[ \t]*#[ \t]*yaml-language-server:[ \t]*\$schema=([^ \t\r\n]*)", re.M)


class Modeline(NamedTuple):
    line: int
    column: int  # of the schema path
    target: str  # the path (or URL) after ``$schema=``


def find_modeline(text: str) -> Modeline | None:
    if MARKER not in text:
        return None
    found = _MODELINE.search(text)
    if found is None:
        return None
    return Modeline(*line_column(text, found.start(1)), found.group(1))


def resolves(path: str, target: str) -> bool:
    """Whether ``target``, relative to the file at ``path`` (register-relative), is the
    register's allocation schema."""
    return resolves_from(posixpath.dirname(path), target)


def resolves_from(folder: str, target: str) -> bool:
    """resolves() for any file in ``folder``."""
    if "://" in target or target.startswith("/"):
        return False
    return posixpath.normpath(posixpath.join(folder, target)) == SCHEMA


def relative_schema(path: str) -> str:
    """The modeline target that leads from the file at ``path`` to the allocation schema."""
    return "../" * path.count("/") + SCHEMA
