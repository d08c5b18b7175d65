"""renew, retire: the commands that keep an allocation file current.

claim lives in :mod:`portcheck.cli.claim`; free, stale, reclaim and impact in
:mod:`portcheck.cli.audit`.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from portcheck.cli.options import (
    AsOfOption,
    PolicyOption,
    RootOption,
    load,
    parse_date,
    resolve_root,
    warn,
)


def renew(
    idents: Annotated[
        list[str] | None,
        typer.Argument(metavar="[ID]...", help="Allocation ids (file stems)."),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option("--owner", metavar="O", help="Every live allocation of this owner."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until", metavar="DATE", help="New review_by (default: today + review_days)."
        ),
    ] = None,
    as_of: AsOfOption = None,
    root: RootOption = None,
    policy: PolicyOption = None,
) -> None:
    """Move review_by forward, keeping comments, key order and quoting.

    \b
    Examples:
      portcheck renew payments-api
      portcheck renew payments-api ledger-db --until 2027-06-30
      portcheck renew --owner @acme/payments
    """
    from portcheck.actions.lock import register_lock
    from portcheck.actions.upkeep import renew_all
    from portcheck.errors import UsageError

    if bool(idents) == bool(owner):
        raise UsageError("name the allocations to renew: IDs or --owner O (not both)")
    day = parse_date(until, "--until") if until else None
    with register_lock(resolve_root(root)):
        register, broken = load(root, policy, as_of)
        edited = renew_all(register, idents or (), owner, day, broken)
    for one in edited:
        print(f"{one.entry.path}: review_by {one.values['review_by']}")


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
