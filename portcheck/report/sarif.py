"""SARIF 2.1.0 as GitHub code scanning reads it.

`tool.driver.rules` is the whole rule catalogue (id, name, descriptions, help,
`helpUri`, default level, precision), so a result's `ruleIndex` never dangles.
Each result has its region (start and end), its related locations, each linked
from the message as `[text](id)` the way code scanning shows them, and
`partialFingerprints.primaryLocationLineHash`, the only fingerprint code
scanning reads: ours ignores line numbers, so a finding keeps its identity (and
its dismissal) when lines above it move. URIs are relative to `%SRCROOT%`, the
git top level.

Code scanning refuses a run over its limits (25,000 results, 1,000 related
locations per result, 10 MB gzipped): what does not fit is left out, errors
last, and a tool notification says how much. Results are measured one at a
time as they would be compressed, so memory stays bounded (MAX_RAW).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import urllib.parse
import zlib
from collections.abc import Sequence

from portcheck import __version__
from portcheck.finding import Finding, Location
from portcheck.report.github import by_importance
from portcheck.rules import RULES, Rule

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/acme/portcheck"
RULES_URI = f"{INFORMATION_URI}#rules"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "primaryLocationLineHash"

#: GitHub code scanning's documented limits for one uploaded run.
MAX_RESULTS = 25_000
MAX_RELATED = 1_000
MAX_GZIPPED = 10_000_000
#: Ours, not GitHub's: repetitive results compress 40-fold, so without it a log
#: within MAX_GZIPPED could take gigabytes to build.
MAX_RAW = 100_000_000
#: Logs up to this size are indented for people; larger ones are compact.
PRETTY_UP_TO = 10_000_000

_INDEX = {rule.code: index for index, rule in enumerate(RULES)}
_POSITION = re.compile(r":[0-9]+:[0-9]+\b")


def render(
    findings: Sequence[Finding], *, max_results: int = MAX_RESULTS, max_gzipped: int = MAX_GZIPPED
) -> str:
    """The log for ``findings``, within code scanning's limits."""
    kept, raw = _fitting(by_importance(findings)[:max_results], len(findings), max_gzipped)
    indent = 2 if raw <= PRETTY_UP_TO else None
    while True:
        text = _log(sorted(kept), len(findings), indent)
        size = len(gzip.compress(_utf8(text), 6))
        if len(kept) <= 1 or size <= max_gzipped:
            return text
        # Results are alike in size: keep the share that fits, with a margin.
        kept = kept[: min(len(kept) - 1, int(len(kept) * max_gzipped / size * 0.95))]


def _fitting(ranked: Sequence[Finding], total: int, max_gzipped: int) -> tuple[list[Finding], int]:
    """The leading ``ranked`` findings whose results fit ``max_gzipped`` once compressed
    (and MAX_RAW uncompressed), and their raw size. Measured one result at a time,
    so a register too large to upload is never held as one huge log in memory."""
    budget = max_gzipped * 0.95 - len(gzip.compress(_utf8(_log([], total, None)), 6))
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    packed = raw = 0
    for count, finding in enumerate(ranked):
        piece = _utf8(json.dumps(result(finding), ensure_ascii=True, separators=(",", ":")))
        packed += len(packer.compress(piece))
        if packed > budget or raw + len(piece) > MAX_RAW:
            return list(ranked[:count]), raw
        raw += len(piece)
    return list(ranked), raw


def _log(kept: Sequence[Finding], total: int, indent: int | None = 2) -> str:
    # No absolute uri: the upload (github/codeql-action/upload-sarif) resolves
    # %SRCROOT% to its checkout_path, and the log stays reproducible.
    base = {"description": {"text": "The git top level, where the register's paths start."}}
    run: dict[str, object] = {
        "tool": {"driver": driver()},
        "originalUriBaseIds": {SRCROOT: base},
        "columnKind": "unicodeCodePoints",
        "results": [result(finding) for finding in kept],
    }
    notes = _left_out(kept, total)
    if notes:
        run["invocations"] = [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"level": "warning", "message": {"text": note}} for note in notes
                ],
            }
        ]
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    # ensure_ascii keeps lone surrogates from a hostile file name encodable.
    separators = (",", ": ") if indent else (",", ":")
    return json.dumps(log, indent=indent, separators=separators, ensure_ascii=True) + "\n"


