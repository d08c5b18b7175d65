"""Write a deterministic register for benchmarks: ``generate.py OUT --files N [--seed S]``.

The same N, seed and dirty count give byte-identical files, so runs on different
machines measure the same input. The clean part is collision-free (the targets are
about the common case, a register that passes): each scope depth draws its
ports from its own band, and scopes of one depth never contain each other, so
sibling scopes (``prod/eu`` and ``staging/eu``) reuse ports freely while no
scope can meet its ancestor's ports. ``--dirty K`` then adds K files that each
break exactly one rule, to measure the error path.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path
from typing import NamedTuple

# Dates are consistent as of this day; run.py passes it to `portcheck check --as-of`.
AS_OF = dt.date(2026, 11, 27)
REVIEW_DAYS, QUARANTINE_DAYS, MAX_RANGE = 365, 90, 64
MODELINE = "# yaml-language-server: $schema=../../schema/allocation.schema.json"
REPO_SCHEMA = Path(__file__).resolve().parent.parent / "schema"
SCHEMA_FILES = ("allocation.schema.json", "policy.schema.json")

ENVS = ("prod", "staging", "dev", "qa")
REGIONS = ("eu", "us", "ap")
HOSTS = tuple(f"{kind}-{n:02d}" for kind in ("db", "web", "cache") for n in range(1, 5))
LAB = "lab"  # a scope only dirty files use, so they collide only where meant to
TEAM_WORDS = (
    "payments", "search", "platform", "observability", "identity", "billing",
    "catalog", "checkout", "logistics", "messaging", "analytics", "security",
    "data", "ml", "mobile", "web", "growth", "support", "risk", "inventory",
)  # fmt: skip
COMPONENTS = (  # (service suffix, description); descriptions need no YAML quoting
    ("api", "HTTP API of the {team} service"),
    ("grpc", "Internal gRPC endpoint for {team} clients"),
    ("worker", "Background worker consuming {team} events"),
    ("admin", "Admin console of {team} (VPN only)"),
    ("metrics", "Prometheus metrics of the {team} services"),
    ("db", "PostgreSQL for {team}, one port per shard"),
    ("cache", "Redis cache in front of {team} reads"),
    ("queue", "Job queue of {team}"),
    ("gateway", "Gateway routing partner traffic to {team} backends"),
    ("scheduler", "Scheduler of the {team} batch jobs"),
    ("indexer", "Feeds {team} documents to the search index"),
    ("webhook", "Inbound webhooks from {team} partners"),
    ("stream", "Change stream of {team} records"),
    ("sync", "Cross-region replication of {team} data"),
    ("notifier", "Email and push notifications for {team}"),
)

# Ports per protocol the generated policy allows; sctp stops at the IANA
# registered range so that dirty files can land outside it (PC300).
RANGES = {"tcp": (1024, 65535), "udp": (1024, 65535), "sctp": (1024, 49151)}
RESERVED = (  # (start, end, protocol or None for all, reason)
    (0, 1023, None, "system ports, RFC 6335"),
    (5353, 5353, "udp", "mDNS, RFC 6762"),
    (6000, 6063, "tcp", "X11"),
    (30000, 32767, "tcp", "Kubernetes NodePort range"),
)
# One band of ports per scope depth: global, env, env/region, env/region/host.
BANDS = ((1024, 9999), (10000, 19999), (20000, 39999), (40000, 65535))
LEVEL_WEIGHTS = (3, 15, 30, 52)

Span = tuple[int, int]


class Lifecycle(NamedTuple):
    status: str
    allocated: dt.date
    review_by: dt.date | None = None
    expires: dt.date | None = None
    retired_on: dt.date | None = None


@dataclass(frozen=True)
class Entry:
    """One generated allocation, rendered to YAML by `render`."""

    ident: str
    team: str
    service: str
    port: Span
    protocols: tuple[str, ...]
    scopes: tuple[str, ...]
    life: Lifecycle
    description: str
    depends_on: tuple[str, ...] = ()
    link: str | None = None
    contact: bool = True
    comment: str | None = None


def free_spans(protocol: str, band: Span) -> list[Span]:
    """The band's ports that policy allows for ``protocol``, reserved blocks cut out."""
    spans = [(max(band[0], RANGES[protocol][0]), min(band[1], RANGES[protocol][1]))]
    for start, end, proto, _ in RESERVED:
        if proto in (None, protocol):
            spans = [piece for span in spans for piece in _cut(span, start, end)]
    return [span for span in spans if span[0] <= span[1]]


def _cut(span: Span, start: int, end: int) -> list[Span]:
    if end < span[0] or start > span[1]:
        return [span]
    return [(span[0], start - 1), (end + 1, span[1])]


