"""The register: everything the checks look at, loaded once, and how it is built."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from pathlib import Path

from portcheck.cache import CheckCache, Verdict, blob_id, finding_verdict, verdict_findings
from portcheck.codeowners import Codeowners, load_codeowners
from portcheck.errors import UsageError
from portcheck.finding import Finding
from portcheck.load import (
    REGISTER,
    allocation_id,
    load_file,
    parse_document,
    read_allocation,
    walk,
)
from portcheck.load.document import Document
from portcheck.load.modeline import Modeline
from portcheck.model import Allocation, Policy
from portcheck.model.policy import load_policy, resolve_policy_dir
from portcheck.model.validate import model_or_errors, validate_allocation


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
    for relative, problem in walk(root):
        if problem is not None:
            findings.append(problem)
            failed.add(relative)
            continue
        ident = allocation_id(relative.rpartition("/")[2])
        assert ident is not None  # walk() reports every file name that is not an id
        ids.setdefault(ident, []).append(relative)
        loaded = _judged(root, relative, cache)
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


#: One file's schema-stage outcome: the loading finding (PC100-PC103), the schema
#: findings, or the document and its allocation.
Judged = Finding | list[Finding] | tuple[Document, Allocation]


def _judged(root: Path, relative: str, cache: CheckCache | None) -> Judged:
    if cache is None:
        return _judge(read_allocation(root, relative), relative)
    blob, data = cache.known_blob(relative), None
    if blob is None:
        data = read_allocation(root, relative)
        if isinstance(data, Finding):
            return data  # unreadable or too large: not worth a verdict
        blob = blob_id(data)
    verdict = cache.verdict(blob)
    recalled = None if verdict is None else _recall(verdict, relative)
    if recalled is not None and verdict is not None:
        cache.keep(blob, verdict)
        return recalled
    judged = _judge(read_allocation(root, relative) if data is None else data, relative)
    kept = _as_verdict(judged)
    if kept is not None:
        cache.keep(blob, kept)
    return judged


def _judge(data: bytes | Finding, relative: str) -> Judged:
    loaded = data if isinstance(data, Finding) else parse_document(data, relative)
    if isinstance(loaded, Finding):
        return loaded
    validated = validate_allocation(loaded)
    return validated if isinstance(validated, list) else (loaded, validated)


def _as_verdict(judged: Judged) -> Verdict | None:
    if isinstance(judged, Finding):
        stored = finding_verdict([judged])
        return None if stored is None else ("load", stored[1])
    if isinstance(judged, list):
        return finding_verdict(judged)
    modeline = judged[0].modeline
    return "ok", [judged[0].data, None if modeline is None else list(modeline)]


def _recall(verdict: Verdict, relative: str) -> Judged | None:
    """What a stored verdict says about the file at ``relative``; None when the
    verdict does not hold up (a tampered cache is re-checked, not believed)."""
    kind, value = verdict
    if kind == "ok":
        if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], dict)):
            return None
        data, row = value
        if not _is_modeline(row):
            return None
        # The model forbids unknown keys, so a key that is not a str fails it too.
        allocation, _ = model_or_errors(Allocation, data)
        if allocation is None:
            return None
        modeline = None if row is None else Modeline(*row)
        return Document(relative, data, modeline=modeline), allocation
    found = verdict_findings(relative, value)
    if found is None or (kind == "load" and len(found) != 1):
        return None
    return found[0] if kind == "load" else found


def _is_modeline(row: object) -> bool:
    """A stored modeline (PC104 needs it) is None or [line, column, target]."""
    if row is None:
        return True
    if not (isinstance(row, list) and len(row) == 3):
        return False
    line, column, target = row
    return type(line) is int and type(column) is int and isinstance(target, str)


def _display(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