def _left_out(kept: Sequence[Finding], total: int) -> list[str]:
    notes = []
    if total > len(kept):
        notes.append(
            f"{total - len(kept)} of {total} findings are left out to stay within code "
            "scanning's limits (25,000 results, 10 MB gzipped); the text and JSON formats list all"
        )
    cut = sum(1 for finding in kept if len(finding.related) > MAX_RELATED)
    if cut:
        notes.append(
            f"{cut} results list only their first {MAX_RELATED} related locations "
            "(code scanning's limit); the JSON format lists all"
        )
    return notes


def driver() -> dict[str, object]:
    return {
        "name": "portcheck",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": INFORMATION_URI,
        "rules": [descriptor(rule) for rule in RULES],
    }


def descriptor(rule: Rule) -> dict[str, object]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": what_it_does(rule)},
        "helpUri": RULES_URI,
        "help": {"text": rule.docs.strip(), "markdown": rule.docs.strip()},
        "defaultConfiguration": {"level": str(rule.severity)},
        "properties": {
            "tags": ["portcheck"],
            "precision": "very-high",
            "problem.severity": str(rule.severity),
        },
    }


def what_it_does(rule: Rule) -> str:
    """The "What it does" section of the rule's docs, as one paragraph."""
    section = rule.docs.partition("## What it does")[2].partition("\n## ")[0]
    return " ".join(section.split()) or rule.summary


def result(finding: Finding) -> dict[str, object]:
    related = finding.related[:MAX_RELATED]
    found: dict[str, object] = {
        "ruleId": finding.code,
        "level": str(finding.severity),
        "message": {"text": linked(finding.message, related)},
        "locations": [{"physicalLocation": physical(finding.location)}],
        "partialFingerprints": {FINGERPRINT: fingerprint(finding)},
    }
    if finding.code in _INDEX:
        found["ruleIndex"] = _INDEX[finding.code]
    if related:
        found["relatedLocations"] = [
            {
                "id": index,
                "physicalLocation": physical(location),
                "message": {"text": str(location)},
            }
            for index, location in enumerate(related, 1)
        ]
    return found


def linked(message: str, related: Sequence[Location]) -> str:
    """``message`` with each related location as an embedded link ``[text](id)``:
    where the message names it, or all appended when it names none (a message that
    names a few says "and N more" for the rest). Literal brackets are escaped."""
    text = message.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    unnamed = []
    for index, location in enumerate(related, 1):
        named = str(location).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        link = f"[{named}]({index})"
        if named in text and f"{link}" not in text:
            text = text.replace(named, link, 1)
        else:
            unnamed.append(link)
    if unnamed and len(unnamed) == len(related):
        text += f" (see {', '.join(unnamed)})"
    return text


def physical(location: Location) -> dict[str, object]:
    return {
        "artifactLocation": {"uri": uri(location.path), "uriBaseId": SRCROOT},
        "region": {
            "startLine": location.line,
            "startColumn": location.column,
            "endLine": location.line,
            "endColumn": location.column + 1,
        },
    }


def uri(path: str) -> str:
    """A relative URI reference for a repo-relative path (RFC 3986 percent-encoding)."""
    return urllib.parse.quote(_utf8(path), safe="/")


def fingerprint(finding: Finding) -> str:
    """Rule, file, related files and message, without line:column positions
    (``hash:1``, the shape code scanning's own line hashes have)."""
    related = ",".join(location.path for location in finding.related)
    message = _POSITION.sub("", finding.message)
    key = "\0".join((finding.code, finding.path, related, message))
    return hashlib.sha256(_utf8(key)).hexdigest()[:32] + ":1"


def _utf8(text: str) -> bytes:
    """File names the OS could not decode hold lone surrogates (PEP 383): their bytes."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")
