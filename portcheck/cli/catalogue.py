"""schema and rule: the contracts portcheck enforces, printed."""

from __future__ import annotations

import enum
import sys
from typing import Annotated

import typer

from portcheck.rules import RULES, find_rule


class SchemaKind(enum.StrEnum):
    ALLOCATION = "allocation"
    POLICY = "policy"
    EXCEPTIONS = "exceptions"


def schema(
    kind: Annotated[SchemaKind, typer.Argument(help="Which schema.")] = SchemaKind.ALLOCATION,
) -> None:
    """Print a JSON Schema; the files in schema/ must equal it.

    \b
    Examples:
      portcheck schema > schema/allocation.schema.json
      portcheck schema policy > schema/policy.schema.json
      portcheck schema exceptions > schema/exceptions.schema.json
    """
    from portcheck.model.schema import render

    sys.stdout.write(render(kind.value))


def rule(
    code: Annotated[
        str | None, typer.Argument(metavar="[CODE|NAME]", help="PC400 or port-collision.")
    ] = None,
) -> None:
    """Explain a rule, or list them all.

    \b
    Examples:
      portcheck rule                  # every code, its name and severity
      portcheck rule PC400            # what it does, why, and how to fix it
      portcheck rule port-collision   # the same, by name
    """
    if code is None:
        for item in RULES:
            print(f"{item.code}  {item.name:<32} {item.severity:<8} {item.summary}")
        return
    found = find_rule(code)
    if found is None:
        raise typer.BadParameter(
            f"no rule {code!r}; `portcheck rule` lists them", param_hint="CODE"
        )
    print(
        f"# {found.code} {found.name} ({found.severity})\n\n{found.summary}\n{found.docs}", end=""
    )
