"""Where a claimed file lands: the folder, a free id, and a modeline that resolves from there.

Teams group their allocations in folders (README.md, "Layout"); a claim that
lands at the top of ``ports/`` has to be moved by hand, which breaks its
``$schema`` modeline, so claim picks the owner's folder itself.
"""

from __future__ import annotations

import collections
import posixpath

from portcheck.errors import UsageError
from portcheck.finding import printable
from portcheck.load import REGISTER, allocation_id
from portcheck.load.modeline import relative_schema
from portcheck.register import Register


def folder_for(register: Register, owner: str, given: str | None) -> str:
    """``given`` (checked to lie under ports/), else the folder holding most of the
    owner's allocations (the first by name on a tie), else ports/."""
    if given is not None:
        return checked_folder(given)
    wanted = owner.casefold()
    folders = collections.Counter(
        posixpath.dirname(entry.path)
        for entry in register.entries
        if entry.allocation.owner.casefold() == wanted
    )
    if not folders:
        return REGISTER
    return min(folders, key=lambda folder: (-folders[folder], folder))


def checked_folder(given: str) -> str:
    """``given`` as a repository folder under ports/, each part an id; UsageError otherwise."""
    folder = posixpath.normpath(given.replace("\\", "/")).strip("/")
    parts = folder.split("/")
    if parts[0] != REGISTER or any(allocation_id(part + ".yaml") is None for part in parts[1:]):
        raise UsageError(
            f"--dir {printable(given)} is not a folder under {REGISTER}/ "
            "(each part lower-case letters, digits and single hyphens)"
        )
    return folder


def free_id(register: Register, ident: str) -> str:
    """The first of ``ident-2``, ``ident-3``, ... that no file holds yet."""
    stem = ident[:60].rstrip("-")
    number = 2
    while f"{stem}-{number}" in register.ids:
        number += 1
    return f"{stem}-{number}"


def modeline(path: str) -> str:
    """The yaml-language-server modeline that leads from ``path`` (repo-relative to the
    register root) to the root's schema."""
    return f"# yaml-language-server: $schema={relative_schema(path)}"
