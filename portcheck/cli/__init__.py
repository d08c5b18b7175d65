"""The command line: parse options, call the pipeline or an action, print, exit.

Exit codes: 0 clean (warnings allowed), 1 error findings (or warnings with
--strict) or a refused request, 2 usage or configuration error, always as one
line on stderr. Every command is a plain function registered below, in the
order ``--help`` lists them; nothing else imports this package.
"""

from __future__ import annotations

import gc
import sys
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from portcheck import __version__
from portcheck.cli import (
    audit,
    catalogue,
    check,
    inventory,
    lookup,
    modelines,
    ownership,
    upkeep,
)
from portcheck.cli import claim as claiming
from portcheck.errors import PortcheckError


class _Group(TyperGroup):
    """Every usage or configuration error is one line on stderr and exit code 2."""

    def main(self, *args: Any, **kwargs: Any) -> NoReturn:
        # Always non-standalone, so typer's runner and a real shell see the same errors.
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except typer.TyperException as error:  # typer's click usage errors (exit 2)
            _fail(error.format_message(), error.exit_code)
        except PortcheckError as error:
            _fail(error.message, error.exit_code)
        except OSError as error:  # a folder or file the system refuses: a configuration error
            _fail(f"{error.filename or 'portcheck'}: {error.strerror or error}", 2)
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


app.command()(check.check)
app.command()(claiming.claim)
app.command()(lookup.show)
app.command()(lookup.who)
app.command(name="list")(lookup.list_command)
app.command()(upkeep.renew)
app.command()(upkeep.retire)
app.command()(audit.free)
app.command()(audit.stale)
app.command()(audit.reclaim)
app.command()(audit.impact)
app.command(name="codeowners")(ownership.codeowners_command)
app.command(name="import")(inventory.import_command)
app.command()(inventory.drift)
app.command()(inventory.export)
app.command(name="fix-modelines")(modelines.fix_modelines)
app.command()(catalogue.schema)
app.command()(catalogue.rule)


def main() -> None:
    # Process tuning lives here, never in library code. A command is one short
    # process that makes a few small acyclic objects per allocation file; with the
    # default thresholds the cyclic collector rescans the growing heap again and
    # again (about 30% of a 10,000-file check, benchmarks/README.md). At 100,000
    # files even a 100,000-object threshold cost 0.06 s of a warm check and 0.17 s
    # of a cold one, with the same peak memory as 500,000.
    gc.set_threshold(500_000, 50, 1000)
    app()
