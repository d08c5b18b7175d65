"""`portcheck fix-modelines`: repair the modelines that PC104 reports."""

from __future__ import annotations

import sys

from portcheck.cli.options import DryRunOption, PolicyOption, RootOption, load, warn


def fix_modelines(
    dry_run: DryRunOption = False,
    root: RootOption = None,
    policy: PolicyOption = None,
) -> None:
    """Point every allocation's `$schema=` modeline at schema/allocation.schema.json (PC104).

    A file moved into another folder keeps its old relative path; this rewrites
    only that path, keeping every other byte.

    \b
    Examples:
      portcheck fix-modelines --dry-run
      portcheck fix-modelines
    """
    from portcheck.actions.modelines import fix

    register, broken = load(root, policy, None)
    if broken:
        warn(f"{len(broken)} files do not load and are left alone (portcheck check)")
    fixed = fix(register, dry_run=dry_run)
    verb = "would fix" if dry_run else "fixed"
    for entry in fixed:
        print(f"{verb} {entry.path}")
    if not fixed:
        print("Every modeline leads to the schema.", file=sys.stderr)
