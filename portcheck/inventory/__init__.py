"""Foreign inventories read as listeners: /etc/services, spreadsheets, manifests, sockets.

Every reader is a pure function from text to :class:`Listener` and :class:`Skip`
values, each with the place in the source it came from; nothing here raises on
bad input. The import and drift commands (README, "Inventory") build on these.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

#: Larger inputs are refused before parsing (the IANA CSV is about 1.2 MB).
MAX_BYTES = 16 * 1024 * 1024
PORT_MAX = 65535
_NUMBER = re.compile(r"(0|[1-9][0-9]{0,4})\Z")
_RANGE = re.compile(r"(0|[1-9][0-9]{0,4})-(0|[1-9][0-9]{0,4})\Z")


@dataclasses.dataclass(frozen=True, order=True)
class Listener:
    """A port something declares it listens on (or allocates)."""

    start: int
    end: int
    protocol: str  # lower-case: tcp, udp, sctp, dccp, ...
    service: str  # as the source names it, not yet an id
    source: str  # "path:line"
    description: str = ""
    contact: str = ""


@dataclasses.dataclass(frozen=True)
class Skip:
    """Something in the source that cannot become a listener, and why."""

    source: str
    reason: str  # short and fixed, counted per reason: "no port", "unrendered template"
    detail: str = ""


Item = Listener | Skip


def parse_ports(text: str) -> tuple[int, int] | None:
    """``"8080"`` or ``"6000-6063"`` as an inclusive (start, end); None when it is neither."""
    text = text.strip()
    single = _NUMBER.match(text)
    if single:
        port = int(text)
        return (port, port) if port <= PORT_MAX else None
    pair = _RANGE.match(text)
    if pair:
        start, end = int(pair[1]), int(pair[2])
        if start <= end <= PORT_MAX:
            return start, end
    return None


def read_text(path: Path) -> str | Skip:
    """A source file's text (UTF-8, a BOM dropped), or a Skip saying why it cannot be read."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        return Skip(str(path), "unreadable", error.strerror or "cannot read")
    if len(data) > MAX_BYTES:
        return Skip(str(path), "too large", f"more than {MAX_BYTES} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Skip(str(path), "not UTF-8", "the file is not UTF-8 text")
