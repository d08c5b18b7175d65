"""What the lifecycle commands share: options, and loading the register they act on.

It imports nothing from portcheck.cli at load time: the command modules import
it while portcheck.cli is still being imported.
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated

import typer

from portcheck.finding import Finding
from portcheck.register import Register


class ProtocolChoice(enum.StrEnum):
    """portcheck.model.PROTOCOLS as a choice (tests keep the two equal)."""

    TCP = "tcp"
    UDP = "udp"
    SCTP = "sctp"
    DCCP = "dccp"


ScopeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--scope", metavar="S", help="A scope such as prod/eu (repeatable; default global)."
    ),
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Show what would happen; write nothing.")
]


def load(
    root: Path | None, policy: Path | None, as_of: str | None
) -> tuple[Register, list[Finding]]:
    """The register under ``--root`` judged by ``--policy``, and the files that did not load."""
    from portcheck.cli import parse_date, resolve_root
    from portcheck.engine import build_register, read_policy

    top = resolve_root(root)
    return build_register(top, read_policy(top, policy), parse_date(as_of))


def warn(message: str) -> None:
    print(f"portcheck: warning: {message}", file=sys.stderr)
