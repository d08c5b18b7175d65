"""`{"version": 1, "findings": [...], "summary": {...}}`: stable, documented in the README."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from portcheck.finding import Finding, severity_counts

VERSION = 1


def render(findings: Sequence[Finding], files: int) -> str:
    document = {
        "version": VERSION,
        "findings": [finding.as_json() for finding in findings],
        "summary": summary(findings, files),
    }
    # ensure_ascii keeps lone surrogates from a hostile file encodable (hostile corpus).
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def summary(findings: Sequence[Finding], files: int) -> dict[str, object]:
    errors, warnings = severity_counts(findings)
    return {
        "files": files,
        "errors": errors,
        "warnings": warnings,
        "by_code": dict(sorted(Counter(f.code for f in findings).items())),
    }
