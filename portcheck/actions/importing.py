"""`portcheck import`: allocations from an existing inventory, never overwriting a file.

Each listener the readers find (portcheck.inventory) becomes one allocation
file, rendered by claim's renderer and read back through the schema stage
before it is written. Whatever would make ``portcheck check`` fail -- a port
outside policy, a collision with the register or with an earlier imported
allocation, a range over ``max_range`` -- is skipped with its reason instead,
so the register still passes after any import.
"""

from __future__ import annotations

import collections
import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from portcheck.actions.atomic import create_exclusive
from portcheck.actions.claim import ClaimRequest, render
from portcheck.actions.edit import first_problem
from portcheck.actions.free import Want, fits, free_spans, obstacle, refuse_unknown, subtract
from portcheck.errors import UsageError
from portcheck.inventory import Item, Listener, Skip
from portcheck.load import EXTENSION, ID_MAX, REGISTER
from portcheck.model import OWNER_PATTERN, PortSpan, merge_spans
from portcheck.register import Register

_NOT_ID = re.compile(r"[^a-z0-9]+")
_SPACE = re.compile(r"\s+")


@dataclasses.dataclass(frozen=True)
class Planned:
    path: str  # repo-relative
    text: str
    listener: Listener
    protocols: tuple[str, ...]


@dataclasses.dataclass
class ImportPlan:
    files: list[Planned] = dataclasses.field(default_factory=list)
    skips: list[Skip] = dataclasses.field(default_factory=list)

    def counts(self) -> collections.Counter[str]:
        return collections.Counter(skip.reason for skip in self.skips)


def service_id(name: str) -> str | None:
    """``name`` as an allocation id: lower-case, runs of other characters as one hyphen."""
    ident = _NOT_ID.sub("-", name.lower()).strip("-")[:ID_MAX].rstrip("-")
    return ident or None


def default_folder(register: Register, owner: str) -> str:
    """Where the owner's allocations live (the most common folder), else ports/."""
    folders = collections.Counter(
        entry.path.rpartition("/")[0]
        for entry in register.entries
        if entry.allocation.owner.lower() == owner.lower()
    )
    return folders.most_common(1)[0][0] if folders else REGISTER


def check_folder(into: str) -> str:
    parts = into.strip("/").split("/")
    if parts[0] != REGISTER or any(part in ("", ".", "..") for part in parts):
        raise UsageError(f"--into {into}: must be {REGISTER}/ or a folder under it")
    return "/".join(parts)


