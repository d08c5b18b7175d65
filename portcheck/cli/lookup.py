"""show, who, list: the read side, for everyone who asks the register a question."""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from portcheck.cli.options import (
    AsOfOption,
    PolicyOption,
    RootOption,
    load,
    protocol_name,
    warn,
)
from portcheck.finding import escape_controls

if TYPE_CHECKING:
    from portcheck.register import Entry, Register

ProtocolOption = Annotated[
    str | None, typer.Option("--protocol", metavar="P", parser=protocol_name, help="tcp, udp, ...")
]
OneScopeOption = Annotated[str | None, typer.Option("--scope", metavar="S", help="A scope path.")]


def show(
    ident: Annotated[str, typer.Argument(metavar="ID", help="The allocation id (file stem).")],
    as_of: AsOfOption = None,
    root: RootOption = None,
    policy: PolicyOption = None,
) -> None:
    """Show one allocation: its fields, code owners, dependents and what is due.

    \b
    Examples:
      portcheck show payments-api
      portcheck show payments-api --as-of 2027-04-01
    """
    from portcheck.actions.upkeep import find

    register = _loaded(root, policy, as_of)
    entry = find(register, ident)
    sys.stdout.write(
        "".join(
            f"{label:<12} {escape_controls(value)}\n" for label, value in _rows(register, entry)
        )
    )


def _rows(register: Register, entry: Entry) -> list[tuple[str, str]]:
    from portcheck.actions.impact import dependents
    from portcheck.actions.lookup import dues

    allocation = entry.allocation
    rows = [
        ("path", entry.path),
        ("service", allocation.service),
        (
            "ports",
            f"{'+'.join(allocation.protocols)}/{allocation.span} in {', '.join(allocation.scopes)}",
        ),
        ("owner", allocation.owner),
        ("code owners", _code_owners(register, entry.path)),
        ("contact", allocation.contact or ""),
        ("description", allocation.description),
        ("status", allocation.status),
        ("allocated", allocation.allocated.isoformat()),
        ("retired on", allocation.retired_on.isoformat() if allocation.retired_on else ""),
    ]
    for due in dues(register, allocation):
        when = "passed" if due.passed else f"in {(due.day - register.today).days} days"
        rows.append((due.label, f"{due.day} ({when})"))
    rows.append(("depends on", ", ".join(allocation.depends_on)))
    clients = [
        d.entry.id + (f" (via {d.via})" if d.via else "") for d in dependents(register, entry.id)
    ]
    rows.append(("dependents", ", ".join(clients) or "none"))
    rows += [("link", link) for link in allocation.links]
    return [(label, value) for label, value in rows if value]


def _code_owners(register: Register, path: str) -> str:
    codeowners = register.codeowners
    if codeowners is None or codeowners.path is None:
        return "unowned (no CODEOWNERS)"
    decided = codeowners.ruleset.owners_of(path)
    if decided is None or not decided.owners:
        return "unowned (no CODEOWNERS line with owners matches)"
    return f"{' '.join(decided.owners)} ({codeowners.path}:{decided.line})"


def who(
    port: Annotated[int, typer.Argument(metavar="PORT", min=0, max=65535, help="A port number.")],
    protocol: ProtocolOption = None,
    scope: OneScopeOption = None,
    as_of: AsOfOption = None,
    root: RootOption = None,
    policy: PolicyOption = None,
) -> None:
    """Who holds PORT, in which scopes; or that it is free (and whether it may be claimed).

    \b
    Examples:
      portcheck who 8443
      portcheck who 5353 --protocol udp --scope prod/eu
    """
    from portcheck.actions.free import Want, refuse_unknown
    from portcheck.actions.lookup import holders_of

    register = _loaded(root, policy, as_of)
    refuse_unknown(register.policy, Want((), (scope or "global",)))
    held = holders_of(register, port, protocol, scope or "global")
    for entry in held:
        print(_holder(register, entry, port))
    if not held:
        for name in [protocol] if protocol else register.policy.protocols:
            print(_free(register, port, name, scope or "global"))


def _holder(register: Register, entry: Entry, port: int) -> str:
    from portcheck.model.dates import reclaimable_on

    allocation = entry.allocation
    ports = f"{'+'.join(allocation.protocols)}/{allocation.span}"
    line = f"{port}: {entry.id} {ports} in {', '.join(allocation.scopes)} {allocation.owner}"
    line += f" {allocation.status} {entry.path}"
    free_on = reclaimable_on(allocation, register.policy)
    if free_on is not None:
        state = "reclaimable now" if register.today >= free_on else f"quarantined until {free_on}"
        line += f" ({state}: portcheck reclaim)"
    return escape_controls(line)


def _free(register: Register, port: int, protocol: str, scope: str) -> str:
    from portcheck.actions.free import Want, obstacle
    from portcheck.model import PortSpan

    reason = obstacle(register, Want((protocol,), (scope,)), PortSpan(port, port))
    if reason.endswith(" is free"):
        return f"{protocol}/{port} is free in {escape_controls(scope)}"
    return f"{protocol}/{port} is held by nobody in {escape_controls(scope)}, but {reason}"


class Status(enum.StrEnum):
    RESERVED = "reserved"
    ACTIVE = "active"
    DEPRECATED = "deprecated"
    RETIRED = "retired"


class ListFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"
    CSV = "csv"


def list_command(
    owner: Annotated[
        str | None, typer.Option("--owner", metavar="O", help="@user or @org/team.")
    ] = None,
    scope: OneScopeOption = None,
    protocol: ProtocolOption = None,
    status: Annotated[
        Status | None, typer.Option("--status", help="The status.", case_sensitive=False)
    ] = None,
    output_format: Annotated[
        ListFormat, typer.Option("--format", help="Output format.", case_sensitive=False)
    ] = ListFormat.TEXT,
    root: RootOption = None,
    policy: PolicyOption = None,
) -> None:
    """List the allocations matching every filter (a scope matches those in, above or below it).

    \b
    Examples:
      portcheck list --owner @acme/payments
      portcheck list --scope prod/eu --protocol udp --format csv
    """
    from portcheck.actions.lookup import Filters, matching
    from portcheck.cli import listing

    register = _loaded(root, policy, None)
    if scope is not None:
        from portcheck.actions.free import Want, refuse_unknown

        refuse_unknown(register.policy, Want((), (scope,)))
    found = matching(register, Filters(owner, scope, protocol, status and status.value))
    if output_format is ListFormat.JSON:
        sys.stdout.write(listing.as_json(found))
    elif output_format is ListFormat.CSV:
        sys.stdout.write(listing.as_csv(found))
    else:
        sys.stdout.write(listing.as_text(found))


def _loaded(root: Path | None, policy: Path | None, as_of: str | None) -> Register:
    register, broken = load(root, policy, as_of)
    if broken:
        warn(f"{len(broken)} files do not load and are not shown (portcheck check)")
    return register
