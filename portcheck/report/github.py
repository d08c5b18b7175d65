"""GitHub Actions workflow commands: one `::error`/`::warning` annotation per finding.

Every value is escaped as the runner decodes it (actions/toolkit, command.ts):
`%`, CR and LF in the message, and also `:` and `,` in properties. An
allocation file therefore cannot end our line and start a workflow command of
its own (`::add-mask::`, `::stop-commands::`, a forged `::error`).

GitHub shows only 10 annotations of each type per step (50 per job), so the
most telling come first: errors before warnings, then one finding of each rule
before a second of any, in catalogue order; a final notice counts the ones the
annotation list leaves out (the log still shows every line).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from portcheck.finding import Finding, Severity, escape_controls, plural
from portcheck.rules import RULES

#: Annotations GitHub shows per type per step.
SHOWN_PER_TYPE = 10

_RANK = {Severity.ERROR: 0, Severity.WARNING: 1}
_ORDER = {rule.code: index for index, rule in enumerate(RULES)}


def render(findings: Sequence[Finding]) -> str:
    ranked = by_importance(findings)
    lines = [annotation(finding) for finding in ranked]
    hidden = _hidden(ranked)
    if hidden:
        lines.append(f"::notice title=portcheck::{escape_data(hidden)}")
    return "".join(line + "\n" for line in lines)


def by_importance(findings: Sequence[Finding]) -> list[Finding]:
    """Errors first; within a severity, the first finding of every rule before the second."""
    seen: Counter[tuple[Severity, str]] = Counter()
    keyed = []
    for finding in sorted(findings):
        kind = (finding.severity, finding.code)
        keyed.append(((_RANK[finding.severity], seen[kind], _ORDER.get(finding.code, 0)), finding))
        seen[kind] += 1
    return [finding for _, finding in sorted(keyed, key=lambda pair: pair[0])]


def annotation(finding: Finding) -> str:
    properties = {
        "file": finding.path,
        "line": str(finding.line),
        "col": str(finding.column),
        "endLine": str(finding.line),
        "title": f"{finding.code} {finding.name}",
    }
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{finding.severity} {joined}::{escape_data(finding.message)}"


def _hidden(ranked: Sequence[Finding]) -> str:
    counts = Counter(finding.severity for finding in ranked)
    over = {kind: counts[kind] - SHOWN_PER_TYPE for kind in _RANK if counts[kind] > SHOWN_PER_TYPE}
    if not over:
        return ""
    parts = [plural(count, f"more {kind}") for kind, count in over.items()]
    return (
        f"{' and '.join(parts)} than GitHub shows as annotations "
        f"({SHOWN_PER_TYPE} per type per step): the log above and the step summary list them all"
    )


def escape_data(text: str) -> str:
    """A workflow command's message (actions/toolkit ``escapeData``); other control
    characters are shown as escapes too, since the log viewer renders ANSI sequences."""
    return escape_controls(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (actions/toolkit ``escapeProperty``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
