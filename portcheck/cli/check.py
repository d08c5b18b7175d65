"""`portcheck check`: every check on the whole register."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import os
import socket
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from portcheck.cli import selection
from portcheck.cli.options import AsOfOption, PolicyOption, RootOption, parse_date, resolve_root
from portcheck.errors import UsageError
from portcheck.finding import Finding, Severity, escape_controls

if TYPE_CHECKING:
    from portcheck.engine import CheckResult


class OutputFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"
    GITHUB = "github"
    SARIF = "sarif"
    MARKDOWN = "markdown"
    JUNIT = "junit"
    CODEQUALITY = "codequality"


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
            help="Compare with git REF: add the diff rules PC700-PC703, judge the change "
            "by its own policy too, and report findings the base already had as warnings.",
        ),
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir",
            metavar="DIR",
            help="Keep each file's verdict here, by path and git blob id "
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
    staged: Annotated[
        bool,
        typer.Option(
            "--staged",
            help="Check the register as staged in the git index (what a commit would hold), "
            "not the working tree: for pre-commit.",
        ),
    ] = False,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select", metavar="CODE", help="Show only these rules (code, prefix or name)."
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", metavar="CODE", help="Do not show these rules (repeatable)."),
    ] = None,
    statistics: Annotated[
        bool, typer.Option("--statistics", help="Print counts per rule instead of findings.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary line.")] = False,
) -> None:
    """Check the whole register: schema, policy, collisions, ids, dependencies, review dates.

    \b
    Examples:
      portcheck check                      # the register in the current git repository
      portcheck check ports/payments       # show only findings for one folder
      portcheck check --format json --as-of 2027-01-01
      portcheck check --select PC4 --ignore PC402 --statistics
      portcheck check --base origin/main --policy ../base --format github \\
        --summary "$GITHUB_STEP_SUMMARY"   # a pull request, judged by the base's policy
      portcheck check --staged             # what the next commit holds (pre-commit)
    """
    from portcheck.engine import check_register

    top = resolve_root(root)
    if summary:
        _writable(Path(summary))
    shown = [_relative(top, path) for path in paths or ()]
    if statistics and output_format is not OutputFormat.TEXT:
        raise UsageError("--statistics prints text; it does not go with --format")
    if staged:
        top = _staged_copy(top, base)
    result = check_register(
        top,
        as_of=parse_date(as_of),
        policy_dir=policy,
        paths=shown,
        base=base,
        cache_dir=None if staged else cache_dir or top / ".portcheck-cache",
    )
    result = selection.narrow(result, select or (), ignore or ())
    for note in result.notes:
        sys.stderr.write(f"portcheck: warning: {escape_controls(note)}\n")
    for note in _renames(result):
        sys.stderr.write(f"portcheck: note: {escape_controls(note)}\n")
    result, top = _from_git_top_level(result, top)
    if statistics:
        sys.stdout.write(selection.statistics(result.findings))
    else:
        sys.stdout.write(_render(output_format, result, top, strict=strict))
    if output_format in (OutputFormat.TEXT, OutputFormat.GITHUB) and not quiet:
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
        # What the base already had is listed in the step summary, not annotated on
        # every pull request (README, "How the gate decides").
        annotated = [finding for finding in findings if finding not in result.preexisting]
        notes = [f"::warning title=portcheck::{github.escape_data(n)}\n" for n in result.notes]
        notes += [f"::notice title=portcheck::{github.escape_data(n)}\n" for n in _renames(result)]
        return "".join(notes) + github.render(annotated)
    if output_format is OutputFormat.SARIF:
        return sarif.render(findings)
    if output_format is OutputFormat.MARKDOWN:
        return markdown.render(findings, result.files)
    if output_format is OutputFormat.CODEQUALITY:
        from portcheck.report import codequality

        return codequality.render(findings)
    if output_format is OutputFormat.JUNIT:
        stamp, host = report_time(), socket.gethostname()
        return junit.render(findings, result.checked, timestamp=stamp, hostname=host, strict=strict)
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    source = _source_reader(top) if sys.stdout.isatty() else None
    return text.render(findings, color=color, source=source)


def _renames(result: CheckResult) -> list[str]:
    return [
        f"{old} was renamed to {new}: the same ports, not a release" for old, new in result.renamed
    ]


def _staged_copy(root: Path, base: str | None) -> Path:
    """The register's root in a temporary copy of what the git index holds at ``root``;
    the copy is removed when the process exits, however the command ends."""
    import atexit
    import shutil

    from portcheck.actions.staged import checkout_staged

    if base is not None:
        raise UsageError("--staged and --base cannot be combined")
    scratch = tempfile.mkdtemp(prefix="portcheck-staged-")
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    return checkout_staged(root, Path(scratch))


def _from_git_top_level(result: CheckResult, root: Path) -> tuple[CheckResult, Path]:
    """Every path from the git top level, where hosts resolve them (a register in
    ``infra/portreg`` reports ``infra/portreg/ports/a.yaml``), and that top level."""
    import dataclasses

    from portcheck.codeowners.source import git_top_level, register_prefix
    from portcheck.report.paths import all_moved, from_top

    prefix = register_prefix(root)
    top = git_top_level(root)
    if not prefix or top is None:
        return result, root
    checked = frozenset(from_top(path, prefix) for path in result.checked)
    moved = dataclasses.replace(
        result,
        findings=all_moved(result.findings, prefix),
        checked=checked,
        preexisting=frozenset(all_moved(result.preexisting, prefix)),
    )
    return moved, top


def report_time() -> dt.datetime:
    """Now in UTC, or SOURCE_DATE_EPOCH when set (reproducible reports)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    try:
        moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else None
    except (ValueError, OverflowError, OSError):
        # reproducible-builds.org: a malformed SOURCE_DATE_EPOCH is an error, not ignored.
        raise UsageError(
            f"SOURCE_DATE_EPOCH={escape_controls(epoch[:40])} is not a count of seconds "
            "since 1970 before the year 10000"
        ) from None
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
