"""The cache file, written atomically and read back as an untrusted input.

A header line of JSON (the stamp, the row count, the sections' names and
lengths, the refused files' verdicts), then the sections' bytes: the accepted
files' keys and their facts packed as columns (model.packing), then a last line
with the SHA-256 of everything before it. A row's key is ``<blob id> 0\\t<path>``,
as `git ls-files -s` prints a tracked file after its mode: git's listing
vouches for a row when it holds the row's key (portcheck.cache.index).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from portcheck.model.columns import FactTable
from portcheck.model.packing import Unpacker, pack

#: A file's verdict: ("ok", its Facts), ("bad", schema findings) or ("load", its
#: PC10x finding), findings as rows without their path.
Verdict = tuple[str, object]
#: Where a key's path starts: after a blob id, " 0" (the stage) and a tab.
PATH_AT = 43
KEYS = "keys"


def key(blob: str, path: str) -> str:
    """A row's key: its file's blob id and path, as git's listing shows them."""
    return f"{blob} 0\t{path}"


@dataclasses.dataclass
class Stored:
    """What a sound cache holds: the accepted files as rows (their keys, and their
    facts as columns) and the other files' verdicts by path."""

    keys: list[str]
    paths: list[str]  # each key's path
    table: FactTable
    refused: dict[str, tuple[str, Verdict]]
    #: True when no two rows can collide (checks.collisions.apart). Believed as the
    #: facts are: a sound cache vouches for what it stored.
    apart: bool = False


def encoded(stamp: list[str], stored: Stored) -> Iterator[bytes]:
    """The cache's bytes in pieces: the header line, then each section."""
    sections = {KEYS: "\0".join(stored.keys).encode("utf-8", "surrogateescape")}
    sections.update(pack(stored.table))
    refused = {path: [blob, *kept] for path, (blob, kept) in stored.refused.items()}
    header = {
        "stamp": stamp,
        "rows": len(stored.keys),
        "apart": stored.apart,
        "sections": [[name, len(data)] for name, data in sections.items()],
        "refused": refused,
    }
    yield json.dumps(header, separators=(",", ":")).encode() + b"\n"
    yield from sections.values()


def read(path: Path, stamp: list[str]) -> Stored | None:
    """The contents of a sound cache for ``stamp``; None for any other file."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
        body, _, digest = raw.rpartition(b"\n")
        if hashlib.sha256(body).hexdigest().encode() != digest:
            return None  # damaged or truncated
        line, _, rest = body.partition(b"\n")
        header = json.loads(line)
        if not isinstance(header, dict) or header.get("stamp") != stamp:
            return None  # another portcheck, policy or schema
        return _stored(header, memoryview(rest))
    except (OSError, ValueError, TypeError, KeyError, RecursionError):
        return None


def _stored(header: dict[str, object], rest: memoryview) -> Stored | None:
    rows, named = header["rows"], header["sections"]
    if type(rows) is not int or not isinstance(named, list):
        return None
    sections: dict[str, bytes] = {}
    start = 0
    for name, length in named:
        if not (isinstance(name, str) and type(length) is int and length >= 0):
            return None
        sections[name] = bytes(rest[start : start + length])
        start += length
    if start != len(rest):
        return None
    keys = sections[KEYS].decode("utf-8", "surrogateescape").split("\0") if rows else []
    table = Unpacker(share=False).table(sections, rows)
    refused, apart = header["refused"], header["apart"]
    if table is None or len(keys) != rows or not isinstance(refused, dict):
        return None  # tampered with: none of it is believed
    if type(apart) is not bool:
        return None
    # A malformed key is harmless: no listing holds it, so its row is never taken.
    paths = [row_key[PATH_AT:] for row_key in keys]
    return Stored(keys, paths, table, _refused(refused), apart)


def _refused(refused: dict[str, object]) -> dict[str, tuple[str, Verdict]]:
    others: dict[str, tuple[str, Verdict]] = {}
    for relative, value in refused.items():
        if isinstance(value, list) and len(value) == 3 and value[1] in ("bad", "load"):
            blob, kind, rows = value
            if isinstance(blob, str):
                others[relative] = (blob, (kind, rows))
    return others


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def replace(target: Path, chunks: Iterable[bytes]) -> None:
    """Write ``chunks`` and then the SHA-256 of what they hold on a last line, to a
    temporary file renamed over ``target``: streamed, never one string of it all."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".check.", suffix=".tmp")
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp's 0600 is not what a new file gets
        digest = hashlib.sha256()
        with os.fdopen(handle, "wb", buffering=1 << 20) as out:
            for data in chunks:
                digest.update(data)
                out.write(data)
            out.write(b"\n" + digest.hexdigest().encode())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
