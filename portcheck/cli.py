"""The command line: parse options, call the engine, print, exit (SPEC §5).

Exit codes: 0 clean (warnings allowed), 1 error findings (or warnings with
--strict), 2 usage or configuration error, always as one line on stderr.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from portcheck import __version__
from portcheck.catalogue import BY_CODE, RULES
from portcheck.errors import ConfigError
from portcheck.finding import Finding, Severity


class _Group(TyperGroup):
    """Every usage or configuration error is one line on stderr and exit code 2."""

    def main(self, *args: Any, **kwargs: Any) -> NoReturn:
        # Always non-standalone, so typer's runner and a real shell see the same errors.
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except typer.TyperException as error:  # typer's click usage errors (exit 2)
            _fail(error.format_message(), error.exit_code)
        except ConfigError as error:
            _fail(error.message, error.exit_code)
        except typer.Abort:
            _fail("aborted", 1)
        sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int) -> NoReturn:
    first = message.strip().splitlines()[0] if message.strip() else "error"
    print(f"portcheck: error: {first}", file=sys.stderr)
    sys.exit(code)


app = typer.Typer(
    cls=_Group,
    name="portcheck",
    help="An internal port register that lives in git: one YAML file per allocation under ports/.",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"


def _parse_date(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint="--as-of"
        ) from None


def find_root(start: Path) -> Path:
    """The git top level above ``start``, or ``start`` itself (SPEC §5)."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


RootOption = Annotated[
    Path | None,
    typer.Option(
        "--root", help="The register's root (default: the git top level, or .).", file_okay=False
    ),
]
PolicyOption = Annotated[
    Path | None,
    typer.Option(
        "--policy",
        help="Read policy.yaml from DIR (or DIR/schema) instead of the root's schema/.",
        file_okay=False,
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of", metavar="DATE", help="Judge dates as of DATE (YYYY-MM-DD; default today)."
    ),
]


def _root(option: Path | None) -> Path:
    return (option or find_root(Path.cwd())).absolute()


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

    top = _root(root)
    shown = [_relative(top, path) for path in paths or ()]
    result = check_register(top, as_of=_parse_date(as_of), policy_dir=policy, paths=shown)
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


class SchemaKind(enum.StrEnum):
    ALLOCATION = "allocation"
    POLICY = "policy"


@app.command()
def schema(
    kind: Annotated[SchemaKind, typer.Argument(help="Which schema.")] = SchemaKind.ALLOCATION,
) -> None:
    """Print a JSON Schema; the files in schema/ must equal it.

    \b
    Examples:
      portcheck schema > schema/allocation.schema.json
      portcheck schema policy > schema/policy.schema.json
    """
    from portcheck.schema import render

    sys.stdout.write(render(kind.value))


@app.command(name="rule")
def rule_docs(
    code: Annotated[str | None, typer.Argument(help="A rule code such as PC400.")] = None,
) -> None:
    """Explain a rule, or list them all.

    \b
    Examples:
      portcheck rule            # every code, its name and severity
      portcheck rule PC400      # what it does, why, and how to fix it
    """
    if code is None:
        for item in RULES:
            print(f"{item.code}  {item.name:<32} {item.severity:<8} {item.summary}")
        return
    found = BY_CODE.get(code.upper())
    if found is None:
        raise typer.BadParameter(
            f"no rule {code!r}; `portcheck rule` lists them", param_hint="CODE"
        )
    print(
        f"# {found.code} {found.name} ({found.severity})\n\n{found.summary}\n{found.docs}", end=""
    )


def _version(value: bool) -> None:
    if value:
        print(f"portcheck {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """portcheck: an internal port register that lives in git."""


def main() -> None:
    app()
