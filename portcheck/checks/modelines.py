"""PC104 modeline-unresolved: a ``$schema=`` modeline that does not lead to the schema.

A file moved between folders keeps its old relative path; the editor then
validates nothing. ``portcheck fix-modelines`` rewrites the path.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import cast

from portcheck.finding import Finding, Location, printable
from portcheck.ledger import Ledger
from portcheck.load.modeline import SCHEMA, Modeline, relative_schema, resolves, resolves_from
from portcheck.register import Register
from portcheck.rules import MODELINE_UNRESOLVED, Rule

RULES: tuple[Rule, ...] = (MODELINE_UNRESOLVED,)


def candidates(register: Register, ledger: Ledger) -> list[int]:
    """The rows whose modeline does not resolve, asked once per folder and modeline: of
    every folder with every modeline when there are few of both (a register's files
    mostly share one modeline), so a register whose modelines all resolve pairs no rows."""
    modelines = cast(list[Modeline | None], ledger.distinct("modeline"))
    if not any(modelines):
        return []

    def unresolved(folder: str, n: int) -> bool:
        return (line := modelines[n]) is not None and not resolves_from(folder, line.target)

    folders = set(ledger.folders)
    if len(folders) * len(modelines) <= len(ledger) // 16:  # fewer than pairing the rows
        pairs = itertools.product(folders, range(len(modelines)))
        if not any(itertools.starmap(unresolved, pairs)):
            return []
    return ledger.rows_where(unresolved, ledger.folders, ledger.column("modeline"))


def check(register: Register) -> Iterator[Finding]:
    # The files of one folder share their modeline: resolve each (folder, target) once.
    resolved: dict[tuple[str, str], bool] = {}
    for entry in register.entries:
        modeline = entry.facts.modeline
        if modeline is None:
            continue
        key = (entry.path.rpartition("/")[0], modeline.target)
        if key not in resolved:
            resolved[key] = resolves(entry.path, modeline.target)
        if resolved[key]:
            continue
        yield MODELINE_UNRESOLVED.finding(
            Location(entry.path, modeline.line, modeline.column),
            f"$schema={printable(modeline.target)} does not lead to {SCHEMA}; "
            f"from here it is {relative_schema(entry.path)} (portcheck fix-modelines)",
        )
