"""Which reader a source needs, from the ``--from`` option or from its content."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from portcheck.inventory import Item
from portcheck.inventory.manifests import read_compose, read_k8s
from portcheck.inventory.services import read_services
from portcheck.inventory.sockets import looks_like_sockets, read_sockets

Reader = Callable[[str, str], Iterator[Item]]
READERS: dict[str, Reader] = {
    "services": read_services,
    "k8s": read_k8s,
    "compose": read_compose,
    "sockets": read_sockets,
}
_KIND = re.compile(r"^kind:\s*\S", re.MULTILINE)
_SERVICES_MAP = re.compile(r"^services:\s*(#.*)?$", re.MULTILINE)
_SERVICES_LINE = re.compile(r"^[A-Za-z0-9][\w.+-]*\s+[0-9]+/[a-z]+\b", re.MULTILINE)


def detect(text: str) -> str | None:
    """The kind of a source from its content: sockets, compose, k8s, services, or None."""
    if looks_like_sockets(text):
        return "sockets"
    if _SERVICES_MAP.search(text):
        return "compose"
    if _KIND.search(text):
        return "k8s"
    if _SERVICES_LINE.search(text):
        return "services"
    return None
