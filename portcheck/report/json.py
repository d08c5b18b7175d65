"""`{"version": 1, "findings": [...], "summary": {...}}`: stable, documented in the README."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from portcheck.finding import Finding, Severity

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
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    return {
        "files": files,
        "errors": errors,
        "warnings": len(findings) - errors,
        "by_code": dict(sorted(Counter(f.code for f in findings).items())),
    }
