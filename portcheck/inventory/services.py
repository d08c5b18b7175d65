"""/etc/services: ``name port/protocol [aliases...] [# comment]`` (services(5)).

A range ``6000-6063/tcp`` is read too: ``portcheck export --format services``
writes ranges that way so an export imports back as the same allocations.
"""

from __future__ import annotations

from collections.abc import Iterator

from portcheck.inventory import Item, Listener, Skip, parse_ports


def read_services(text: str, name: str) -> Iterator[Item]:
    for number, line in enumerate(text.splitlines(), start=1):
        body, _, comment = line.partition("#")
        fields = body.split()
        if not fields:
            continue
        source = f"{name}:{number}"
        yield _entry(fields, comment.strip(), source)


def _entry(fields: list[str], comment: str, source: str) -> Item:
    if len(fields) < 2 or "/" not in fields[1]:
        return Skip(source, "not a services line", " ".join(fields)[:80])
    port, _, protocol = fields[1].partition("/")
    span = parse_ports(port)
    if span is None:
        return Skip(source, "bad port", fields[1][:80])
    return Listener(*span, protocol.lower(), fields[0], source, comment)
