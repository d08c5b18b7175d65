"""A markdown summary: counts per rule and per file, then the findings.

Used for `$GITHUB_STEP_SUMMARY` (`check --summary`) and for issues. Every value
is escaped: HTML (`<`, `>`, `&`) as entities, markdown punctuation with a
backslash (a `|` would end a table cell, a `[` start a link, a backtick a code
span), and `@` is followed by a zero-width space so that no `@team` or `@here`
in a file mentions anybody. A zero-width space also follows a `:` that
opens a `:word:` or a `://` and the `www` of `www.`, so no bare URL is linked and
no `:emoji:` shortcode (not even in `a.yaml:100:5`) is drawn. Control
characters are shown as escapes, so no value ends a table row.

GitHub refuses a step summary over 1 MiB, so ``budget`` (bytes) caps the
output: the counts always fit, then file and finding rows are kept while they
fit, and a line says how many were left out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from portcheck.finding import Finding, Severity, escape_controls, plural, severity_counts
from portcheck.rules import BY_CODE

#: GitHub's limit for one step's summary (`$GITHUB_STEP_SUMMARY`).
STEP_SUMMARY_LIMIT = 1024 * 1024

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# A `:` that opens a shortcode: a name with a letter, or one of the two all-digit
# names (:100:, :1234:), so that a location's `:2:7` stays as it is.
_SHORTCODE = r"(?:[0-9]*[A-Za-z_+-][\w+-]*|100|1234):"
_SPECIAL = re.compile(rf"[\\`*_\[\]|~#!&<>@]|:(?={_SHORTCODE}|/)|(?i:www)(?=\.)")
_RULE_HEAD = "| rule | name | errors | warnings |\n|:--|:--|--:|--:|\n"
_FILE_HEAD = "| file | errors | warnings |\n|:--|--:|--:|\n"
_FINDING_HEAD = "| location | rule | severity | message |\n|:--|:--|:--|:--|\n"
#: Room kept for the closing lines of a cut summary.
_RESERVE = 512


def escape(text: str) -> str:
    """``text`` as literal markdown text that is safe in a table cell."""
    return _SPECIAL.sub(_escape_one, escape_controls(text))


def _escape_one(match: re.Match[str]) -> str:
    char = match.group()
    if char in _HTML:
        return _HTML[char]
    if char in {"@", ":"} or len(char) == 3:  # a mention, a shortcode, a URL
        return char + "\u200b"
    return "\\" + char


def render(findings: Sequence[Finding], files: int, *, budget: int | None = None) -> str:
    """The summary, at most ``budget`` bytes of UTF-8; "" if even the counts do not fit."""
    head = _headline(findings, files)
    if findings:
        head += "\n" + _RULE_HEAD + "".join(_rule_rows(findings))
    if budget is not None and _size(head) + _RESERVE > budget:
        return head if _size(head) <= budget else ""
    if not findings:
        return head
    room = None if budget is None else budget - _size(head) - _RESERVE
    files_block, room = _table(_FILE_HEAD, _file_rows(findings), room, "files")
    rows, room = _table(_FINDING_HEAD, [_finding_row(f) for f in findings], room, "findings")
    count = plural(len(findings), "finding")
    details = f"\n<details><summary>{count}</summary>\n\n{rows}\n</details>\n"
    return head + "\n" + files_block + details


def _headline(findings: Sequence[Finding], files: int) -> str:
    errors, warnings = severity_counts(findings)
    if not findings:
        return f"## portcheck\n\nAll checks passed ({plural(files, 'file')}).\n"
    return (
        f"## portcheck\n\n**{plural(errors, 'error')}** and {plural(warnings, 'warning')} "
        f"in {plural(files, 'file')}.\n"
    )


def _rule_rows(findings: Sequence[Finding]) -> list[str]:
    counts = Counter((f.code, f.severity) for f in findings)
    rows = []
    for code in sorted({f.code for f in findings}):
        name = BY_CODE[code].name if code in BY_CODE else ""
        errors, warnings = counts[code, Severity.ERROR], counts[code, Severity.WARNING]
        rows.append(f"| {escape(code)} | {escape(name)} | {errors} | {warnings} |\n")
    return rows


def _file_rows(findings: Sequence[Finding]) -> list[str]:
    counts = Counter((f.path, f.severity) for f in findings)
    paths = sorted({f.path for f in findings})
    paths.sort(key=lambda p: (-counts[p, Severity.ERROR], -counts[p, Severity.WARNING]))
    return [
        f"| {escape(p)} | {counts[p, Severity.ERROR]} | {counts[p, Severity.WARNING]} |\n"
        for p in paths
    ]


def _finding_row(finding: Finding) -> str:
    rule = f"{finding.code} {finding.name}"
    cells = (str(finding.location), rule, str(finding.severity), finding.message)
    return "| " + " | ".join(escape(cell) for cell in cells) + " |\n"


def _table(head: str, rows: Sequence[str], room: int | None, noun: str) -> tuple[str, int | None]:
    """``head`` and as many ``rows`` as fit in ``room`` bytes, and the room left."""
    if room is None:
        return head + "".join(rows), None
    kept, room = [], room - _size(head)
    for row in rows:
        if _size(row) > room:
            break
        kept.append(row)
        room -= _size(row)
    left_out = len(rows) - len(kept)
    if left_out:
        kept.append(
            f"\n{left_out} more {noun} not shown: GitHub limits a step summary to 1 MiB; "
            "`portcheck check` lists them all.\n"
        )
    return head + "".join(kept), room


def _size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))