class Importer:
    """Plans one allocation per (service, ports) group, keeping every imported port taken."""

    def __init__(self, register: Register, owner: str, scopes: Sequence[str], folder: str):
        if not re.match(OWNER_PATTERN, owner):
            raise UsageError(f"--owner {owner!r} is not @user or @org/team")
        refuse_unknown(register.policy, Want((), tuple(scopes)))
        self.register, self.owner, self.scopes, self.folder = register, owner, scopes, folder
        self.ids = set(register.ids)
        self.taken: dict[tuple[str, int], str] = {}
        self.free = {
            p: free_spans(register, Want((p,), tuple(scopes))) for p in _accepted(register)
        }
        self.allowed = {p: _policy_free(register, p) for p in _accepted(register)}

    def plan(self, items: Iterable[Item]) -> ImportPlan:
        result = ImportPlan()
        for group in _groups(items, result.skips):
            outcome = self._one(group)
            if isinstance(outcome, Planned):
                result.files.append(outcome)
            else:
                result.skips.append(outcome)
        return result

    def _one(self, group: tuple[Listener, tuple[str, ...]]) -> Planned | Skip:
        first, protocols = group
        ident = service_id(first.service)
        span = PortSpan(first.start, first.end)
        what = f"{first.service} {'+'.join(protocols)}/{span}"
        if ident is None:
            return Skip(first.source, "no service name", what)
        unaccepted = [p for p in protocols if p not in self.free]
        if unaccepted:
            return Skip(first.source, "protocol not in policy", f"{what}: {unaccepted[0]}")
        if span.size > self.register.policy.max_range:
            return Skip(first.source, "range over max_range", what)
        blocked = self._blocked(protocols, span)
        if blocked is not None:
            return Skip(first.source, *blocked)
        return self._planned(first, ident, protocols, span)

    def _blocked(self, protocols: tuple[str, ...], span: PortSpan) -> tuple[str, str] | None:
        for protocol in protocols:
            if not fits(self.allowed[protocol], span):
                want = Want((protocol,), tuple(self.scopes))
                return "outside policy", obstacle(self.register, want, span)
            for port in range(span.start, span.end + 1):
                if (protocol, port) in self.taken:
                    holder = self.taken[protocol, port]
                    return "collision", f"{protocol}/{span} is taken by imported {holder}"
            if not fits(self.free[protocol], span):
                want = Want((protocol,), tuple(self.scopes))
                return "collision", obstacle(self.register, want, span)
        return None

    def _planned(
        self, first: Listener, ident: str, protocols: tuple[str, ...], span: PortSpan
    ) -> Planned | Skip:
        ident = self._unique(ident, span)
        path = f"{self.folder}/{ident}{EXTENSION}"
        text = self._render(first, ident, protocols, span, path)
        problem = first_problem(text, path)
        if problem is not None:
            return Skip(first.source, "invalid", f"{problem.code} {problem.message}"[:160])
        self.ids.add(ident)
        for protocol in protocols:
            for port in range(span.start, span.end + 1):
                self.taken[protocol, port] = path
        return Planned(path, text, first, protocols)

    def _unique(self, ident: str, span: PortSpan) -> str:
        candidates = [ident, f"{ident[: ID_MAX - 12]}-{span.start}"]
        candidates += [f"{ident[: ID_MAX - 18]}-{span.start}-{n}" for n in range(2, 1000)]
        return next(c for c in candidates if c not in self.ids)

    def _render(
        self, first: Listener, ident: str, protocols: tuple[str, ...], span: PortSpan, path: str
    ) -> str:
        service = service_id(first.service) or ident
        want = Want(protocols, tuple(self.scopes))
        contact = _clean(first.contact) or None
        request = ClaimRequest(
            ident, service, want, self.owner, _description(first), contact=contact
        )
        return render(request, span, self.register, path)


def write_all(
    root: Path, files: Sequence[Planned], progress: Callable[[int], None] | None = None
) -> tuple[list[Planned], list[Skip]]:
    """Create every planned file exclusively; a file already there is a Skip, never replaced.

    The files written, and a Skip for each that was not."""
    written: list[Planned] = []
    skips: list[Skip] = []
    for done, planned in enumerate(files, start=1):
        try:
            create_exclusive(root / planned.path, planned.text)
            written.append(planned)
        except FileExistsError:
            skips.append(Skip(planned.listener.source, "file exists", planned.path))
        except OSError as error:
            skips.append(Skip(planned.listener.source, "cannot write", str(error.strerror)))
        if progress is not None:
            progress(done)
    return written, skips


def _groups(items: Iterable[Item], skips: list[Skip]) -> Iterable[tuple[Listener, tuple[str, ...]]]:
    """One group per (service, ports): a service on tcp and udp is one allocation."""
    groups: dict[tuple[str, int, int], tuple[Listener, list[str]]] = {}
    for item in items:
        if isinstance(item, Skip):
            skips.append(item)
            continue
        key = (service_id(item.service) or item.service, item.start, item.end)
        first, protocols = groups.setdefault(key, (item, []))
        if item.protocol not in protocols:
            protocols.append(item.protocol)
    for first, protocols in groups.values():
        yield first, tuple(protocols)


def _accepted(register: Register) -> list[str]:
    return list(register.policy.protocols)


def _policy_free(register: Register, protocol: str) -> list[PortSpan]:
    policy = register.policy
    reserved = merge_spans(block.span for block in policy.reserved_for(protocol))
    return subtract(policy.allowed(protocol), reserved)


def _clean(text: str) -> str:
    printable = "".join(c if c.isprintable() else " " for c in text)
    return _SPACE.sub(" ", printable).strip()[:200]


def _description(listener: Listener) -> str:
    text = _clean(listener.description)
    return text or f"{listener.service} (imported from {listener.source})"[:200]