def _fit(spans: Sequence[Span], start: int, size: int) -> int | None:
    """The lowest port >= start whose ``size`` ports lie inside one span."""
    for low, high in spans:
        port = max(start, low)
        if port + size - 1 <= high:
            return port
    return None


class Allocator:
    """Hands out ports per (scope, protocol), lowest first, from the scope depth's band."""

    def __init__(self) -> None:
        self._spans = {
            (level, proto): free_spans(proto, band)
            for level, band in enumerate(BANDS)
            for proto in RANGES
        }
        self._next: dict[tuple[str, str], int] = {}

    def take(self, scopes: Sequence[str], protocols: Sequence[str], size: int) -> Span | None:
        level = _depth(scopes[0])
        port = max(self._next.get((scope, p), 0) for scope in scopes for p in protocols)
        while True:  # raise the candidate until every protocol's spans agree
            fits = [_fit(self._spans[level, p], port, size) for p in protocols]
            if None in fits:
                return None
            if all(fit == port for fit in fits):
                break
            port = max(fit for fit in fits if fit is not None)
        for scope in scopes:
            for proto in protocols:
                self._next[scope, proto] = port + size
        return port, port + size - 1


def _depth(scope: str) -> int:
    """Band index of a scope; the lab env borrows the host band (no clean file uses it)."""
    if scope == "global":
        return 0
    return 3 if scope == LAB else scope.count("/") + 1


REGION_SCOPES = tuple(f"{env}/{region}" for env in ENVS for region in REGIONS)
HOST_SCOPES = tuple(f"{region}/{host}" for region in REGION_SCOPES for host in HOSTS)
ALL_SCOPES = ("global", *ENVS, LAB, *REGION_SCOPES, *HOST_SCOPES)


