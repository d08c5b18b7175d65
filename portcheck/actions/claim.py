"""`portcheck claim`: choose a free port, write the allocation file, never overwrite one.

The file is rendered, then read back through the same loader and schema stage
that ``portcheck check`` uses before anything is written, so a claim can only
produce a file that passes; the port comes from :mod:`portcheck.actions.free`, so it
breaks no policy or collision rule either.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Sequence
from pathlib import Path

from portcheck.actions.atomic import create_exclusive
from portcheck.actions.edit import first_problem
from portcheck.actions.free import (
    Want,
    first_block,
    fits,
    free_spans,
    nearest_block,
    obstacle,
    refuse_unknown,
)
from portcheck.actions.placement import folder_for, free_id, modeline
from portcheck.errors import Refused, UsageError
from portcheck.finding import Finding, printable
from portcheck.load import EXTENSION, allocation_id, parse_document
from portcheck.load.scalars import resolve_plain
from portcheck.model import GLOBAL, PROTOCOLS, Allocation, PortSpan
from portcheck.model.dates import add_days
from portcheck.model.validate import validate_allocation
from portcheck.register import Register

# Text that reads the same as a plain YAML scalar in block and flow context.
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ,.()/_+'-]*(?<! )")


@dataclasses.dataclass(frozen=True)
class ClaimRequest:
    ident: str
    service: str
    want: Want
    owner: str
    description: str
    port: int | None = None  # None: the lowest free block
    size: int = 1
    folder: str | None = None  # None: where the owner's allocations live, else ports/
    contact: str | None = None
    depends_on: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    status: str = "active"
    expires: dt.date | None = None
    review_by: dt.date | None = None


@dataclasses.dataclass(frozen=True)
class Claimed:
    path: str  # repo-relative, e.g. "ports/search-api.yaml"
    block: PortSpan
    text: str


def plan(register: Register, request: ClaimRequest) -> Claimed:
    """The file a claim would write; Refused or UsageError when it cannot be made."""
    path = _path(request.ident, folder_for(register, request.owner, request.folder))
    for field, value in (("description", request.description), ("contact", request.contact)):
        if value is not None and not value.isprintable():
            raise UsageError(f"the {field} must be one line of printable text")
    if request.ident in register.ids:
        held = ", ".join(register.ids[request.ident])
        suggestion = free_id(register, request.ident)
        raise Refused(f"id {request.ident} already exists ({held}); try --id {suggestion}")
    _refuse_missing(register, request.depends_on)
    _refuse_by_policy(register, request)
    block = choose(register, request)
    text = render(request, block, register, path)
    problem = first_problem(text, path)
    if problem is not None:
        raise UsageError(f"the new file would not pass: {problem.code} {problem.message}")
    return Claimed(path, block, text)


def write(root: Path, claimed: Claimed) -> None:
    """Create the file exclusively: a file already there, however it came, is never touched."""
    try:
        create_exclusive(root / claimed.path, claimed.text)
    except FileExistsError:
        raise Refused(f"{claimed.path} already exists; claim never overwrites a file") from None
    except OSError as error:
        raise UsageError(f"{claimed.path}: cannot write: {error.strerror}") from None


def choose(register: Register, request: ClaimRequest) -> PortSpan:
    free = free_spans(register, request.want)
    if request.port is None:
        block = first_block(free, request.size)
        if block is None:
            raise Refused(f"no {_ports(request.size)} free for {_wanted(request.want)}")
        return block
    block = PortSpan(request.port, request.port + request.size - 1)
    if fits(free, block):
        return block
    nearest = nearest_block(free, request.size, request.port)
    hint = f"nearest free: {nearest}" if nearest else f"no {_ports(request.size)} free at all"
    raise Refused(f"{obstacle(register, request.want, block)}; {hint}")


def render(request: ClaimRequest, block: PortSpan, register: Register, path: str) -> str:
    protocols = [p for p in PROTOCOLS if p in request.want.protocols]
    scopes = list(dict.fromkeys(request.want.scopes))
    fields = {
        "service": _scalar(request.service),
        "port": str(block.start) if block.size == 1 else f'"{block}"',
        "protocol": _one_or_list(protocols),
        "scope": None if scopes == [GLOBAL] else _one_or_list(scopes),
        "owner": json.dumps(request.owner),
        "contact": None if request.contact is None else _scalar(request.contact),
        "description": _scalar(request.description),
        "status": request.status,
        "allocated": register.today.isoformat(),
        "review_by": _review_by(request, register).isoformat(),
        "depends_on": _list(request.depends_on),
        "links": _list(request.links),
        "expires": None if request.expires is None else request.expires.isoformat(),
    }
    lines = [modeline(path)]
    lines += [f"{key}: {value}" for key, value in fields.items() if value is not None]
    return "\n".join(lines) + "\n"


def _path(ident: str, folder: str) -> str:
    if allocation_id(ident + EXTENSION) is None:
        raise UsageError(
            f"{printable(ident)} is not a valid id "
            "(lower-case letters, digits and single hyphens, at most 63 characters)"
        )
    return f"{folder}/{ident}{EXTENSION}"


def _review_by(request: ClaimRequest, register: Register) -> dt.date:
    return request.review_by or add_days(register.today, register.policy.review_days)


def _refuse_missing(register: Register, depends_on: Sequence[str]) -> None:
    """A dependency must name an allocation that exists (PC402 otherwise)."""
    for ident in depends_on:
        if ident not in register.ids:
            raise Refused(f"--depends-on {printable(ident)}: no such allocation: PC402")


def _list(values: Sequence[str]) -> str | None:
    return f"[{', '.join(json.dumps(value) for value in values)}]" if values else None


def _refuse_by_policy(register: Register, request: ClaimRequest) -> None:
    refuse_unknown(register.policy, request.want)
    limit = register.policy.max_range
    if request.size > limit:
        raise Refused(
            f"a block of {request.size} ports is more than the policy's max_range {limit}: PC304"
        )


def _scalar(text: str) -> str:
    if _PLAIN.fullmatch(text) and isinstance(resolve_plain(text), str):
        return text
    return json.dumps(text, ensure_ascii=False)


def _one_or_list(values: Sequence[str]) -> str:
    items = [_scalar(value) for value in values]
    return items[0] if len(items) == 1 else f"[{', '.join(items)}]"


def _ports(size: int) -> str:
    return "port" if size == 1 else f"block of {size} ports"


def _wanted(want: Want) -> str:
    return f"{'+'.join(want.protocols)} in {', '.join(want.scopes)}"


def as_json(claimed: Claimed) -> str:
    """The allocation written, as scripts read it: its path, id, ports and every field."""
    loaded = parse_document(claimed.text.encode("utf-8"), claimed.path)
    validated = None if isinstance(loaded, Finding) else validate_allocation(loaded)
    assert isinstance(validated, Allocation)  # plan() checked the text passes
    stem = claimed.path.rpartition("/")[2].removesuffix(EXTENSION)
    fields = validated.model_dump(mode="json", exclude_none=True)
    document = {"path": claimed.path, "id": stem, "ports": str(claimed.block), **fields}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
