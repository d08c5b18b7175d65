"""What the commands share: options, dates, the root, and loading the register."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # the model pulls in pydantic: not needed for --help
    from portcheck.finding import Finding
    from portcheck.register import Register

#: Exactly YYYY-MM-DD: date.fromisoformat alone also takes 20261201 and 2026-W49-1.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def protocol_name(value: str) -> str:
    """A ``--protocol`` value: one of portcheck.model.PROTOCOLS."""
    from portcheck.model import PROTOCOLS

    if value in PROTOCOLS:
        return value
    raise typer.BadParameter(f"{value!r} is not one of {', '.join(PROTOCOLS)}")


RootOption = Annotated[
    Path | None,
    typer.Option(
        "--root",
        help="The register's root (default: the nearest folder upward holding ports/ and "
        "schema/policy.yaml, else the git top level, else .).",
        file_okay=False,
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
ScopeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--scope", metavar="S", help="A scope such as prod/eu (repeatable; default global)."
    ),
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Show what would happen; write nothing.")
]


def parse_date(value: str | None, option: str = "--as-of") -> dt.date:
    """``value`` as a date (exactly YYYY-MM-DD), or today when it is None."""
    if value is None:
        return dt.date.today()
    try:
        if _ISO_DATE.match(value):
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option)


def find_root(start: Path) -> Path:
    """The register at or above ``start``: the nearest folder holding ``ports/`` and
    ``schema/policy.yaml`` (a register inside a larger repository), else the git top
    level, else ``start`` itself."""
    from portcheck.codeowners.source import git_top_level

    top = git_top_level(start)
    for folder in (start, *start.parents):
        if (folder / "ports").is_dir() and (folder / "schema" / "policy.yaml").is_file():
            return folder
        if folder == top:
            break
    return top or start


def resolve_root(option: Path | None) -> Path:
    return (option or find_root(Path.cwd())).absolute()


def load(
    root: Path | None, policy: Path | None, as_of: str | None
) -> tuple[Register, list[Finding]]:
    """The register under ``--root`` judged by ``--policy``, and the files that did not load."""
    from portcheck.register import build_register, read_policy

    top = resolve_root(root)
    return build_register(top, read_policy(top, policy), parse_date(as_of))


def warn(message: str) -> None:
    print(f"portcheck: warning: {message}", file=sys.stderr)
