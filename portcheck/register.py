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
from portcheck.judge import Accepted, judged_all
from portcheck.load import EXTENSION, REGISTER, listing, load_file
from portcheck.load.document import Document
from portcheck.load.ignored import IgnoredAmong
from portcheck.model import Allocation, Policy
from portcheck.model.facts import Facts, facts_model
from portcheck.model.policy import load_policy, resolve_policy_dir
from portcheck.model.validate import validate_allocation


class Entry:
    """An allocation file that loaded and passed the schema stage.

    The checks read its ``facts``. Its document (positions, for a finding) and
    its model (every field) are kept when this process parsed the file;
    otherwise each is read again from disk on first use, apart: a finding needs
    only the document, a command that shows whole allocations only the model
    (read without positions).
    """

    __slots__ = ("_allocation", "_document", "_root", "facts", "id", "path")

    def __init__(
        self,
        path: str,
        ident: str,
        facts: Facts,
        *,
        root: Path | None = None,
        loaded: tuple[Document, Allocation] | None = None,
    ) -> None:
        self.path = path  # repo-relative POSIX path, e.g. "ports/payments/payments-api.yaml"
        self.id = ident  # the file stem
        self.facts = facts
        self._root = root
        self._document: Document | None = loaded[0] if loaded else None
        self._allocation: Allocation | None = loaded[1] if loaded else None

    def __repr__(self) -> str:
        return f"Entry({self.path!r})"

    @property
    def document(self) -> Document:
        if self._document is None:
            self._document = self._reread(positions=True)[0]
        return self._document

    @property
    def allocation(self) -> Allocation:
        if self._allocation is None:
            self._allocation = self._reread(positions=False)[1]
        return self._allocation

    def _reread(self, *, positions: bool) -> tuple[Document, Allocation]:
        assert self._root is not None  # an entry without a document has a file
        return reread(self._root, self.path, self.facts, positions=positions)


def reread(
    root: Path, path: str, facts: Facts, *, positions: bool = True
) -> tuple[Document, Allocation]:
    """The document and model of a file judged earlier (by a worker, or an earlier
    run through the cache). A file changed since then keeps what was judged: its
    findings point at 1:1 and its model holds its facts (a check never raises)."""
    document = load_file(root, path, positions=positions)
    if isinstance(document, Document):
        allocation = validate_allocation(document)
        if isinstance(allocation, Allocation) and Facts.of(allocation, document.modeline) == facts:
            return document, allocation
    service = path.rpartition("/")[2].removesuffix(EXTENSION)
    return Document(path, {}, modeline=facts.modeline), facts_model(facts, service)


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
    root: Path,
    policy: Policy,
    today: dt.date,
    cache: CheckCache | None = None,
    *,
    whole: bool = True,
) -> tuple[Register, list[Finding]]:
    """Load every file under ports/; the register of files that passed, and the findings of
    those that did not. With ``cache``, files whose bytes an earlier run judged are
    not parsed again (portcheck.cache), and this run's verdicts are saved. Without
    ``whole`` (the checks), a large register's entries hold their facts alone, and
    read their document or model only when asked."""
    paths, idents, findings, failed = walked(root, None if cache is None else cache.ignored_among)
    entries: list[Entry] = []
    for relative, ident, loaded in zip(
        paths, idents, judged_all(root, paths, cache, whole=whole), strict=True
    ):
        if isinstance(loaded, Accepted):
            entries.append(_entry(root, relative, ident, loaded))
        elif isinstance(loaded, Finding):
            findings.append(loaded)
            failed.add(relative)
        else:
            findings.extend(loaded)
    register = Register(
        root=root,
        policy=policy,
        entries=tuple(entries),
        ids=ids_of(paths, idents),
        load_failed=frozenset(failed),
        today=today,
        codeowners=load_codeowners(root),
    )
    return register, findings


def walked(
    root: Path, ignored: IgnoredAmong | None = None
) -> tuple[list[str], list[str], list[Finding], set[str]]:
    """The files under ports/ to judge (in walk order) and their ids, and the findings
    on the others (PC103) with those files' paths; ``ignored``: git's ignored files,
    asked earlier (load.ignored), else asked now."""
    if not (root / REGISTER).is_dir():
        raise UsageError(f"{root}: no {REGISTER}/ folder: is this a portcheck register?")
    paths, idents, problems = listing(root, ignored)
    findings = [problem for _, problem in problems]
    failed = {relative for relative, _ in problems}
    return paths, idents, findings, failed


def _entry(root: Path, relative: str, ident: str, accepted: Accepted) -> Entry:
    if accepted.loaded is None:
        return Entry(relative, ident, accepted.facts, root=root)
    accepted.loaded[0].forget_positions(functools.partial(load_file, root, relative))
    return Entry(relative, ident, accepted.facts, root=root, loaded=accepted.loaded)


def ids_of(paths: list[str], idents: list[str]) -> dict[str, tuple[str, ...]]:
    """id -> the paths that hold it (two for a duplicate id, PC401)."""
    ids: dict[str, tuple[str, ...]] = {i: (p,) for p, i in zip(paths, idents, strict=True)}
    if len(ids) < len(paths):  # a duplicate: gather every holder
        held: dict[str, list[str]] = {}
        for path, ident in zip(paths, idents, strict=True):
            held.setdefault(ident, []).append(path)
        ids = {ident: tuple(holders) for ident, holders in held.items()}
    return ids


def _display(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
