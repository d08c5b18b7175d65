"""claim, renew, retire: the commands that take a port and keep its file current.

free, stale, reclaim and impact (looking at the register, and acting on what
stale finds) live in :mod:`portcheck.commands.audit`; importing it here
(at the end, so that --help lists these first) registers them too, since
portcheck.cli imports this module.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from portcheck.cli import AsOfOption, PolicyOption, RootOption, app, parse_date
from portcheck.commands.loading import DryRunOption, ProtocolChoice, ScopeOption, load, warn


@app.command()
def claim(
    service: Annotated[
        str, typer.Argument(metavar="SERVICE", help="The service that will listen.")
    ],
    protocol: Annotated[
        list[ProtocolChoice],
        typer.Option("--protocol", metavar="P", help="tcp, udp, sctp or dccp (repeatable)."),
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
    from portcheck import claim as claiming
    from portcheck.allocate import Want
    from portcheck.refused import Refused

    register, broken = load(root, policy, as_of)
    if broken:
        raise Refused(
            f"{broken[0].path} and {len(broken) - 1} other files do not load, so the ports they "
            "hold are unknown; fix them first (portcheck check)"
        )
    want = Want(tuple(p.value for p in protocol), tuple(scope or ("global",)))
    request = claiming.ClaimRequest(ident or service, service, want, owner, description, port, size)
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


@app.command()
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
    from portcheck.upkeep import renew as renewing

    register, _ = load(root, policy, None)
    edited = renewing(register, ident, parse_date(until, "--until") if until else None)
    print(f"{edited.entry.path}: review_by {edited.values['review_by']}")


@app.command()
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
    from portcheck.checks.lifecycle import add_days
    from portcheck.dependents import dependents
    from portcheck.upkeep import retire as retiring

    register, _ = load(root, policy, None)
    edited = retiring(register, ident, parse_date(on, "--on") if on else None)
    day = edited.values["retired_on"]
    print(f"{edited.entry.path}: retired on {day}")
    free_on = add_days(parse_date(day), register.policy.quarantine_days)
    print(
        f"its ports stay occupied; reclaimable from {free_on} (portcheck reclaim)", file=sys.stderr
    )
    clients = [dependent.entry.id for dependent in dependents(register, ident)]
    if clients:
        warn(f"still depended on by {', '.join(clients)} (portcheck impact {ident})")


from portcheck.commands import audit as _audit  # noqa: E402

COMMAND_MODULES = (_audit,)
"""The lifecycle commands defined elsewhere, registered by importing them."""
