"""JUnit XML for GitLab CI and Jenkins: one test case per allocation file.

The document validates against Jenkins' xUnit JUnit schema, the one that
allows what GitLab's merge-request test report reads: a test case's `file`
attribute, and `system-out` inside the test case (GitLab reads it nowhere
else). A test case allows one `failure` element, so a file's findings share
it: the message counts them, the text lists them (warnings too) one per line.
Warnings alone do not fail a case (as `check` exits 0 on them) unless
``strict``: they are the case's `system-out`. The suite's `system-out` lists
every finding. Text is made XML 1.0-safe: control characters and lone
surrogates from hostile files are shown as escapes.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable, Sequence

from portcheck.finding import Finding, Severity, escape_controls


def render(
    findings: Sequence[Finding],
    files: Iterable[str],
    *,
    timestamp: dt.datetime,
    hostname: str = "localhost",
    strict: bool = False,
) -> str:
    by_path: defaultdict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_path[finding.path].append(finding)
    paths = sorted(set(files) | by_path.keys())
    cases = [_case(path, by_path.get(path, []), strict) for path in paths]
    suite = ET.Element(
        "testsuite",
        name="portcheck",
        timestamp=timestamp.strftime("%Y-%m-%dT%H:%M:%S"),
        hostname=_safe(hostname) or "localhost",
        tests=str(len(cases)),
        failures=str(sum(1 for case in cases if case.find("failure") is not None)),
        errors="0",
        time="0",
    )
    ET.SubElement(suite, "properties")
    suite.extend(cases)
    ET.SubElement(suite, "system-out").text = "".join(_line(f) + "\n" for f in findings)
    ET.SubElement(suite, "system-err").text = ""
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, "unicode") + "\n"


def _case(path: str, findings: Sequence[Finding], strict: bool) -> ET.Element:
    folder = path.rpartition("/")[0]
    case = ET.Element(
        "testcase",
        name=_safe(path),
        classname=_safe(folder.replace("/", ".")) or "root",
        file=_safe(path),
        time="0",
    )
    failing = [f for f in findings if strict or f.severity is Severity.ERROR]
    if failing:
        codes = ",".join(dict.fromkeys(f.code for f in failing))
        failure = ET.SubElement(case, "failure", message=_summary(failing), type=codes)
        failure.text = "".join(_line(f) + "\n" for f in findings)
    elif findings:
        ET.SubElement(case, "system-out").text = "".join(_line(f) + "\n" for f in findings)
    return case


def _summary(failing: Sequence[Finding]) -> str:
    count = len(failing)
    first = failing[0]
    more = f" (and {count - 1} more)" if count > 1 else ""
    return _safe(f"{first.code} {first.name}: {first.message}{more}")


def _line(finding: Finding) -> str:
    return _safe(
        f"{finding.location}: {finding.code} {finding.name} ({finding.severity}) {finding.message}"
    )


def _safe(text: str) -> str:
    return escape_controls(text)
