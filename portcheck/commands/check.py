"""`portcheck check`: every check on the whole register."""

from __future__ import annotations

import enum
import functools
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from portcheck.cli import AsOfOption, PolicyOption, RootOption, app, parse_date, resolve_root
from portcheck.finding import Finding, Severity


class OutputFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"


@app.command()
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
) -> None:
    """Check the whole register: schema, policy, collisions, ids, dependencies, review dates.

    \b
    Examples:
      portcheck check                      # the register in the current git repository
      portcheck check ports/payments       # show only findings for one folder
      portcheck check --format json --as-of 2027-01-01
    """
    from portcheck.engine import check_register
    from portcheck.report import json as json_report
    from portcheck.report import text as text_report

    top = resolve_root(root)
    shown = [_relative(top, path) for path in paths or ()]
    result = check_register(top, as_of=parse_date(as_of), policy_dir=policy, paths=shown)
    if output_format is OutputFormat.JSON:
        sys.stdout.write(json_report.render(result.findings, result.files))
    else:
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        source = _source_reader(top) if sys.stdout.isatty() else None
        sys.stdout.write(text_report.render(result.findings, color=color, source=source))
        sys.stderr.write(text_report.summary(result.findings, result.files))
    raise typer.Exit(exit_code(result.findings, strict=strict))


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
