"""check's output control, as ruff's: --select/--ignore narrow what is shown, --statistics
counts it per rule.

A code, a code prefix (``PC4`` is every collision and identity rule) or a rule's
name selects; an unknown one is a usage error, never a silent no-op, so a typo
cannot hide every finding.
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from portcheck.errors import UsageError
from portcheck.finding import Finding, printable
from portcheck.rules import RULES, find_rule

if TYPE_CHECKING:
    from portcheck.engine import CheckResult


def codes(values: Sequence[str], option: str) -> frozenset[str]:
    """The rule codes that ``values`` (codes, prefixes or names) name; UsageError otherwise."""
    found: set[str] = set()
    for value in values:
        rule = find_rule(value)
        matched = {rule.code} if rule else {r.code for r in RULES if _prefix(r.code, value)}
        if not matched:
            raise UsageError(
                f"{option} {printable(value)}: no such rule (portcheck rule lists them)"
            )
        found |= matched
    return frozenset(found)


def _prefix(code: str, value: str) -> bool:
    return len(value) >= 3 and code.startswith(value.upper())


def narrow(result: CheckResult, select: Sequence[str], ignore: Sequence[str]) -> CheckResult:
    """``result`` with only the findings of selected rules (all by default), minus ignored ones."""
    if not select and not ignore:
        return result
    chosen = codes(select, "--select") if select else frozenset(r.code for r in RULES)
    chosen -= codes(ignore, "--ignore")
    kept = [finding for finding in result.findings if finding.code in chosen]
    return dataclasses.replace(result, findings=kept)


def statistics(findings: Sequence[Finding]) -> str:
    """One line per rule that fired, most frequent first: ``   3  PC400  port-collision  error``."""
    counts = collections.Counter((f.code, f.name, f.severity) for f in findings)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return "".join(
        f"{count:>5}  {code}  {name}  {severity}\n" for (code, name, severity), count in ranked
    )
