"""The pull-request gate (`check --base`): which findings a change causes, and so blocks on.

The promise (README, "How the gate decides"): if the check passes on a pull
request, `portcheck check` passes on main after the merge. So the rules run
three times over: on the base (with the trusted policy), on the head with the
trusted policy, and on the head with the head's own policy (what main will be
judged by once this merges). A head finding the base already had, matched by
rule, path and subject (never by line: an edit above it moves it), is old news
and a warning shown only in the summary; every other finding keeps its rule's
severity, wherever it points.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path

from portcheck.cache import CheckCache
from portcheck.checks import CHECKS, changes
from portcheck.checks.base_register import base_register
from portcheck.checks.base_tree import checked_out
from portcheck.errors import UsageError
from portcheck.finding import Finding, Location, Severity
from portcheck.ledger import build_ledger, subset
from portcheck.model import Policy
from portcheck.model.policy import load_policy
from portcheck.register import Register, build_register, read_policy
from portcheck.rules import SCHEMA

#: "schema/policy.yaml:3:5: invalid policy: ..." as raised by the policy loader.
_LOCATED = re.compile(r"(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<message>.*)", re.S)
_POSITION = re.compile(r":\d+:\d+\b")


@dataclasses.dataclass(frozen=True)
class Judgement:
    register: Register
    findings: list[Finding]
    #: Findings the base already had: warnings, listed in the summary, never annotated.
    preexisting: frozenset[Finding]
    #: Warnings besides findings (the trusted policy could not be read).
    notes: tuple[str, ...]
    #: Allocations the change renamed or moved, old path -> new path: not releases.
    renamed: tuple[tuple[str, str], ...] = ()


def run_rules(
    root: Path, policy: Policy, today: dt.date, cache: CheckCache | None = None
) -> tuple[Register, list[Finding]]:
    """Load the register under ``root`` and run every check on it."""
    register, findings = build_register(root, policy, today, cache, whole=False)
    return register, findings + _checked(register)


def run_warm(
    root: Path, policy: Policy, today: dt.date, cache: CheckCache
) -> tuple[Register, list[Finding]]:
    """run_rules() with a cache holding an earlier run's verdicts: each check sees the
    rows it could report on (portcheck.ledger), the register's others stay columns."""
    register, ledger, findings = build_ledger(root, policy, today, cache)
    for check in CHECKS:
        rows = check.candidates(register, ledger)
        findings.extend(check.check(subset(register, ledger, rows)))
    return register, findings


def judge(
    root: Path,
    ref: str,
    today: dt.date,
    policy_dir: Path | None,
    cache: CheckCache | None = None,
) -> Judgement:
    change = changes.compare(root, ref)
    head_policy = _head_policy(root)
    notes: list[str] = []
    with checked_out(root, change.commit) as scratch:
        trusted = _trusted_policy(root, policy_dir, head_policy, scratch, notes)
        register, loaded = build_register(root, trusted, today, cache, whole=False)
        base: Register | None = None
        old: list[Finding] = []
        if scratch is not None:
            base, old = base_register(change, scratch, (register, loaded), trusted, today)
            old += _checked(base)
    findings = loaded + _checked(register)
    if isinstance(head_policy, Finding):
        findings.append(head_policy)
    elif head_policy != trusted:
        findings = _union(findings, _checked(dataclasses.replace(register, policy=head_policy)))
    findings.extend(changes.check(change, base, register))
    renamed = tuple(sorted(changes.renames(change, base, register).items()))
    known = {subject(finding) for finding in old}
    preexisting = [finding for finding in findings if subject(finding) in known]
    marked = frozenset(finding.with_severity(Severity.WARNING) for finding in preexisting)
    fresh = [finding for finding in findings if subject(finding) not in known]
    return Judgement(register, [*fresh, *marked], marked, tuple(notes), renamed)


def subject(finding: Finding) -> tuple[str, str, str, tuple[str, ...]]:
    """What a finding is about, whatever line it sits on: rule, path, message without
    positions, and the other files it names."""
    message = _POSITION.sub("", finding.message)
    return finding.code, finding.path, message, tuple(loc.path for loc in finding.related)


def _checked(register: Register) -> list[Finding]:
    """Every check on a loaded register. Run again with the head's own policy on the same
    loaded files: that policy judges main once the change merges."""
    return [finding for check in CHECKS for finding in check.check(register)]


def _union(findings: list[Finding], more: Iterable[Finding]) -> list[Finding]:
    seen = {subject(finding) for finding in findings}
    return findings + [finding for finding in more if subject(finding) not in seen]


def _head_policy(root: Path) -> Policy | Finding:
    """The change's own policy, or the located finding that says why it is broken: a
    policy the change broke is the change's error (exit 1), not a usage error."""
    try:
        return read_policy(root, None)
    except UsageError as error:
        text = str(error)
        found = _LOCATED.fullmatch(text)
        if found is None:
            path, _, message = text.partition(": ")
            return SCHEMA.finding(Location(path), message)
        at = Location(found["path"], int(found["line"]), int(found["column"]))
        return SCHEMA.finding(at, found["message"])


def _trusted_policy(
    root: Path,
    policy_dir: Path | None,
    head: Policy | Finding,
    base_root: Path | None,
    notes: list[str],
) -> Policy:
    """The policy that judges the change: --policy (the base's), else the register's own.
    When it cannot be read, the other one, so a pull request that repairs a broken
    policy has a passing path."""
    try:
        return read_policy(root, policy_dir) if policy_dir is not None else _valid(head)
    except UsageError as error:
        fallback = _fallback(policy_dir, head, base_root)
        if fallback is None:
            raise
        policy, which = fallback
        notes.append(f"the trusted policy cannot be read ({error}): judged by {which} instead")
        return policy


def _fallback(
    policy_dir: Path | None, head: Policy | Finding, base_root: Path | None
) -> tuple[Policy, str] | None:
    if policy_dir is not None:
        return (head, "the change's own schema/policy.yaml") if isinstance(head, Policy) else None
    if base_root is None:
        return None
    try:
        return load_policy(base_root / "schema"), "the base's schema/policy.yaml"
    except UsageError:
        return None


def _valid(head: Policy | Finding) -> Policy:
    if isinstance(head, Finding):
        raise UsageError(f"{head.location}: {head.message}")
    return head
