"""What `portcheck claim` changes: the file and the CODEOWNERS block, or, with --pr, a
branch, a commit and a pull request holding them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from portcheck.cli.options import warn
from portcheck.errors import PortcheckError

if TYPE_CHECKING:
    from portcheck.actions.claim import Claimed, ClaimRequest
    from portcheck.register import Register


def write_change(
    register: Register, claimed: Claimed, policy: Path | None, *, codeowners: bool
) -> list[Path]:
    """Write the file, then the CODEOWNERS block; every path changed."""
    from portcheck.actions.claim import write
    from portcheck.cli.ownership import write_block

    write(register.root, claimed)
    changed = [register.root / claimed.path]
    if codeowners:
        try:
            target = write_block(register.root, policy)
            changed += [] if target is None else [register.root / target]
        except PortcheckError as error:
            warn(f"CODEOWNERS not updated: {error.message}")
    return changed


def open_claim_pr(
    register: Register,
    request: ClaimRequest,
    claimed: Claimed,
    policy: Path | None,
    *,
    codeowners: bool,
) -> str:
    import json

    from portcheck.actions.claim import as_json
    from portcheck.actions.pull_request import PullRequest, describe, open_pull_request

    protocols = "+".join(request.want.protocols)
    # A Conventional Commits subject, also the pull request title.
    title = f"feat(ports): claim {protocols}/{claimed.block} for {request.ident}"
    document = json.loads(as_json(claimed))
    return open_pull_request(
        register.root,
        PullRequest(f"claim/{request.ident}", title),
        register.root / claimed.path,
        lambda: write_change(register, claimed, policy, codeowners=codeowners),
        lambda: describe(document, _verdict(register, policy)),
    )


def _verdict(register: Register, policy: Path | None) -> str:
    from portcheck.engine import check_register
    from portcheck.finding import Severity

    findings = check_register(register.root, as_of=register.today, policy_dir=policy).findings
    errors = sum(finding.severity == Severity.ERROR for finding in findings)
    warnings = len(findings) - errors
    if not findings:
        return "no findings."
    return f"{errors} errors, {warnings} warnings (see the portcheck status check)."
