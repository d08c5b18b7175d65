"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

`tool.driver.rules` is the whole rule catalogue (id, name, short description,
help, default level), so a result's `ruleIndex` never dangles. Each result has
its physical location, the related locations of cross-file rules, and a
`partialFingerprints` entry that ignores line numbers, so a finding keeps its
identity (and its dismissal in code scanning) when lines above it move.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.parse
from collections.abc import Sequence

from portcheck import __version__
from portcheck.finding import Finding, Location
from portcheck.rules import RULES, Rule

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
FINGERPRINT = "portcheck/v1"

_INDEX = {rule.code: index for index, rule in enumerate(RULES)}
_POSITION = re.compile(r":[0-9]+:[0-9]+\b")


def render(findings: Sequence[Finding]) -> str:
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver()},
                "columnKind": "unicodeCodePoints",
                "results": [result(finding) for finding in findings],
            }
        ],
    }
    # ensure_ascii keeps lone surrogates from a hostile file name encodable.
    return json.dumps(log, indent=2, ensure_ascii=True) + "\n"


def driver() -> dict[str, object]:
    return {
        "name": "portcheck",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [descriptor(rule) for rule in RULES],
    }


def descriptor(rule: Rule) -> dict[str, object]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": what_it_does(rule)},
        "help": {"text": rule.docs.strip(), "markdown": rule.docs.strip()},
        "defaultConfiguration": {"level": str(rule.severity)},
        "properties": {"tags": ["portcheck"], "problem.severity": str(rule.severity)},
    }


def what_it_does(rule: Rule) -> str:
    """The "What it does" section of the rule's docs, as one paragraph."""
    section = rule.docs.partition("## What it does")[2].partition("\n## ")[0]
    return " ".join(section.split()) or rule.summary


def result(finding: Finding) -> dict[str, object]:
    found: dict[str, object] = {
        "ruleId": finding.code,
        "level": str(finding.severity),
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": physical(finding.location)}],
        "partialFingerprints": {FINGERPRINT: fingerprint(finding)},
    }
    if finding.code in _INDEX:
        found["ruleIndex"] = _INDEX[finding.code]
    if finding.related:
        found["relatedLocations"] = [
            {"id": index, "physicalLocation": physical(location)}
            for index, location in enumerate(finding.related)
        ]
    return found


def physical(location: Location) -> dict[str, object]:
    return {
        "artifactLocation": {"uri": uri(location.path)},
        "region": {"startLine": location.line, "startColumn": location.column},
    }


def uri(path: str) -> str:
    """A relative URI reference for a repo-relative path (RFC 3986 percent-encoding)."""
    return urllib.parse.quote(_utf8(path), safe="/")


def fingerprint(finding: Finding) -> str:
    """Rule, file, related files and message, without line:column positions."""
    related = ",".join(location.path for location in finding.related)
    message = _POSITION.sub("", finding.message)
    key = "\0".join((finding.code, finding.path, related, message))
    return hashlib.sha256(_utf8(key)).hexdigest()[:32]


def _utf8(text: str) -> bytes:
    """File names the OS could not decode hold lone surrogates (PEP 383): their bytes."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")
