"""free, stale, reclaim, impact: what the register holds, and clearing out what is stale.

claim, renew and retire live in :mod:`portcheck.cli.claims`.
"""

from __future__ import annotations

import enum
import sys
from typing import Annotated

import typer

from portcheck.cli.options import (
    AsOfOption,
    DryRunOption,
    PolicyOption,
    RootOption,
    ScopeOption,
    load,
    protocol_name,
    resolve_root,
    warn,
)


def free(
    protocol: Annotated[
        list[str] | None,
        typer.Option(
            "--protocol",
            metavar="P",
            parser=protocol_name,
            help="Free for all of these (default tcp).",
        ),
    ] = None,
    scope: ScopeOption = None,
    limit: Annotated[
        int | None, typer.Option("--limit", metavar="N", min=1, help="At most N lines.")
    ] = None,
    as_of: AsOfOption = None,
    root: RootOption = None,
    policy: PolicyOption = None,
) -> None:
    """List free ports and ranges (1025, or 1025-1099), lowest first.

    \b
    Examples:
      portcheck free --limit 5
      portcheck free --protocol udp --scope prod/eu
    """
    from portcheck.actions.free import Want, free_spans, refuse_unknown

    register, broken = load(root, policy, as_of)
    if broken:
        warn(f"{len(broken)} files do not load; their ports are not counted (portcheck check)")
    protocols = tuple(protocol or ()) or ("tcp",)
    want = Want(protocols, tuple(scope or ("global",)))
    refuse_unknown(register.policy, want)
    spans = free_spans(register, want)
    sys.stdout.write("".join(f"{span}\n" for span in spans[:limit]))


class StaleFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


def stale(
    as_of: AsOfOption = None,
    output_format: Annotated[
        StaleFormat, typer.Option("--format", help="Output format.", case_sensitive=False)
    ] = StaleFormat.TEXT,
    fail: Annotated[bool, typer.Option("--fail", help="Exit 1 when anything is stale.")] = False,
    root: RootOption = None,
    policy: PolicyOption = None,
) -> None:
    """Review overdue, expired, reclaimable and dangling allocations, grouped by owner.

    \b
    Examples:
      portcheck stale
      portcheck stale --as-of 2027-01-01 --format markdown
      portcheck stale --fail          # exit 1 when anything is stale
    """
    from portcheck.actions import stale as audit
    from portcheck.report import stale as stale_report

    register, broken = load(root, policy, as_of)
    if broken:
        warn(f"{len(broken)} files do not load and are not audited (portcheck check)")
    report = audit.collect(register)
    if output_format is StaleFormat.JSON:
        sys.stdout.write(stale_report.render_json(report))
    elif output_format is StaleFormat.MARKDOWN:
        sys.stdout.write(stale_report.render_markdown(report))
    else:
        sys.stdout.write(stale_report.render_text(report))
        print(stale_report.summary(report), file=sys.stderr)
    raise typer.Exit(1 if fail and report.items else 0)


def reclaim(
    idents: Annotated[
        list[str] | None,
        typer.Argument(metavar="[ID]...", help="Only these (each must be reclaimable)."),
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", metavar="O", help="Only this owner's files.")
    ] = None,
    as_of: AsOfOption = None,
    dry_run: DryRunOption = False,
    root: RootOption = None,
    policy: PolicyOption = None,
) -> None:
    """Delete the retired allocations whose quarantine is over (PC602).

    \b
    Examples:
      portcheck reclaim --dry-run
      portcheck reclaim --owner @acme/payments
      portcheck reclaim payments-legacy-gateway
    """
    from portcheck.actions.impact import dependents
    from portcheck.actions.lock import register_lock
    from portcheck.actions.upkeep import reclaim as reclaiming

    with register_lock(resolve_root(root), sweep=not dry_run):
        register, _ = load(root, policy, as_of)
        removed = reclaiming(register, dry_run=dry_run, idents=idents or (), owner=owner)
    verb = "would remove" if dry_run else "removed"
    for entry, day in removed:
        print(f"{verb} {entry.path} (retired on {entry.allocation.retired_on}, reclaimable {day})")
        clients = [dependent.entry.id for dependent in dependents(register, entry.id)]
        if clients:
            warn(f"{entry.id} was still depended on by {', '.join(clients)}: edit their depends_on")
    if not removed:
        print(f"Nothing to reclaim as of {register.today}.", file=sys.stderr)


def impact(
    ident: Annotated[str, typer.Argument(metavar="ID", help="The allocation id (file stem).")],
    root: RootOption = None,
    policy: PolicyOption = None,
) -> None:
    """List the allocations that depend on ID, directly and transitively.

    \b
    Examples:
      portcheck impact ledger-db
    """
    from portcheck.actions.impact import dependents
    from portcheck.actions.upkeep import find

    register, _ = load(root, policy, None)
    if ident not in register.ids:
        find(register, ident)  # refuses with the reason
    found = dependents(register, ident)
    for dependent in found:
        via = f" (via {dependent.via})" if dependent.via else ""
        print(f"{dependent.entry.id} {dependent.entry.path}{via}")
    if not found:
        print(f"Nothing depends on {ident}.", file=sys.stderr)
