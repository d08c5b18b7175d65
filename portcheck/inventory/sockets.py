"""Saved ``ss -ltnup`` and ``netstat -lntup`` output: what really listens on a host.

The local address is the column holding ``ADDRESS:PORT`` (``ss`` puts it fifth,
``netstat`` fourth); the process, when ``-p`` was given, names the service.
Lines whose port is a name (``*:ssh``, from a run without ``-n``) are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from portcheck.inventory import Item, Listener, Skip, parse_ports

_PROTOCOLS = {"tcp", "tcp6", "udp", "udp6", "sctp", "dccp"}
_SS_PROCESS = re.compile(r'users:\(\("([^"]+)"')
_NETSTAT_PROCESS = re.compile(r"^[0-9]+/(\S+)")


def read_sockets(text: str, name: str) -> Iterator[Item]:
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields or fields[0].lower() not in _PROTOCOLS:
            continue  # a header, a blank line, a unix socket
        yield _socket(fields, line, f"{name}:{number}")


def looks_like_sockets(text: str) -> bool:
    head = text[:2000]
    return "Local Address" in head and ("Netid" in head or "Proto" in head)


def _socket(fields: list[str], line: str, source: str) -> Item:
    ss = len(fields) > 4 and fields[1].isalpha() and not fields[1].isdigit()
    address = fields[4] if ss else fields[3] if len(fields) > 3 else ""
    port = address.rpartition(":")[2]
    span = parse_ports(port)
    if span is None:
        return Skip(source, "bad port", address[:60])
    protocol = fields[0].lower().removesuffix("6")
    return Listener(*span, protocol, _process(fields, line, ss), source, line.strip()[:120])


def _process(fields: list[str], line: str, ss: bool) -> str:
    if ss:
        found = _SS_PROCESS.search(line)
        return found[1] if found else ""
    last = fields[-1]
    match = _NETSTAT_PROCESS.match(last)
    return match[1] if match else ""
