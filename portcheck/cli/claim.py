"""`portcheck claim`: take a free port, write the file where it belongs, and open the PR."""

from __future__ import annotations

import enum
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from portcheck.cli.claim_change import open_claim_pr, write_change
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
from portcheck.errors import Refused, UsageError
from portcheck.finding import Finding, plural

if TYPE_CHECKING:
    from portcheck.actions.claim import Claimed
    from portcheck.actions.issue_form import PortRequest as IssueForm
    from portcheck.register import Register


class ClaimFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"


class ClaimStatus(enum.StrEnum):
    ACTIVE = "active"
    RESERVED = "reserved"


def claim(
    service: Annotated[
        str | None, typer.Argument(metavar="SERVICE", help="The service that will listen.")
    ] = None,
    protocol: Annotated[
        list[str] | None,
        typer.Option(
            "--protocol",
            metavar="P",
            parser=protocol_name,
            help="tcp, udp, sctp or dccp (repeatable; required).",
        ),
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", metavar="O", help="@user or @org/team (required).")
    ] = None,
    description: Annotated[
        str | None, typer.Option("--description", metavar="D", help="What listens (required).")
    ] = None,
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
    folder: Annotated[
        str | None,
        typer.Option(
            "--dir",
            metavar="DIR",
            help="Write into DIR under ports/ (default: where the owner's allocations live).",
        ),
    ] = None,
    contact: Annotated[
        str | None, typer.Option("--contact", metavar="C", help="Who to call (e-mail, chat).")
    ] = None,
    depends_on: Annotated[
        list[str] | None,
        typer.Option("--depends-on", metavar="ID", help="An allocation it talks to (repeatable)."),
    ] = None,
    link: Annotated[
        list[str] | None,
        typer.Option("--link", metavar="URL", help="A ticket, runbook, dashboard (repeatable)."),
    ] = None,
    status: Annotated[
        ClaimStatus,
        typer.Option("--status", help="reserved needs --expires.", case_sensitive=False),
    ] = ClaimStatus.ACTIVE,
    expires: Annotated[
        str | None, typer.Option("--expires", metavar="DATE", help="When a reservation lapses.")
    ] = None,
    review_by: Annotated[
        str | None,
        typer.Option("--review-by", metavar="DATE", help="Default: today + review_days."),
    ] = None,
    output_format: Annotated[
        ClaimFormat, typer.Option("--format", help="json: the allocation written.")
    ] = ClaimFormat.TEXT,
    no_codeowners: Annotated[
        bool, typer.Option("--no-codeowners", help="Leave CODEOWNERS alone.")
    ] = False,
    issue_form: Annotated[
        Path | None,
        typer.Option(
            "--from-issue-form",
            metavar="FILE",
            dir_okay=False,
            help="Read every field from a GitHub issue-form body (the port-request form).",
        ),
    ] = None,
    pr: Annotated[
        bool,
        typer.Option("--pr", help="Branch claim/<id>, commit, push, open the pull request (gh)."),
    ] = False,
    as_of: AsOfOption = None,
    dry_run: DryRunOption = False,
    root: RootOption = None,
    policy: PolicyOption = None,
) -> None:
    """Claim the lowest free port (or K consecutive ports) and write <dir>/<id>.yaml.

    The file lands in the folder where the owner's allocations live (else
    ports/), with a modeline that resolves from there, and the CODEOWNERS block
    is updated as `codeowners --write` does, so the change passes check as is.

    \b
    Examples:
      portcheck claim search-api --protocol tcp --owner @acme/search \\
          --description "Search API" --pr
      portcheck claim mesh --protocol tcp --protocol udp --scope prod/eu --size 4 \\
          --owner @acme/platform --description "Mesh data plane" --dir ports/platform
      portcheck claim search-admin --port 9200 --protocol tcp --owner @acme/search \\
          --description "Admin console" --status reserved --expires 2027-03-31 --dry-run
    """
    from portcheck.actions import claim as claiming
    from portcheck.actions.free import Want
    from portcheck.actions.lock import register_lock
    from portcheck.actions.placement import free_id

    if issue_form is not None:
        if service or protocol or owner or description or scope or port or contact or expires:
            raise UsageError("--from-issue-form takes the request's fields from the form alone")
        form = _read_form(issue_form)
        service, owner, description, contact = (
            form.service,
            form.owner,
            form.description,
            form.contact,
        )
        protocol = [protocol_name(name) for name in form.protocols]
        scope, size, port, expires = list(form.scopes), form.size, form.port, form.expires
        status = ClaimStatus.RESERVED if expires else ClaimStatus.ACTIVE
    if not service or not protocol or not owner or not description:
        raise UsageError("claim needs SERVICE, --protocol, --owner and --description")
    if (status is ClaimStatus.RESERVED) != (expires is not None):
        raise UsageError("--status reserved and --expires DATE go together")
    # Read, decide and write under the register's lock (README, Taking turns).
    with register_lock(resolve_root(root), sweep=not dry_run):
        register = _register(root, policy, as_of)
        if issue_form is not None and ident is None and service in register.ids:
            # The form has no id field to change: take the next free one (search-api-2).
            ident = free_id(register, service)
        want = Want(tuple(protocol), tuple(scope or ("global",)))
        request = claiming.ClaimRequest(
            ident or service, service, want, owner, description, port, size,
            folder=folder, contact=contact, depends_on=tuple(depends_on or ()),
            links=tuple(link or ()), status=status.value,
            expires=parse_date(expires, "--expires") if expires else None,
            review_by=parse_date(review_by, "--review-by") if review_by else None,
        )  # fmt: skip
        claimed = claiming.plan(register, request)
        if dry_run:
            _show(claimed, output_format, dry_run=True)
            warn(f"dry run: {claimed.path} not written")
            return
        if pr:
            url = open_claim_pr(register, request, claimed, policy, codeowners=not no_codeowners)
        else:
            write_change(register, claimed, policy, codeowners=not no_codeowners)
    if pr:
        print(f"{claimed.path} {claimed.block}\n{url}")
        return
    _show(claimed, output_format, dry_run=False)
    print("next: open a pull request with the change (or claim with --pr)", file=sys.stderr)


def _read_form(path: Path) -> IssueForm:
    from portcheck.actions.issue_form import MAX_BODY, parse

    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BODY + 1)
        text = data.decode("utf-8")
    except OSError as error:
        raise UsageError(f"--from-issue-form {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"--from-issue-form {path}: not UTF-8") from None
    return parse(text)


def _register(root: Path | None, policy: Path | None, as_of: str | None) -> Register:
    register, broken = load(root, policy, as_of)
    if broken:
        raise Refused(_unknown_ports(broken))
    return register


def _show(claimed: Claimed, output_format: ClaimFormat, *, dry_run: bool) -> None:
    from portcheck.actions.claim import as_json

    if output_format is ClaimFormat.JSON:
        sys.stdout.write(as_json(claimed))
    elif dry_run:
        print(f"{claimed.path} {claimed.block}\n{claimed.text}", end="")
    else:
        print(f"{claimed.path} {claimed.block}")


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
