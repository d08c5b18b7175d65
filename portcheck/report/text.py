"""`path:line:col: CODE name message`, with a source excerpt and caret on a terminal."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from portcheck.finding import Finding, Severity, escape_controls, plural, severity_counts

_RED, _YELLOW, _BOLD, _DIM, _RESET = "\033[31m", "\033[33m", "\033[1m", "\033[2m", "\033[0m"

#: Returns the text of line N of a path, or None.
SourceLine = Callable[[str, int], str | None]


def render(
    findings: Sequence[Finding], *, color: bool = False, source: SourceLine | None = None
) -> str:
    return "".join(_finding(f, color, source) for f in findings)


def _finding(finding: Finding, color: bool, source: SourceLine | None) -> str:
    head = escape_controls(f"{finding.path}:{finding.line}:{finding.column}:")
    code = f"{finding.code} {finding.name}"
    if color:
        head, code = f"{_BOLD}{head}{_RESET}", f"{_tint(finding)}{_BOLD}{code}{_RESET}"
    text = f"{head} {code} {escape_controls(finding.message)}\n"
    line = source(finding.path, finding.line) if source is not None else None
    return text + (_excerpt(finding, line, color) if line is not None else "")


def _tint(finding: Finding) -> str:
    return _RED if finding.severity is Severity.ERROR else _YELLOW


def _excerpt(finding: Finding, line: str, color: bool) -> str:
    """The offending line with a caret under the column (ruff and rustc style)."""
    number = str(finding.line)
    bar, numbered = f"{' ' * len(number)} |", f"{number} |"
    caret = " " * (finding.column - 1) + "^"
    if color:
        bar, numbered = f"{_DIM}{bar}{_RESET}", f"{_DIM}{numbered}{_RESET}"
        caret = f"{_tint(finding)}{caret}{_RESET}"
    return f"{bar}\n{numbered} {escape_controls(line)}\n{bar} {caret}\n"


def summary(findings: Sequence[Finding], files: int) -> str:
    errors, warnings = severity_counts(findings)
    if not findings:
        return f"All checks passed ({plural(files, 'file')}).\n"
    return (
        f"Found {plural(errors, 'error')} and {plural(warnings, 'warning')} "
        f"in {plural(files, 'file')}.\n"
    )
