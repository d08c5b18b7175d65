"""The pipeline: load every file, validate, build the register, run the checks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
from collections.abc import Sequence
from pathlib import Path

from portcheck import diff
from portcheck.checks import CHECKS
from portcheck.codeowners import load_codeowners
from portcheck.errors import ConfigError
from portcheck.finding import Finding
from portcheck.load import REGISTER, allocation_id, load_file, walk
from portcheck.model import Policy
from portcheck.policy import load_policy, resolve_policy_dir
from portcheck.register import Entry, Register
from portcheck.validate import validate_allocation


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
) -> CheckResult:
    """Every check on the whole register; ``paths`` (repo-relative) only filter what is shown.

    With ``base`` (a git ref), the diff rules run too and findings the change is
    not involved in become warnings (portcheck.diff).
    """
    policy = read_policy(root, policy_dir)
    change = diff.compare(root, base) if base is not None else None
    register, findings = build_register(root, policy, as_of)
    for check in CHECKS:
        findings.extend(check.check(register))
    if change is not None:
        findings.extend(diff.check(change, register))
        findings = diff.downgrade(findings, change)
    shown = [finding for finding in findings if _selected(finding.path, paths)]
    checked = {path for held in register.ids.values() for path in held} | register.load_failed
    files = tuple(sorted(path for path in checked if _selected(path, paths)))
    return CheckResult(sorted(shown), files=len(checked), checked=files)


def read_policy(root: Path, policy_dir: Path | None) -> Policy:
    if not root.is_dir():
        raise ConfigError(f"{root}: not a directory (--root)")
    folder = resolve_policy_dir(root, policy_dir)
    return load_policy(folder, display=_display(root, folder / "policy.yaml"))


def build_register(root: Path, policy: Policy, today: dt.date) -> tuple[Register, list[Finding]]:
    """Load every file under ports/; the register of files that passed, and the findings of
    those that did not."""
    if not (root / REGISTER).is_dir():
        raise ConfigError(f"{root}: no {REGISTER}/ folder: is this a portcheck register? (--root)")
    # Loading makes a few small acyclic objects per file; the cyclic collector would
    # rescan the growing heap over and over (30% of load time on 10,000 files). Once
    # loaded, the register lives until the command ends: freeze it out of collection.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _build_register(root, policy, today)
    finally:
        gc.freeze()
        if paused:
            gc.enable()


def _build_register(root: Path, policy: Policy, today: dt.date) -> tuple[Register, list[Finding]]:
    findings: list[Finding] = []
    entries: list[Entry] = []
    ids: dict[str, list[str]] = {}
    failed: set[str] = set()
    for relative, problem in walk(root):
        if problem is not None:
            findings.append(problem)
            failed.add(relative)
            continue
        ident = allocation_id(relative.rpartition("/")[2])
        assert ident is not None  # walk() reports every file name that is not an id
        ids.setdefault(ident, []).append(relative)
        loaded = load_file(root, relative)
        if isinstance(loaded, Finding):
            findings.append(loaded)
            failed.add(relative)
            continue
        validated = validate_allocation(loaded)
        if isinstance(validated, list):
            findings.extend(validated)
        else:
            entries.append(Entry(relative, ident, loaded, validated))
    register = Register(
        root=root,
        policy=policy,
        entries=tuple(entries),
        ids={ident: tuple(held) for ident, held in ids.items()},
        load_failed=frozenset(failed),
        today=today,
        codeowners=load_codeowners(root),
    )
    return register, findings


def _selected(path: str, paths: Sequence[str]) -> bool:
    return not paths or any(path == p or path.startswith(p.rstrip("/") + "/") for p in paths)


def _display(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
