"""docker-compose ``ports:``: what is allocated is the published host port.

Short syntax ``[HOST_IP:]HOST[-END]:CONTAINER[-END][/PROTOCOL]`` and the long
syntax mapping (``target``, ``published``, ``protocol``), as the Compose
specification defines them. A port without a published host port is given a
random one by Docker and allocates nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from portcheck.inventory import Item, Listener, Skip, parse_ports


def compose_ports(service: str, ports: Any, name: str) -> Iterator[Item]:
    if not isinstance(ports, list):
        return
    for index, entry in enumerate(ports):
        source = _where(name, ports, index)
        if isinstance(entry, dict):
            yield _long(service, entry, source)
        elif isinstance(entry, (str, int)) and not isinstance(entry, bool):
            yield _short(service, str(entry), source)
        else:
            yield Skip(source, "bad port", f"{service}: not a port mapping")


def _short(service: str, text: str, source: str) -> Item:
    mapping, _, protocol = text.partition("/")
    if "$" in mapping:
        return Skip(source, "unresolved variable", f"{service}: {text[:60]}")
    parts = mapping.rsplit(":", 2)
    if len(parts) == 1 or not parts[-2]:
        return Skip(source, "no published port", f"{service}: {text[:60]}")
    return _published(service, parts[-2], protocol or "tcp", source, text)


def _long(service: str, entry: dict[Any, Any], source: str) -> Item:
    published = entry.get("published")
    protocol = str(entry.get("protocol") or "tcp")
    if published is None:
        return Skip(source, "no published port", f"{service}: target {entry.get('target')}")
    return _published(service, str(published), protocol, source, f"published {published}")


def _published(service: str, host: str, protocol: str, source: str, text: str) -> Item:
    span = parse_ports(host)
    if span is None:
        return Skip(source, "bad port", f"{service}: {text[:60]}")
    return Listener(*span, protocol.lower(), service, source, f"compose service {service}")


def _where(name: str, ports: Any, index: int) -> str:
    try:
        line = ports.lc.item(index)[0]
    except (AttributeError, KeyError, IndexError, TypeError):
        return name
    return f"{name}:{line + 1}"