def team_names(files: int) -> list[str]:
    count = min(max(files // 250, 3), 400)
    return [
        TEAM_WORDS[k % len(TEAM_WORDS)] + (f"-{k // len(TEAM_WORDS) + 1}" if k >= 20 else "")
        for k in range(count)
    ]


def pick_scopes(rng: random.Random) -> tuple[str, ...]:
    level = rng.choices(range(4), LEVEL_WEIGHTS)[0]
    env, region, host = rng.choice(ENVS), rng.choice(REGIONS), rng.choice(HOSTS)
    if level == 0:
        return ("global",)
    if level == 1:
        return (env,)
    if level == 2 and rng.random() < 0.1:  # one file for two sibling regions
        return tuple(f"{env}/{r}" for r in sorted(rng.sample(REGIONS, 2)))
    return (f"{env}/{region}",) if level == 2 else (f"{env}/{region}/{host}",)


def pick_protocols(rng: random.Random) -> tuple[str, ...]:
    roll = rng.random()
    if roll < 0.62:
        return ("tcp",)
    if roll < 0.84:
        return ("udp",)
    if roll < 0.90:
        return ("sctp",)
    return rng.choice((("tcp", "udp"), ("tcp", "udp"), ("tcp", "sctp"), ("tcp", "udp", "sctp")))


def place(
    alloc: Allocator, rng: random.Random, protocols: tuple[str, ...]
) -> tuple[Span, tuple[str, ...]]:
    """A port and scopes for one file; a full scope falls back to the many host scopes."""
    size = 1 if rng.random() < 0.85 else rng.randint(2, 16)
    offset = rng.randrange(len(HOST_SCOPES))
    fallback = ((HOST_SCOPES[(offset + k) % len(HOST_SCOPES)],) for k in range(len(HOST_SCOPES)))
    for scopes in chain([pick_scopes(rng)], fallback):
        span = alloc.take(scopes, protocols, size)
        if span is not None:
            return span, scopes
    raise RuntimeError("the generated policy has no room left: use fewer --files")


def lifecycle(rng: random.Random) -> Lifecycle:
    """Status and dates that raise no warning as of AS_OF (no PC600/PC601/PC602)."""
    roll, days = rng.random(), dt.timedelta
    life = Lifecycle("active", AS_OF - days(rng.randint(7, 1400)))
    if roll < 0.10:
        life = life._replace(status="deprecated")
    elif roll < 0.18:
        life = Lifecycle(
            "reserved",
            AS_OF - days(rng.randint(1, 300)),
            expires=AS_OF + days(rng.randint(14, 500)),
        )
    elif roll < 0.26:
        retired_on = AS_OF - days(rng.randint(0, QUARANTINE_DAYS - 5))
        life = Lifecycle("retired", retired_on - days(rng.randint(30, 900)), retired_on=retired_on)
    if life.allocated + days(REVIEW_DAYS) <= AS_OF:  # renewed at its last review
        return life._replace(review_by=AS_OF + days(rng.randint(14, 700)))
    if rng.random() < 0.3:
        return life._replace(review_by=life.allocated + days(REVIEW_DAYS + rng.randint(0, 365)))
    return life


def clean_entries(files: int, rng: random.Random, alloc: Allocator) -> list[Entry]:
    teams, counts, entries = team_names(files), dict[str, int](), list[Entry]()
    for index in range(files):
        team, (component, purpose) = rng.choice(teams), rng.choice(COMPONENTS)
        service = f"{team}-{component}"
        counts[service] = counts.get(service, 0) + 1
        protocols = pick_protocols(rng)
        port, scopes = place(alloc, rng, protocols)
        depends = rng.sample(range(index), min(index, rng.randint(1, 3)))
        if rng.random() >= 0.3:
            depends = []
        entries.append(
            Entry(
                ident=f"{service}-{counts[service]}",
                team=team,
                service=service,
                port=port,
                protocols=protocols,
                scopes=scopes,
                description=purpose.format(team=team),
                depends_on=tuple(entries[i].ident for i in sorted(depends)),
                life=lifecycle(rng),
                link=_maybe(
                    rng, 0.5, f"https://tickets.acme.example/NET-{rng.randint(1000, 99999)}"
                ),
                contact=rng.random() < 0.8,
                comment=_maybe(rng, 0.1, f"# Approved in NET-{rng.randint(1000, 99999)}"),
            )
        )
    return entries


def _maybe(rng: random.Random, chance: float, value: str) -> str | None:
    return value if rng.random() < chance else None


def render(entry: Entry) -> str:
    """The file in docs/file-format.md's key order; defaults are sometimes spelt out,
    sometimes left out."""
    start, end = entry.port
    port = str(start) if start == end else f'"{start}-{end}"'
    life = entry.life
    lines = [MODELINE] + ([entry.comment] if entry.comment else [])
    lines += [f"service: {entry.service}", f"port: {port}", f"protocol: {_flow(entry.protocols)}"]
    if entry.scopes != ("global",) or len(entry.ident) % 2:
        lines.append(f"scope: {_flow(entry.scopes)}")
    lines.append(f'owner: "@acme/{entry.team}"')
    if entry.contact:
        lines.append(f"contact: {entry.team}@acme.example")
    lines.append(f"description: {entry.description}")
    if life.status != "active" or len(entry.ident) % 3:
        lines.append(f"status: {life.status}")
    lines.append(f"allocated: {life.allocated.isoformat()}")
    lines += [f"review_by: {life.review_by.isoformat()}"] if life.review_by else []
    lines += [f"depends_on: {_flow(entry.depends_on, always=True)}"] if entry.depends_on else []
    lines += [f"links: [{entry.link}]"] if entry.link else []
    lines += [f"expires: {life.expires.isoformat()}"] if life.expires else []
    lines += [f"retired_on: {life.retired_on.isoformat()}"] if life.retired_on else []
    return "\n".join(lines) + "\n"


def _flow(items: Sequence[str], *, always: bool = False) -> str:
    return items[0] if len(items) == 1 and not always else f"[{', '.join(items)}]"


DIRTY_KINDS = (
    "collision", "unknown-field", "ambiguous-number", "reserved", "outside-range",
    "unknown-scope", "dangling-dependency", "yaml-syntax", "duplicate-key",
    "owner-mismatch", "range-too-large", "duplicate-id", "bad-extension", "date-order",
)  # fmt: skip


def dirty_files(
    count: int, entries: Sequence[Entry], rng: random.Random, alloc: Allocator
) -> Iterator[tuple[str, str]]:
    """(path under ports/, text) of files that each break one rule, kinds in turn."""
    for number in range(count):
        kind = DIRTY_KINDS[number % len(DIRTY_KINDS)]
        victim = rng.choice(entries)
        lab = _lab_entry(victim, number, kind, alloc)
        yield _dirty(kind, number, victim, lab)


def _lab_entry(victim: Entry, number: int, kind: str, alloc: Allocator) -> Entry:
    """A copy of victim on a fresh port in the lab scope, so it collides with nothing."""
    size = MAX_RANGE + 1 + number % 32 if kind == "range-too-large" else 1
    span = alloc.take((LAB,), victim.protocols, size)
    if span is None:
        raise RuntimeError("no room left for dirty files: use fewer --dirty")
    ident = f"{victim.service}-{kind}-{number}"
    life = Lifecycle("active", victim.life.allocated, victim.life.review_by)
    return replace(victim, ident=ident, port=span, scopes=(LAB,), depends_on=(), life=life)


def _dirty(kind: str, number: int, victim: Entry, lab: Entry) -> tuple[str, str]:
    """Apply one kind of damage; every port-bearing kind uses a port no one else holds."""
    if kind == "duplicate-id":
        return f"{victim.team}-shadow/{victim.ident}.yaml", render(lab)
    suffix = ".yml" if kind == "bad-extension" else ".yaml"
    return f"{lab.team}/{lab.ident}{suffix}", _damage(kind, number, victim, lab)


def _damage(kind: str, number: int, victim: Entry, lab: Entry) -> str:
    cycle, text = number // len(DIRTY_KINDS), render(lab)
    early = lab.life._replace(review_by=lab.life.allocated - dt.timedelta(days=1))
    damage: dict[str, Callable[[], str]] = {
        "collision": lambda: render(replace(victim, ident=lab.ident, depends_on=())),
        "unknown-field": lambda: text.replace("\nprotocol:", "\nprotcol:"),
        "ambiguous-number": lambda: text.replace("\nport: ", "\nport: 0"),
        "reserved": lambda: render(
            replace(lab, port=(30000 + cycle % 2768,) * 2, protocols=("tcp",))
        ),
        "outside-range": lambda: render(
            replace(lab, port=(50000 + cycle % 15000,) * 2, protocols=("sctp",))
        ),
        "unknown-scope": lambda: render(replace(lab, scopes=("prod/mars",))),
        "dangling-dependency": lambda: render(replace(lab, depends_on=(f"ghost-{number}",))),
        "yaml-syntax": lambda: text.replace("\nprotocol: ", "\nprotocol: ["),
        "duplicate-key": lambda: text.replace("\nowner:", f"\nport: {lab.port[0]}\nowner:"),
        "owner-mismatch": lambda: text.replace(f'"@acme/{lab.team}"', '"@acme/someone-else"'),
        "date-order": lambda: render(replace(lab, life=early)),
    }
    return damage[kind]() if kind in damage else text


def _reserved_line(start: int, end: int, protocol: str | None, reason: str) -> str:
    port = str(start) if start == end else f'"{start}-{end}"'
    only = f", protocol: {protocol}" if protocol else ""
    return f'  - {{port: {port}{only}, reason: "{reason}"}}'


def policy_text() -> str:
    ranges = "\n".join(f'  {p}: ["{low}-{high}"]' for p, (low, high) in RANGES.items())
    reserved = "\n".join(_reserved_line(*block) for block in RESERVED)
    scopes = "\n".join(f"  - {scope}" for scope in ALL_SCOPES)
    return (
        "# Generated by benchmarks/generate.py: wide enough for the generated register.\n"
        f"protocols: [{', '.join(RANGES)}]\nranges:\n{ranges}\nreserved:\n{reserved}\n"
        f"scopes:\n{scopes}\nreview_days: {REVIEW_DAYS}\nquarantine_days: {QUARANTINE_DAYS}\n"
        f'max_range: {MAX_RANGE}\nplatform: "@acme/platform"\n'
    )


def codeowners_text(folders: dict[str, str]) -> str:
    """Platform owns the machinery (PC502); each ports/ folder is owned by its team."""
    protected = ("/.github/", "/schema/", "/portcheck/", "/tests/", "/benchmarks/")
    lines = ["* @acme/platform", *(f"{path} @acme/platform" for path in protected)]
    lines += [f"/ports/{folder}/ @acme/{team}" for folder, team in sorted(folders.items())]
    return "# Generated by benchmarks/generate.py\n" + "\n".join(lines) + "\n"


def generate(out: Path, files: int, seed: int = 0, dirty: int = 0) -> None:
    """Write a complete register (policy, schemas, CODEOWNERS, ports/) under ``out``."""
    if (out / "ports").exists():
        raise FileExistsError(f"{out / 'ports'} exists; generate into a new folder")
    rng, alloc = random.Random(seed), Allocator()
    entries = clean_entries(files, rng, alloc)
    written = [(f"{e.team}/{e.ident}.yaml", render(e)) for e in entries]
    written += list(dirty_files(dirty, entries, rng, alloc)) if entries else []
    _write(out / "schema" / "policy.yaml", policy_text())
    _write(out / ".github" / "CODEOWNERS", codeowners_text(_folders(written)))
    for name in SCHEMA_FILES:
        if (REPO_SCHEMA / name).is_file():
            shutil.copyfile(REPO_SCHEMA / name, out / "schema" / name)
    for relative, text in written:
        _write(out / "ports" / relative, text)


def _folders(written: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Folder -> owning team; a duplicate-id folder keeps its team, so one finding per file."""
    folders = {path.partition("/")[0] for path, _ in written}
    return {folder: folder.removesuffix("-shadow") for folder in folders}


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path, help="folder to write the register into")
    parser.add_argument("--files", type=int, required=True, help="clean allocation files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dirty", type=int, default=0, help="extra files that each break a rule")
    args = parser.parse_args(argv)
    if args.files < 0 or args.dirty < 0:
        parser.error("--files and --dirty must not be negative")
    try:
        generate(args.out, args.files, args.seed, args.dirty)
    except (FileExistsError, RuntimeError) as error:
        parser.exit(2, f"generate.py: {error}\n")


if __name__ == "__main__":
    main()
