"""Findings with paths from the git top level, for a register inside a larger repository.

Hosts resolve paths from the repository's top level (annotations, code
scanning, GitLab reports), so `infra/portreg/ports/a.yaml`, never
`ports/a.yaml`. Findings are made with register-relative paths (CODEOWNERS,
at the top level, as `../../.github/CODEOWNERS`); this moves them all once,
messages included, before any reporter sees them.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Iterable

from portcheck.finding import Finding, Location


def from_top(path: str, prefix: str) -> str:
    return posixpath.normpath(prefix + path) if prefix else path


def moved(finding: Finding, prefix: str) -> Finding:
    """``finding`` with every path (and every position its message names) under ``prefix``."""
    if not prefix:
        return finding
    message = finding.message
    related = []
    for location in finding.related:
        there = Location(from_top(location.path, prefix), location.line, location.column)
        message = message.replace(str(location), str(there))
        related.append(there)
    return dataclasses.replace(
        finding, path=from_top(finding.path, prefix), message=message, related=tuple(related)
    )


def all_moved(findings: Iterable[Finding], prefix: str) -> list[Finding]:
    return sorted(moved(finding, prefix) for finding in findings)
