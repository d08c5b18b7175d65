"""PC500 not-code-owned, PC501 owner-mismatch, PC502 codeowners-invalid.

Code-owner review is the approval of a port request, so each allocation must be
owned (PC500) by the team its `owner` field names (PC501, compared
case-insensitively as GitHub compares logins and team slugs), CODEOWNERS
itself must read the way its author thinks (PC502: lines GitHub skips, copies
GitHub ignores), and the files that decide the rules (CODEOWNERS, `.github/`,
`schema/`, `portcheck/`) must be owned by the policy's `platform` owner
(PC502), or whoever owns them can approve their own loosening of the rules.

Only allocations that passed the schema stage are looked at (README, Rules: a
file that fails loading gets nothing else), and an unowned file gets PC500 alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import cast

from portcheck.codeowners import LOCATIONS, Codeowners, OwnersLine
from portcheck.finding import Finding, Location, few, printable
from portcheck.ledger import Ledger
from portcheck.register import Entry, Register
from portcheck.rules import CODEOWNERS_INVALID, NOT_CODE_OWNED, OWNER_MISMATCH, Rule

RULES: tuple[Rule, ...] = (NOT_CODE_OWNED, OWNER_MISMATCH, CODEOWNERS_INVALID)


def check(register: Register) -> Iterator[Finding]:
    codeowners = register.codeowners
    if codeowners is None:
        return
    yield from file_findings(codeowners)
    if codeowners.path is not None and not codeowners.unread:
        yield from protected_findings(codeowners, codeowners.path, register.policy.platform)
    owns: dict[tuple[int, str], bool] = {}  # (rule line, owner) -> owned_by, asked once
    for entry in register.entries:
        decided = codeowners.ruleset.owners_of(codeowners.prefix + entry.path)
        if decided is None or not decided.owners:
            yield unowned(entry, codeowners.path, decided)
            continue
        owner = entry.facts.owner
        if (decided.line, owner) not in owns:
            owns[decided.line, owner] = owned_by(decided, owner)
        if not owns[decided.line, owner]:
            yield mismatch(entry, codeowners, decided)


def candidates(register: Register, ledger: Ledger) -> list[int] | None:
    """The rows whose file CODEOWNERS leaves unowned or gives to another owner, asked
    once per folder (of one of its files) and owner, and the rows a rule names by
    path; every row when a wildcard rule could tell two files of a folder apart."""
    codeowners = register.codeowners
    if codeowners is None:
        return []
    ruleset, prefix = codeowners.ruleset, codeowners.prefix
    if not ruleset.by_folder():
        return None
    named = ruleset.named()
    one_file = dict(zip(ledger.folders, ledger.paths, strict=True))
    decided = {
        folder: ruleset.owners_of(prefix + path)
        for folder, path in one_file.items()
        if prefix + path not in named
    }
    owners = cast(list[str], ledger.distinct("owner"))
    found = ledger.rows_where(
        lambda folder, n: (
            folder not in decided  # its one file is named: each file is asked
            or (rule := decided[folder]) is None
            or not rule.owners
            or not owned_by(rule, owners[n])
        ),
        ledger.folders,
        ledger.column("owner"),
    )
    if named:  # a rule that names a file by its path decides it alone: the check asks
        found += [row for row, path in enumerate(ledger.paths) if prefix + path in named]
    return sorted(set(found))


def file_findings(codeowners: Codeowners) -> Iterator[Finding]:
    """PC502 for a missing file, for copies GitHub ignores, and for every line it skips."""
    path = codeowners.path
    if path is None:
        yield CODEOWNERS_INVALID.finding(
            Location("../" * codeowners.prefix.count("/") + LOCATIONS[0]),
            "no CODEOWNERS file in .github/, the root or docs/: no review approves anything",
        )
        return
    for ignored in codeowners.ignored:
        yield CODEOWNERS_INVALID.finding(
            Location(ignored),
            f"GitHub reads {path} and ignores this copy: keep one CODEOWNERS file",
            related=[Location(path)],
        )
    for problem in codeowners.problems:
        yield CODEOWNERS_INVALID.finding(
            Location(path, problem.line, problem.column), problem.message
        )


def mismatch(entry: Entry, codeowners: Codeowners, decided: OwnersLine) -> Finding:
    """PC501: the file's owner is not one of those its CODEOWNERS line names."""
    owner = entry.facts.owner
    assert codeowners.path is not None  # a rule was read from it
    return OWNER_MISMATCH.finding(
        entry.document.locate(("owner",)),
        f"owner {printable(owner)} is not a code owner of this file: "
        f"{codeowners.path}:{decided.line} gives it to {few(decided.owners)}",
        related=[Location(codeowners.path, decided.line, decided.column)],
    )


def unowned(entry: Entry, path: str | None, decided: OwnersLine | None) -> Finding:
    if path is None or decided is None:
        return NOT_CODE_OWNED.finding(
            Location(entry.path),
            "no CODEOWNERS line covers this file: its review needs nobody's approval",
        )
    return NOT_CODE_OWNED.finding(
        Location(entry.path),
        f"{path}:{decided.line} names no owner for this file: its review needs nobody's approval",
        related=[Location(path, decided.line, decided.column)],
    )


def owned_by(decided: OwnersLine, owner: str) -> bool:
    wanted = owner.casefold()
    return any(candidate.casefold() == wanted for candidate in decided.owners)


def protected_findings(codeowners: Codeowners, path: str, platform: str) -> Iterator[Finding]:
    """One PC502 per line that leaves protected files to someone other than ``platform``."""
    wrong: dict[int, tuple[OwnersLine | None, list[str]]] = {}
    for protected in codeowners.protected:
        decided = codeowners.ruleset.owners_of(protected)
        if decided is None or not owned_by(decided, platform):
            line = decided.line if decided is not None else 0
            wrong.setdefault(line, (decided, []))[1].append(protected)
    for decided, files in wrong.values():
        yield protected_finding(path, decided, files, platform)


def protected_finding(
    path: str, decided: OwnersLine | None, files: Sequence[str], platform: str
) -> Finding:
    named = printable(files[0]) + (f" (and {len(files) - 1} more)" if len(files) > 1 else "")
    must = f"the policy's platform owner {printable(platform)} must own it"
    if decided is None:
        return CODEOWNERS_INVALID.finding(Location(path), f"no line owns {named}: {must}")
    at = Location(path, decided.line, decided.column)
    if not decided.owners:
        return CODEOWNERS_INVALID.finding(at, f"this line leaves {named} unowned: {must}")
    owners = few(decided.owners)
    return CODEOWNERS_INVALID.finding(at, f"this line gives {named} to {owners}: {must}")
