"""The allocation and policy models: one source for validation and the JSON Schemas."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    WithJsonSchema,
)

from portcheck.load import ID_MAX, ID_PATTERN

PORT_MIN, PORT_MAX = 1, 65535
SCOPE_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*)*$"
# GitHub logins are alphanumeric with inner hyphens; team slugs also allow . and _.
OWNER_PATTERN = r"^@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$"
RANGE_PATTERN = r"^(0|[1-9][0-9]{0,4})-(0|[1-9][0-9]{0,4})$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
GLOBAL = "global"

Protocol = Literal["tcp", "udp", "sctp", "dccp"]
PROTOCOLS: tuple[Protocol, ...] = ("tcp", "udp", "sctp", "dccp")
Status = Literal["reserved", "active", "deprecated", "retired"]

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=ID_MAX)]
ScopePath = Annotated[str, StringConstraints(pattern=SCOPE_PATTERN, max_length=255)]
Owner = Annotated[str, StringConstraints(pattern=OWNER_PATTERN, max_length=100)]
PortNumber = Annotated[int, Field(ge=PORT_MIN, le=PORT_MAX)]
PortRangeText = Annotated[str, StringConstraints(pattern=RANGE_PATTERN)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$", max_length=2000)]


#: Compiled once: every allocation has one to four dates (re's own cache costs a lookup).
_DATE = re.compile(DATE_PATTERN)


def _iso_date(value: object) -> object:
    """Accept only a YYYY-MM-DD string (YAML 1.2 has no timestamp type)."""
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value} is not a calendar date") from None
    return value  # let pydantic's strict date validation reject it


IsoDate = Annotated[
    dt.date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]


class PortSpan(NamedTuple):
    """An inclusive block of ports; a single port is a span of one."""

    start: int
    end: int

    @classmethod
    def parse(cls, spec: int | str) -> PortSpan:
        """``8080`` or ``"30000-30009"`` (already schema-valid) as a span."""
        if isinstance(spec, int):
            return cls(spec, spec)
        start, _, end = spec.partition("-")
        return cls(int(start), int(end or start))

    @property
    def size(self) -> int:
        return self.end - self.start + 1

    def intersects(self, other: PortSpan) -> bool:
        return self.start <= other.end and other.start <= self.end

    def __str__(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}-{self.end}"


def as_tuple(value: Any) -> tuple[Any, ...]:
    """A field that takes one value or a list of them, as a tuple."""
    return tuple(value) if isinstance(value, list) else (value,)


def scope_contains(outer: str, inner: str) -> bool:
    """True when ``outer`` is ``inner``, one of its ancestors, or global
    (docs/file-format.md, Scopes and collisions)."""
    return outer in (GLOBAL, inner) or inner.startswith(outer + "/")


def scopes_overlap(a: str, b: str) -> bool:
    return scope_contains(a, b) or scope_contains(b, a)


class Allocation(BaseModel):
    """One file under ports/: a service's claim on a port or range."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        frozen=True,
        title="portcheck allocation",
        json_schema_extra={
            "allOf": [
                {
                    "if": {"properties": {"status": {"const": "retired"}}, "required": ["status"]},
                    "then": {"required": ["retired_on"]},
                    "else": {"not": {"required": ["retired_on"]}},
                },
                {
                    "if": {"properties": {"status": {"const": "reserved"}}, "required": ["status"]},
                    "then": {"required": ["expires"]},
                },
            ]
        },
    )

    service: Id = Field(description="The service that listens on the port.")
    port: PortNumber | PortRangeText = Field(
        description='A port (1-65535) or an inclusive range "start-end".'
    )
    protocol: Protocol | Annotated[list[Protocol], Field(min_length=1)] = Field(
        description="tcp, udp, sctp or dccp, or a list of them."
    )
    scope: ScopePath | Annotated[list[ScopePath], Field(min_length=1)] = Field(
        default=GLOBAL, description='Where the port is claimed, e.g. "prod/eu"; default global.'
    )
    owner: Owner = Field(description="@user or @org/team; must be a code owner of the file.")
    contact: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, description="Who to ask: an e-mail address, a chat channel."
    )
    description: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="What listens on the port, in a sentence."
    )
    status: Status = Field(
        default="active", description="reserved, active (default), deprecated or retired."
    )
    allocated: IsoDate = Field(description="When the port was allocated (YYYY-MM-DD).")
    review_by: IsoDate | None = Field(
        default=None, description="Review due date; default allocated + the policy's review_days."
    )
    expires: IsoDate | None = Field(
        default=None, description="When a reservation lapses; required when status is reserved."
    )
    retired_on: IsoDate | None = Field(
        default=None, description="When the port was retired; required exactly when retired."
    )
    depends_on: list[Id] = Field(
        default_factory=list, description="Ids of the allocations this service talks to."
    )
    links: list[Url] = Field(default_factory=list, description="Tickets, runbooks, dashboards.")

    # Cached: reading them builds a span or a tuple.
    @functools.cached_property
    def span(self) -> PortSpan:
        return PortSpan.parse(self.port)

    @functools.cached_property
    def protocols(self) -> tuple[Protocol, ...]:
        return as_tuple(self.protocol)

    @functools.cached_property
    def scopes(self) -> tuple[str, ...]:
        return as_tuple(self.scope)


