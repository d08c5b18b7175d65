"""The pipeline: build the register, run every check on it, filter what is shown."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from portcheck import gate
from portcheck.cache import CheckCache
from portcheck.checks import collisions, exceptions
from portcheck.errors import UsageError
from portcheck.finding import Finding
from portcheck.model.policy import POLICY_FILE, resolve_policy_dir
from portcheck.register import read_policy


@dataclasses.dataclass(frozen=True)
class CheckResult:
    findings: list[Finding]  # sorted
    files: int  # files looked at under ports/
    #: Those files' repo-relative paths (JUnit has one test case per file).
    checked: frozenset[str] = frozenset()
    #: With --base: findings the base already had (warnings for the summary, not annotated).
    preexisting: frozenset[Finding] = frozenset()
    #: With --base: warnings besides findings (the trusted policy could not be read).
    notes: tuple[str, ...] = ()
    #: With --base: allocations renamed or moved, old path -> new path.
    renamed: tuple[tuple[str, str], ...] = ()


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

    With ``base`` (a git ref), the diff rules run too and findings the base
    already had become warnings (portcheck.gate). With ``cache_dir``, files judged
    by an earlier run are not parsed again (portcheck.cache).
    """
    cache = None if cache_dir is None else check_cache(root, policy_dir, cache_dir)
    try:
        judgement = _judgement(root, as_of, policy_dir, base, cache)
    finally:
        if cache is not None:
            cache.close()
    register = judgement.register
    granted, invalid = exceptions.load(root)
    found = exceptions.apply(judgement.findings, granted, register.ids, as_of) + invalid
    # An excepted finding the base already had is still old news.
    pairs = zip(judgement.findings, found, strict=False)  # found adds its own at the end
    old = {new for was, new in pairs if was in judgement.preexisting}
    shown = [finding for finding in found if _selected(finding.path, paths)]
    checked = {path for held in register.ids.values() for path in held} | register.load_failed
    files = frozenset(checked if not paths else (p for p in checked if _selected(p, paths)))
    _matched(root, paths, shown, files)
    return CheckResult(
        sorted(shown),
        files=len(checked),
        checked=files,
        preexisting=frozenset(old),
        notes=judgement.notes,
        renamed=judgement.renamed,
    )


def _judgement(
    root: Path, as_of: dt.date, policy_dir: Path | None, base: str | None, cache: CheckCache | None
) -> gate.Judgement:
    if base is not None:
        return gate.judge(root, base, as_of, policy_dir, cache)
    policy = read_policy(root, policy_dir)
    if cache is not None and cache.holds_verdicts():
        register, findings = gate.run_warm(root, policy, as_of, cache)
    else:
        register, findings = gate.run_rules(root, policy, as_of, cache)
    return gate.Judgement(register, findings, frozenset(), ())


def check_cache(root: Path, policy_dir: Path | None, folder: Path) -> CheckCache:
    """The cache for this register, versioned by the policy and schema it is judged with."""
    policy = resolve_policy_dir(root, policy_dir) / POLICY_FILE
    inputs = [_contents(policy), _contents(root / "schema" / "allocation.schema.json")]
    return CheckCache(folder, root, b"\0".join(inputs), collisions.apart)


def _contents(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b"\xff"  # absent: differs from every file's contents


def _selected(path: str, paths: Sequence[str]) -> bool:
    return not paths or any(path == p or path.startswith(p.rstrip("/") + "/") for p in paths)


def _matched(root: Path, paths: Sequence[str], shown: list[Finding], files: frozenset[str]) -> None:
    """A PATH that names nothing on disk and no finding is a typo, never "All checks passed"."""
    for path in paths:
        known = [*files, *(finding.path for finding in shown)]
        if not (root / path).exists() and not any(_selected(held, [path]) for held in known):
            raise UsageError(f"{path}: no such file or folder in the register")
