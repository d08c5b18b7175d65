"""`portcheck check`: every check on the whole register."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from portcheck.cli.options import AsOfOption, PolicyOption, RootOption, parse_date, resolve_root
from portcheck.errors import UsageError
from portcheck.finding import Finding, Severity

if TYPE_CHECKING:
    from portcheck.engine import CheckResult


class OutputFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"
    GITHUB = "github"
    SARIF = "sarif"
    MARKDOWN = "markdown"
    JUNIT = "junit"


def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Only show findings for these files or folders "
            "(collisions still consider every file).",
        ),
    ] = None,
    root: RootOption = None,
    policy: PolicyOption = None,
    as_of: AsOfOption = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1).")] = False,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.", case_sensitive=False)
    ] = OutputFormat.TEXT,
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            metavar="REF",
            help="Compare with git REF: add the diff rules PC700-PC702 and report findings "
            "on files the change did not touch as warnings.",
        ),
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir",
            metavar="DIR",
            help="Keep each file's verdict here, keyed by git blob id "
            "(default: .portcheck-cache/ under the root).",
            file_okay=False,
        ),
    ] = None,
    summary: Annotated[
        str | None,
        typer.Option(
            "--summary",
            metavar="FILE",
            help="Append a markdown summary to FILE, e.g. $GITHUB_STEP_SUMMARY "
            "(an empty FILE writes none).",
        ),
    ] = None,
) -> None:
    """Check the whole register: schema, policy, collisions, ids, dependencies, review dates.

    \b
    Examples:
      portcheck check                      # the register in the current git repository
      portcheck check ports/payments       # show only findings for one folder
      portcheck check --format json --as-of 2027-01-01
      portcheck check --base origin/main --policy ../base --format github \\
        --summary "$GITHUB_STEP_SUMMARY"   # a pull request, judged by the base's policy
    """
    from portcheck.engine import check_register

    top = resolve_root(root)
    if summary:
        _writable(Path(summary))
    shown = [_relative(top, path) for path in paths or ()]
    result = check_register(
        top,
        as_of=parse_date(as_of),
        policy_dir=policy,
        paths=shown,
        base=base,
        cache_dir=cache_dir or top / ".portcheck-cache",
    )
    sys.stdout.write(_render(output_format, result, top, strict=strict))
    if output_format in (OutputFormat.TEXT, OutputFormat.GITHUB):
        from portcheck.report import text as text_report

        sys.stderr.write(text_report.summary(result.findings, result.files))
    if summary:
        append_summary(Path(summary), result)
    raise typer.Exit(exit_code(result.findings, strict=strict))


def _render(output_format: OutputFormat, result: CheckResult, top: Path, *, strict: bool) -> str:
    from portcheck.report import github, json_report, junit, markdown, sarif, text

    findings = result.findings
    if output_format is OutputFormat.JSON:
        return json_report.render(findings, result.files)
    if output_format is OutputFormat.GITHUB:
        return github.render(findings)
    if output_format is OutputFormat.SARIF:
        return sarif.render(findings)
    if output_format is OutputFormat.MARKDOWN:
        return markdown.render(findings, result.files)
    if output_format is OutputFormat.JUNIT:
        stamp, host = report_time(), socket.gethostname()
        return junit.render(findings, result.checked, timestamp=stamp, hostname=host, strict=strict)
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    source = _source_reader(top) if sys.stdout.isatty() else None
    return text.render(findings, color=color, source=source)


def report_time() -> dt.datetime:
    """Now in UTC, or SOURCE_DATE_EPOCH when set (reproducible reports)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch.isdigit() else None
    return (moment or dt.datetime.now(dt.UTC)).replace(tzinfo=None, microsecond=0)


def append_summary(path: Path, result: CheckResult) -> None:
    """Append the markdown summary to ``path``, never truncating what is there, and
    staying under GitHub's step-summary limit counting what is there already."""
    from portcheck.report import markdown

    try:
        existing = path.stat().st_size if path.exists() else 0
        separator = "\n" if existing and not _ends_with_newline(path) else ""
        budget = markdown.STEP_SUMMARY_LIMIT - existing - len(separator)
        text = markdown.render(result.findings, result.files, budget=budget)
        if not text:
            sys.stderr.write(f"portcheck: {path} is full (1 MiB): no summary written\n")
            return
        with path.open("a", encoding="utf-8", errors="surrogateescape") as out:
            out.write(separator + text)
    except OSError as error:
        raise UsageError(f"--summary {path}: cannot write: {error.strerror}") from None


def _writable(path: Path) -> None:
    """Fail before checking, not after printing, when the summary cannot be written."""
    try:
        path.open("a", encoding="utf-8").close()
    except OSError as error:
        raise UsageError(f"--summary {path}: cannot write: {error.strerror}") from None


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


def exit_code(findings: Sequence[Finding], *, strict: bool) -> int:
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return 1 if any(finding.severity in failing for finding in findings) else 0


def _relative(root: Path, path: Path) -> str:
    try:
        return path.absolute().relative_to(root).as_posix()
    except ValueError:
        raise typer.BadParameter(f"{path} is outside the register root {root}") from None


def _source_reader(root: Path) -> Any:
    @functools.lru_cache(maxsize=64)
    def lines(path: str) -> list[str]:
        try:
            return (root / path).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return []

    def line(path: str, number: int) -> str | None:
        text = lines(path)
        return text[number - 1] if 0 < number <= len(text) else None

    return line