class Reserved(BaseModel):
    """A block no allocation may touch, whatever the ranges say."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    port: Annotated[int, Field(ge=0, le=PORT_MAX)] | PortRangeText = Field(
        description='A port or an inclusive range "start-end"; 0 may be reserved.'
    )
    protocol: Protocol | Annotated[list[Protocol], Field(min_length=1)] | None = Field(
        default=None, description="Protocols the block applies to; default all."
    )
    reason: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="Why nobody may allocate here."
    )

    @functools.cached_property
    def span(self) -> PortSpan:
        return PortSpan.parse(self.port)

    def applies_to(self, protocol: str) -> bool:
        return self.protocol is None or protocol in as_tuple(self.protocol)


class Policy(BaseModel):
    """schema/policy.yaml: what the register accepts (docs/policy.md)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, title="portcheck policy")

    protocols: Annotated[list[Protocol], Field(min_length=1)] = Field(
        description="The protocols this register accepts."
    )
    ranges: dict[Protocol, list[PortNumber | PortRangeText]] = Field(
        description='Allocatable ports per protocol, e.g. {tcp: ["1024-29999"]}.'
    )
    reserved: list[Reserved] = Field(
        default_factory=list, description="Blocks never allocatable, whatever ranges say."
    )
    scopes: list[ScopePath] = Field(
        default_factory=lambda: [GLOBAL], description="Known scopes; global is always known."
    )
    review_days: Annotated[int, Field(ge=1, le=3650)] = Field(
        default=365, description="Default review interval in days."
    )
    quarantine_days: Annotated[int, Field(ge=0, le=3650)] = Field(
        default=90, description="Days after retired_on before a retired file may be deleted."
    )
    max_range: Annotated[int, Field(ge=1, le=65535)] = Field(
        default=64, description="The most ports one allocation may take."
    )
    platform: Owner = Field(
        description="Must own /CODEOWNERS, /.github/, /schema/ and /portcheck/."
    )

    # Asked once per allocation and protocol: computed once per policy.
    _allowed: dict[str, tuple[PortSpan, ...]] = PrivateAttr(default_factory=dict)
    _reserved: dict[str, tuple[Reserved, ...]] = PrivateAttr(default_factory=dict)
    _scopes: frozenset[str] = PrivateAttr(default=frozenset())

    def model_post_init(self, context: Any, /) -> None:
        for protocol in PROTOCOLS:
            specs = self.ranges.get(protocol, ())
            self._allowed[protocol] = tuple(merge_spans(PortSpan.parse(s) for s in specs))
            self._reserved[protocol] = tuple(b for b in self.reserved if b.applies_to(protocol))
        self._scopes = frozenset((GLOBAL, *self.scopes))

    def allowed(self, protocol: str) -> tuple[PortSpan, ...]:
        """The allocatable spans for ``protocol``, sorted and merged."""
        return self._allowed.get(protocol, ())

    def reserved_for(self, protocol: str) -> tuple[Reserved, ...]:
        return self._reserved.get(protocol, ())

    def knows_scope(self, scope: str) -> bool:
        return scope in self._scopes


def merge_spans(spans: Iterable[PortSpan]) -> list[PortSpan]:
    """``spans`` sorted, with overlapping and adjacent spans joined."""
    merged: list[PortSpan] = []
    for span in sorted(spans):
        if merged and span.start <= merged[-1].end + 1:
            merged[-1] = PortSpan(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return merged
