"""`portcheck fix-modelines`: point every modeline back at the schema (PC104).

Only the path after ``$schema=`` changes; every other byte of the file (BOM,
line endings, comments) stays, and the file is replaced atomically.
"""

from __future__ import annotations

from pathlib import Path

from portcheck.actions.atomic import replace
from portcheck.errors import UsageError
from portcheck.load.modeline import find_modeline, relative_schema, resolves
from portcheck.register import Entry, Register

_BOM = "\ufeff"


def unresolved(register: Register) -> list[Entry]:
    """The allocations whose modeline does not lead to the schema, by path."""
    found = [
        entry
        for entry in register.entries
        if entry.document.modeline is not None
        and not resolves(entry.path, entry.document.modeline.target)
    ]
    return sorted(found, key=lambda entry: entry.path)


def repaired(text: str, path: str) -> str:
    """``text`` with its modeline's target replaced by the path that resolves from ``path``."""
    bom = _BOM if text.startswith(_BOM) else ""
    body = text.removeprefix(bom)
    modeline = find_modeline(body)
    if modeline is None:
        return text
    lines = body.split("\n")
    line = lines[modeline.line - 1]
    start = modeline.column - 1
    lines[modeline.line - 1] = (
        line[:start] + relative_schema(path) + line[start + len(modeline.target) :]
    )
    return bom + "\n".join(lines)


def fix(register: Register, *, dry_run: bool) -> list[Entry]:
    """Repair every unresolved modeline (unless ``dry_run``); the files concerned."""
    found = unresolved(register)
    for entry in found if not dry_run else ():
        _rewrite(register.root / entry.path, entry.path)
    return found


def _rewrite(path: Path, shown: str) -> None:
    try:
        text = path.read_bytes().decode("utf-8")
        replace(path, repaired(text, shown))
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{shown}: cannot rewrite: {error}") from None
