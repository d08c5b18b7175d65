"""schema/exceptions.yaml applied: a matching exception turns a finding into a note.

Read from the register root (the head: the platform team's CODEOWNERS review is
what makes it trusted). An exception covers one rule for one allocation until
its `expires` date; an entry that fails its schema or names no allocation is
PC800, one that matched nothing PC801, an expired one PC802 (README, "Exceptions").
This is the only way to silence a rule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path

from portcheck.finding import Finding, Location, Severity, printable
from portcheck.load import REGISTER, allocation_id, load_file
from portcheck.load.document import Document
from portcheck.model.exceptions import Acknowledgement, ExceptionsFile
from portcheck.model.messages import Problem, schema_problems
from portcheck.model.validate import locate, model_or_errors
from portcheck.rules import EXCEPTION_EXPIRED, EXCEPTION_INVALID, EXCEPTION_UNUSED, Rule

PATH = "schema/exceptions.yaml"
RULES: tuple[Rule, ...] = (EXCEPTION_INVALID, EXCEPTION_UNUSED, EXCEPTION_EXPIRED)


@dataclasses.dataclass(frozen=True)
class Granted:
    """One valid entry and where it is written."""

    entry: Acknowledgement
    at: Location


def load(root: Path) -> tuple[list[Granted], list[Finding]]:
    """The valid entries of the exceptions file (none when there is no file), and a
    PC800 finding for each problem."""
    if not (root / PATH).exists():
        return [], []
    loaded = load_file(root, PATH)
    if isinstance(loaded, Finding):
        return [], [EXCEPTION_INVALID.finding(loaded.location, loaded.message)]
    whole, errors = model_or_errors(ExceptionsFile, loaded.data)
    if whole is not None:
        return [_granted(loaded, i, entry) for i, entry in enumerate(whole.exceptions)], []
    problems = schema_problems("exceptions", loaded.data) or [_unexplained(errors)]
    findings = [EXCEPTION_INVALID.finding(locate(loaded, p), p.message) for p in problems]
    broken = {p.path[1] for p in problems if len(p.path) > 1 and p.path[0] == "exceptions"}
    return list(_valid_entries(loaded, broken)), findings


def _valid_entries(doc: Document, broken: set[str | int]) -> Iterator[Granted]:
    entries = doc.data.get("exceptions")
    for index, raw in enumerate(entries if isinstance(entries, list) else []):
        entry, _ = model_or_errors(Acknowledgement, raw)
        if entry is not None and index not in broken:
            yield _granted(doc, index, entry)


def _granted(doc: Document, index: int, entry: Acknowledgement) -> Granted:
    return Granted(entry, doc.locate(("exceptions", index)))


def _unexplained(errors: list[dict[str, object]]) -> Problem:
    return Problem((), f"not a valid exceptions file ({len(errors)} problems)")


def apply(
    findings: Iterable[Finding], granted: list[Granted], ids: Iterable[str], today: dt.date
) -> list[Finding]:
    """``findings`` with every one an exception covers turned into a note (a warning that
    says so), followed by PC800 (no such allocation), PC801 (unused), PC802 (expired)."""
    findings = list(findings)
    if not granted:  # the common case: nothing to match, and no need to gather every id
        return findings
    known = set(ids) | {ident for f in findings if (ident := _allocation(f)) is not None}
    report = [_no_allocation(g) for g in granted if g.entry.allocation not in known]
    live = [g for g in granted if g.entry.allocation in known and today <= g.entry.expires]
    report += [_expired(g) for g in granted if g.entry.expires < today]
    used: set[Location] = set()
    result = []
    for finding in findings:
        match = next((g for g in live if _covers(g, finding)), None)
        if match is not None:
            used.add(match.at)
        result.append(finding if match is None else _noted(finding, match))
    report += [_unused(g) for g in live if g.at not in used]
    return result + report


def _allocation(finding: Finding) -> str | None:
    if not finding.path.startswith(REGISTER + "/"):
        return None
    return allocation_id(finding.path.rpartition("/")[2])


def _covers(granted: Granted, finding: Finding) -> bool:
    entry = granted.entry
    return finding.code == entry.rule and _allocation(finding) == entry.allocation


def _noted(finding: Finding, granted: Granted) -> Finding:
    entry = granted.entry
    note = (
        f" (excepted until {entry.expires} by {granted.at}, asked by {entry.requested_by}: "
        f"{printable(entry.reason)})"
    )
    return dataclasses.replace(finding, severity=Severity.WARNING, message=finding.message + note)


def _no_allocation(granted: Granted) -> Finding:
    at = Location(granted.at.path, granted.at.line, granted.at.column)
    return EXCEPTION_INVALID.finding(
        at, f"no allocation has the id {printable(granted.entry.allocation)}"
    )


def _expired(granted: Granted) -> Finding:
    entry = granted.entry
    return EXCEPTION_EXPIRED.finding(
        granted.at,
        f"the exception for {entry.rule} on {entry.allocation} expired on {entry.expires}: "
        "renew it in a reviewed change or remove it",
    )


def _unused(granted: Granted) -> Finding:
    entry = granted.entry
    return EXCEPTION_UNUSED.finding(
        granted.at,
        f"no {entry.rule} finding on {entry.allocation} to except: remove this entry",
    )
