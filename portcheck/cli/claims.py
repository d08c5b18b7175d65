"""claim, renew, retire: the commands that take a port and keep its file current.

free, stale, reclaim and impact live in :mod:`portcheck.cli.audit`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated

import typer

from portcheck.cli.options import (
    AsOfOption,
    DryRunOption,
    PolicyOption,
    RootOption,
    ScopeOption,
    load,
    parse_date,
    protocol_name,
    resolve_root,
    warn,
)
from portcheck.finding import Finding, plural


def claim(
    service: Annotated[
        str, typer.Argument(metavar="SERVICE", help="The service that will listen.")
    ],
    protocol: Annotated[
        list[str],
        typer.Option(
            "--protocol",
            metavar="P",
            parser=protocol_name,
            help="tcp, udp, sctp or dccp (repeatable).",
        ),
    ],
    owner: Annotated[str, typer.Option("--owner", metavar="O", help="@user or @org/team.")],
    description: Annotated[str, typer.Option("--description", metavar="D", help="What listens.")],
    scope: ScopeOption = None,
    port: Annotated[
        int | None, typer.Option("--port", metavar="N", min=1, max=65535, help="Claim this port.")
    ] = None,
    size: Annotated[
        int, typer.Option("--size", metavar="K", min=1, help="Claim K consecutive ports.")
    ] = 1,
    ident: Annotated[
        str | None, typer.Option("--id", metavar="ID", help="The allocation id (default SERVICE).")
    ] = None,
    as_of: AsOfOption = None,
    dry_run: DryRunOption = False,
    root: RootOption = None,
    policy: PolicyOption = None,
) -> None:
    """Claim the lowest free port (or K consecutive ports) and write ports/<id>.yaml.

    \b
    Examples:
      portcheck claim search-api --protocol tcp --owner @acme/search \\
          --description "Search API"
      portcheck claim mesh --protocol tcp --protocol udp --scope prod/eu --size 4 \\
          --owner @acme/platform --description "Mesh data plane"
      portcheck claim search-admin --port 9200 --protocol tcp --owner @acme/search \\
          --description "Admin console" --dry-run
    """
    from portcheck.actions import claim as claiming
    from portcheck.actions.free import Want
    from portcheck.actions.lock import register_lock
    from portcheck.errors import Refused

    with register_lock(resolve_root(root), sweep=not dry_run):
        register, broken = load(root, policy, as_of)
        if broken:
            raise Refused(_unknown_ports(broken))
        want = Want(tuple(protocol), tuple(scope or ("global",)))
        request = claiming.ClaimRequest(
            ident or service, service, want, owner, description, port, size
        )
        claimed = claiming.plan(register, request)
        if dry_run:
            print(f"{claimed.path} {claimed.block}\n{claimed.text}", end="")
            warn(f"dry run: {claimed.path} not written")
            return
        claiming.write(register.root, claimed)
    print(f"{claimed.path} {claimed.block}")
    print(
        "next: portcheck codeowners --write, then open a pull request with the new file",
        file=sys.stderr,
    )


def renew(
    ident: Annotated[str, typer.Argument(metavar="ID", help="The allocation id (file stem).")],
    until: Annotated[
        str | None,
        typer.Option(
            "--until", metavar="DATE", help="New review_by (default: today + review_days)."
        ),
    ] = None,
    root: RootOption = None,
    policy: PolicyOption = None,
) -> None:
    """Move review_by forward, keeping comments, key order and quoting.

    \b
    Examples:
      portcheck renew payments-api
      portcheck renew payments-api --until 2027-06-30
    """
    from portcheck.actions.lock import register_lock
    from portcheck.actions.upkeep import renew as renewing

    day = parse_date(until, "--until") if until else None
    with register_lock(resolve_root(root)):
        register, broken = load(root, policy, None)
        edited = renewing(register, ident, day, broken)
    print(f"{edited.entry.path}: review_by {edited.values['review_by']}")


def retire(
    ident: Annotated[str, typer.Argument(metavar="ID", help="The allocation id (file stem).")],
    on: Annotated[
        str | None, typer.Option("--on", metavar="DATE", help="retired_on (default today).")
    ] = None,
    root: RootOption = None,
    policy: PolicyOption = None,
) -> None:
    """Set status retired and retired_on, keeping comments; the ports stay occupied.

    \b
    Examples:
      portcheck retire payments-legacy-gateway
      portcheck retire payments-legacy-gateway --on 2026-12-01
    """
    from portcheck.actions.impact import dependents
    from portcheck.actions.lock import register_lock
    from portcheck.actions.upkeep import retire as retiring
    from portcheck.model.dates import add_days

    day_on = parse_date(on, "--on") if on else None
    with register_lock(resolve_root(root)):
        register, broken = load(root, policy, None)
        edited = retiring(register, ident, day_on, broken)
    day = edited.values["retired_on"]
    print(f"{edited.entry.path}: retired on {day}")
    free_on = add_days(parse_date(day), register.policy.quarantine_days)
    print(
        f"its ports stay occupied; reclaimable from {free_on} (portcheck reclaim)", file=sys.stderr
    )
    clients = [dependent.entry.id for dependent in dependents(register, ident)]
    if clients:
        warn(f"still depended on by {', '.join(clients)} (portcheck impact {ident})")


def _unknown_ports(broken: Sequence[Finding]) -> str:
    first = min(broken).path  # the walk's order is the file system's; the message is stable
    if len(broken) == 1:
        return (
            f"{first} does not load, so the ports it holds are unknown; "
            "fix it first (portcheck check)"
        )
    return (
        f"{first} and {plural(len(broken) - 1, 'other file')} do not load, so the "
        "ports they hold are unknown; fix them first (portcheck check)"
    )
