"""The register: everything the checks look at, loaded once, and how it is built."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from pathlib import Path

from portcheck.cache import CheckCache
from portcheck.codeowners import Codeowners, load_codeowners
from portcheck.errors import UsageError
from portcheck.finding import Finding
from portcheck.judge import judged_all
from portcheck.load import REGISTER, allocation_id, load_file, walk
from portcheck.load.document import Document
from portcheck.model import Allocation, Policy
from portcheck.model.policy import load_policy, resolve_policy_dir


@dataclasses.dataclass(frozen=True)
class Entry:
    """An allocation file that loaded and passed the schema stage."""

    path: str  # repo-relative POSIX path, e.g. "ports/payments/payments-api.yaml"
    id: str  # the file stem
    document: Document
    allocation: Allocation


@dataclasses.dataclass(frozen=True)
class Register:
    """The loaded register, the policy that judges it, and the date to judge it on."""

    root: Path
    policy: Policy
    entries: tuple[Entry, ...]
    #: Every allocation id on disk (valid file name), whether or not the file
    #: passed loading and schema: a broken target is not also a dangling
    #: dependency. Maps id -> repo-relative paths holding it.
    ids: dict[str, tuple[str, ...]]
    #: Paths that failed loading (PC100-PC103): they get no other finding.
    load_failed: frozenset[str]
    today: dt.date
    #: CODEOWNERS as GitHub reads it (PC500-PC502); None when not loaded.
    codeowners: Codeowners | None = None


def read_policy(root: Path, policy_dir: Path | None) -> Policy:
    if not root.is_dir():
        raise UsageError(f"{root}: the register root is not a directory")
    folder = resolve_policy_dir(root, policy_dir)
    return load_policy(folder, display=_display(root, folder / "policy.yaml"))


def build_register(
    root: Path, policy: Policy, today: dt.date, cache: CheckCache | None = None
) -> tuple[Register, list[Finding]]:
    """Load every file under ports/; the register of files that passed, and the findings of
    those that did not. With ``cache``, files whose bytes an earlier run judged are
    not parsed again (portcheck.cache), and this run's verdicts are saved."""
    if not (root / REGISTER).is_dir():
        raise UsageError(f"{root}: no {REGISTER}/ folder: is this a portcheck register?")
    findings: list[Finding] = []
    entries: list[Entry] = []
    ids: dict[str, list[str]] = {}
    failed: set[str] = set()
    named: list[tuple[str, str]] = []  # (path, id) of the files to judge, in walk order
    for relative, problem in walk(root):
        if problem is not None:
            findings.append(problem)
            failed.add(relative)
            continue
        ident = allocation_id(relative.rpartition("/")[2])
        assert ident is not None  # walk() reports every file name that is not an id
        ids.setdefault(ident, []).append(relative)
        named.append((relative, ident))
    outcomes = judged_all(root, [relative for relative, _ in named], cache)
    for (relative, ident), loaded in zip(named, outcomes, strict=True):
        if isinstance(loaded, Finding):
            findings.append(loaded)
            failed.add(relative)
        elif isinstance(loaded, list):
            findings.extend(loaded)
        else:
            loaded[0].forget_positions(functools.partial(load_file, root, relative))
            entries.append(Entry(relative, ident, *loaded))
    if cache is not None:
        cache.save()
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


def _display(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
