"""The command line: parse options, call the engine, print, exit (SPEC §5).

Exit codes: 0 clean (warnings allowed), 1 error findings (or warnings with
--strict), 2 usage or configuration error, always as one line on stderr.
"""

from __future__ import annotations

import datetime as dt
import enum
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from portcheck import __version__
from portcheck.catalogue import BY_CODE, RULES
from portcheck.errors import ConfigError


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


def parse_date(value: str | None, option: str = "--as-of") -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option
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


def resolve_root(option: Path | None) -> Path:
    return (option or find_root(Path.cwd())).absolute()


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


# Each feature's commands live in their own module and register themselves on `app`.
from portcheck.commands import check as _check  # noqa: E402
from portcheck.commands import lifecycle as _lifecycle  # noqa: E402
from portcheck.commands import ownership as _ownership  # noqa: E402

COMMAND_MODULES = (_check, _lifecycle, _ownership)
