"""`portcheck drift` output: what is deployed against what is registered, in three lists."""

from __future__ import annotations

import dataclasses
import json

from portcheck.inventory import Listener
from portcheck.register import Entry
from portcheck.report.markdown import escape as cell


@dataclasses.dataclass(frozen=True)
class Mismatch:
    listener: Listener
    registered: tuple[Entry, ...]  # the allocations holding the port, none for this service


@dataclasses.dataclass(frozen=True)
class Drift:
    unregistered: tuple[Listener, ...]  # in use, no allocation holds the port
    mismatched: tuple[Mismatch, ...]  # in use by a service other than the registered one
    unused: tuple[Entry, ...]  # registered, used by nothing given: retirement candidates

    @property
    def failed(self) -> bool:
        return bool(self.unregistered or self.mismatched)


def _port(listener: Listener) -> str:
    span = (
        str(listener.start)
        if listener.start == listener.end
        else f"{listener.start}-{listener.end}"
    )
    return f"{listener.protocol}/{span}"


def _entry_port(entry: Entry) -> str:
    return f"{'+'.join(entry.allocation.protocols)}/{entry.allocation.span}"


def render_text(drift: Drift) -> str:
    lines = [f"unregistered ({len(drift.unregistered)}):"]
    lines += [f"  {_port(x)} {x.service or '?'} {x.source}" for x in drift.unregistered]
    lines.append(f"mismatched ({len(drift.mismatched)}):")
    for mismatch in drift.mismatched:
        held = ", ".join(f"{e.allocation.service} ({e.path})" for e in mismatch.registered)
        x = mismatch.listener
        lines.append(f"  {_port(x)} {x.service} {x.source} registered to {held}")
    lines.append(f"unused ({len(drift.unused)}):")
    lines += [f"  {_entry_port(e)} {e.allocation.service} {e.path}" for e in drift.unused]
    return "\n".join(lines) + "\n"


def render_json(drift: Drift) -> str:
    document = {
        "version": 1,
        "unregistered": [_listener(x) for x in drift.unregistered],
        "mismatched": [
            {**_listener(m.listener), "registered": [_entry(e) for e in m.registered]}
            for m in drift.mismatched
        ],
        "unused": [_entry(e) for e in drift.unused],
        "summary": {
            "unregistered": len(drift.unregistered),
            "mismatched": len(drift.mismatched),
            "unused": len(drift.unused),
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_markdown(drift: Drift) -> str:
    lines = [f"### Unregistered ({len(drift.unregistered)})", "", "| port | service | source |"]
    lines.append("|---|---|---|")
    lines += [f"| {_port(x)} | {cell(x.service)} | {cell(x.source)} |" for x in drift.unregistered]
    lines += ["", f"### Mismatched ({len(drift.mismatched)})", ""]
    lines += ["| port | service | source | registered to |", "|---|---|---|---|"]
    for m in drift.mismatched:
        held = ", ".join(cell(f"{e.allocation.service} ({e.path})") for e in m.registered)
        x = m.listener
        lines.append(f"| {_port(x)} | {cell(x.service)} | {cell(x.source)} | {held} |")
    lines += ["", f"### Registered but unused ({len(drift.unused)})", ""]
    lines += ["| port | service | file |", "|---|---|---|"]
    lines += [
        f"| {_entry_port(e)} | {cell(e.allocation.service)} | {cell(e.path)} |"
        for e in drift.unused
    ]
    return "\n".join(lines) + "\n"


def _listener(listener: Listener) -> dict[str, object]:
    return {
        "protocol": listener.protocol,
        "port": _port(listener).partition("/")[2],
        "service": listener.service,
        "source": listener.source,
    }


def _entry(entry: Entry) -> dict[str, object]:
    return {
        "id": entry.id,
        "path": entry.path,
        "service": entry.allocation.service,
        "port": str(entry.allocation.span),
        "protocol": list(entry.allocation.protocols),
    }
