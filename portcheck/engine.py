"""The pipeline: build the register, run every check on it, filter what is shown."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from portcheck.cache import CheckCache
from portcheck.checks import CHECKS, changes
from portcheck.finding import Finding
from portcheck.model.policy import POLICY_FILE, resolve_policy_dir
from portcheck.register import build_register, read_policy


@dataclasses.dataclass(frozen=True)
class CheckResult:
    findings: list[Finding]  # sorted
    files: int  # files looked at under ports/
    #: Those files' repo-relative paths, sorted (JUnit has one test case per file).
    checked: tuple[str, ...] = ()


def check_register(
    root: Path,
    *,
    as_of: dt.date,
    policy_dir: Path | None = None,
    paths: Sequence[str] = (),
    base: str | None = None,
    cache_dir: Path | None = None,
) -> CheckResult:
    """Every check on the whole register; ``paths`` (repo-relative) only filter what is shown.

    With ``base`` (a git ref), the diff rules run too and findings the change is
    not involved in become warnings (portcheck.checks.changes). With ``cache_dir``,
    files judged by an earlier run are not parsed again (portcheck.cache).
    """
    policy = read_policy(root, policy_dir)
    change = changes.compare(root, base) if base is not None else None
    cache = None if cache_dir is None else check_cache(root, policy_dir, cache_dir)
    register, findings = build_register(root, policy, as_of, cache)
    for check in CHECKS:
        findings.extend(check.check(register))
    if change is not None:
        findings.extend(changes.check(change, register))
        findings = changes.downgrade(findings, change)
    shown = [finding for finding in findings if _selected(finding.path, paths)]
    checked = {path for held in register.ids.values() for path in held} | register.load_failed
    files = tuple(sorted(path for path in checked if _selected(path, paths)))
    return CheckResult(sorted(shown), files=len(checked), checked=files)


def check_cache(root: Path, policy_dir: Path | None, folder: Path) -> CheckCache:
    """The cache for this register, versioned by the policy and schema it is judged with."""
    policy = resolve_policy_dir(root, policy_dir) / POLICY_FILE
    inputs = [_contents(policy), _contents(root / "schema" / "allocation.schema.json")]
    return CheckCache(folder, root, b"\0".join(inputs))


def _contents(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b"\xff"  # absent: differs from every file's contents


def _selected(path: str, paths: Sequence[str]) -> bool:
    return not paths or any(path == p or path.startswith(p.rstrip("/") + "/") for p in paths)
