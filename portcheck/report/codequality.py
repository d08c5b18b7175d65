"""GitLab Code Quality: the merge request widget and the diff annotations.

A JSON array of issues, the subset of the Code Climate format GitLab reads:
`description`, `check_name`, `fingerprint` (unique in the report: GitLab
drops issues whose fingerprint it has seen), `severity` (info, minor, major,
critical, blocker) and `location.path` / `location.lines.begin`. An error
blocks the merge, so it is `major`; a warning is `minor`. The fingerprint
ignores line numbers, so GitLab matches a finding across commits that move it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Sequence

from portcheck.finding import Finding, Severity

SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor"}

_POSITION = re.compile(r":[0-9]+:[0-9]+\b")


def render(findings: Sequence[Finding]) -> str:
    seen: Counter[str] = Counter()
    issues = []
    for finding in findings:
        key = identity(finding)
        seen[key] += 1
        issues.append(issue(finding, fingerprint(key, seen[key])))
    # ensure_ascii keeps lone surrogates from a hostile file name encodable.
    return json.dumps(issues, indent=2, ensure_ascii=True) + "\n"


def issue(finding: Finding, print_: str) -> dict[str, object]:
    return {
        "type": "issue",
        "check_name": finding.code,
        "description": f"{finding.code} {finding.name}: {finding.message}",
        "categories": ["Bug Risk"],
        "fingerprint": print_,
        "severity": SEVERITY[finding.severity],
        "location": {"path": finding.path, "lines": {"begin": finding.line}},
    }


def identity(finding: Finding) -> str:
    """Rule, file, related files and message, without line:column positions."""
    related = ",".join(location.path for location in finding.related)
    return "\0".join((finding.code, finding.path, related, _POSITION.sub("", finding.message)))


def fingerprint(identity: str, occurrence: int) -> str:
    """The ``occurrence``-th finding with this identity (two alike in one file stay two)."""
    data = f"{identity}\0{occurrence}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:32]
