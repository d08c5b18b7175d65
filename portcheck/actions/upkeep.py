"""renew, retire and reclaim: the edits and deletions that keep a register current.

Each edit rewrites one file in place (:mod:`portcheck.actions.edit`), reads the result
back through the loader and schema stage, and only then replaces the file
atomically, so an edit can never leave a file that fails where it passed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from portcheck.actions.atomic import ChangedUnderneath, replace
from portcheck.actions.edit import Uneditable, first_problem, set_values
from portcheck.errors import Refused, UsageError
from portcheck.finding import Finding, printable
from portcheck.model.dates import add_days, reclaimable, reclaimable_on
from portcheck.register import Entry, Register

_BOM = "\ufeff"


@dataclasses.dataclass(frozen=True)
class Edited:
    entry: Entry
    values: dict[str, str]  # the keys set, as written


def find(register: Register, ident: str, broken: Sequence[Finding] = ()) -> Entry:
    """The allocation with id ``ident``; Refused when there is none, or it does not load
    (``broken``: the findings of the files that did not, to say why)."""
    paths = register.ids.get(ident)
    if not paths:
        raise Refused(f"no allocation has the id {printable(ident)}")
    if len(paths) > 1:
        raise Refused(f"the id {ident} is held by {', '.join(paths)}: PC401, fix that first")
    for entry in register.entries:
        if entry.id == ident:
            return entry
    why = next((finding for finding in broken if finding.path == paths[0]), None)
    if why is None:
        raise Refused(f"{paths[0]} does not pass the schema; fix it first (portcheck check)")
    raise Refused(f"{why.location}: {why.code} {why.message}; fix it first (portcheck check)")


def renew(
    register: Register, ident: str, until: dt.date | None, broken: Sequence[Finding] = ()
) -> Edited:
    """Move ``review_by`` to ``until`` (default: today plus the policy's review_days)."""
    entry = find(register, ident, broken)
    day = until or add_days(register.today, register.policy.review_days)
    return _edit(register.root, entry, {"review_by": day.isoformat()})


def chosen(
    register: Register,
    idents: Sequence[str],
    owner: str | None,
    broken: Sequence[Finding] = (),
) -> list[Entry]:
    """The allocations named by ``idents`` (each must exist) or owned by ``owner``, by path."""
    if idents:
        entries = {entry.path: entry for entry in (find(register, i, broken) for i in idents)}
        return [entries[path] for path in sorted(entries)]
    wanted = (owner or "").casefold()
    found = [e for e in register.entries if e.allocation.owner.casefold() == wanted]
    if not found:
        raise Refused(f"{printable(owner or '')} owns no allocation that passes the schema")
    return sorted(found, key=lambda entry: entry.path)


def renew_all(
    register: Register,
    idents: Sequence[str],
    owner: str | None,
    until: dt.date | None,
    broken: Sequence[Finding] = (),
) -> list[Edited]:
    """Renew every allocation named, or every live one of ``owner`` (retired ones are not
    reviewed, so they are left alone)."""
    entries = chosen(register, idents, owner, broken)
    live = [entry for entry in entries if idents or entry.allocation.status != "retired"]
    return [renew(register, entry.id, until) for entry in live]


def retire(
    register: Register, ident: str, on: dt.date | None, broken: Sequence[Finding] = ()
) -> Edited:
    """Set ``status: retired`` and ``retired_on`` (default today, never earlier: the
    quarantine counts from the day of the retirement, rule PC703)."""
    if on is not None and on < register.today:
        raise UsageError(
            f"retired_on {on} is before today ({register.today}): a retirement cannot be "
            "backdated, the quarantine counts from the day it happens"
        )
    entry = find(register, ident, broken)
    if entry.allocation.status == "retired":
        raise Refused(f"{entry.path} was already retired on {entry.allocation.retired_on}")
    day = (on or register.today).isoformat()
    return _edit(register.root, entry, {"status": "retired", "retired_on": day})


def _edit(root: Path, entry: Entry, values: dict[str, str]) -> Edited:
    path = root / entry.path
    try:
        data = path.read_bytes()
        original = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{entry.path}: cannot read: {error}") from None
    bom = _BOM if original.startswith(_BOM) else ""
    try:
        text = bom + set_values(original.removeprefix(bom), values)
    except Uneditable as error:
        raise Refused(f"{entry.path}: {error}; edit it by hand") from None
    problem = first_problem(text, entry.path)
    if problem is not None:
        raise Refused(f"{problem.location}: {problem.code} {problem.message}; not written")
    try:
        replace(path, text, expected=data)
    except ChangedUnderneath:
        raise Refused(
            f"{entry.path} changed while portcheck edited it; not written, run again"
        ) from None
    except OSError as error:
        raise UsageError(f"{entry.path}: cannot write: {error.strerror}") from None
    return Edited(entry, values)


def reclaimable_entries(register: Register) -> list[Entry]:
    """The retired allocations whose quarantine is over (PC602): exactly these may go."""
    policy, today = register.policy, register.today
    found = [entry for entry in register.entries if reclaimable(entry.allocation, policy, today)]
    return sorted(found, key=lambda entry: entry.path)


def reclaim(
    register: Register, *, dry_run: bool, idents: Sequence[str] = (), owner: str | None = None
) -> list[tuple[Entry, dt.date]]:
    """Delete every PC602 file (unless ``dry_run``), or those of ``idents`` (each must be
    reclaimable, checked before anything goes) or of ``owner``; each with the day it became
    reclaimable."""
    removed = []
    for entry in _to_reclaim(register, idents, owner):
        if not dry_run:
            _delete(register.root / entry.path, entry.path)
        day = reclaimable_on(entry.allocation, register.policy)
        assert day is not None  # reclaimable() holds only for retired allocations
        removed.append((entry, day))
    return removed


def _to_reclaim(register: Register, idents: Sequence[str], owner: str | None) -> list[Entry]:
    candidates = reclaimable_entries(register)
    for ident in idents:
        entry = find(register, ident)
        if entry not in candidates:
            day = reclaimable_on(entry.allocation, register.policy)
            why = f"reclaimable from {day}" if day else f"{entry.allocation.status}, not retired"
            raise Refused(f"{entry.path} is not reclaimable ({why}): PC602; nothing deleted")
    wanted = owner.casefold() if owner else None
    return [
        entry
        for entry in candidates
        if (not idents or entry.id in idents)
        and (wanted is None or entry.allocation.owner.casefold() == wanted)
    ]


def _delete(path: Path, shown: str) -> None:
    try:
        path.unlink()
    except OSError as error:
        raise UsageError(f"{shown}: cannot delete: {error.strerror}") from None
