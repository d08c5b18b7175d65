"""The cache file, written atomically and read back as an untrusted input.

The sections' bytes: the accepted files' keys and their facts packed as columns
(model.packing); then a line of JSON, the header (the stamp, the row count, the
sections' names and lengths, the refused files' verdicts), last because the
lengths are known only once each section is written; then a last line with the
SHA-256 of everything before it. A row's key is ``<blob id> 0\\t<path>``,
as `git ls-files -s` prints a tracked file after its mode: git's listing
vouches for a row when it holds the row's key (portcheck.cache.index).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import overload

from portcheck.model.columns import FactTable
from portcheck.model.packing import Unpacker, each_section

#: A file's verdict: ("ok", its Facts), ("bad", schema findings) or ("load", its
#: PC10x finding), findings as rows without their path.
Verdict = tuple[str, object]
#: Where a key's path starts: after a blob id, " 0" (the stage) and a tab.
PATH_AT = 43
KEYS = "keys"


def key(blob: str, path: str) -> str:
    """A row's key: its file's blob id and path, as git's listing shows them."""
    return f"{blob} 0\t{path}"


class Keys(Sequence[str]):
    """Rows' keys made from their blob ids and paths as they are asked for: a cold
    run's 100,000 keys would cost the writer 13 MB held at once."""

    def __init__(self, blobs: list[str], paths: list[str]) -> None:
        self._blobs, self._paths = blobs, paths

    def __len__(self) -> int:
        return len(self._paths)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return list(map(key, self._blobs[index], self._paths[index]))
        return key(self._blobs[index], self._paths[index])


@dataclasses.dataclass
class Stored:
    """What a sound cache holds: the accepted files as rows (their keys, and their
    facts as columns) and the other files' verdicts by path."""

    keys: Sequence[str]
    paths: list[str]  # each key's path
    table: FactTable
    refused: dict[str, tuple[str, Verdict]]
    #: True when no two rows can collide (checks.collisions.apart). Believed as the
    #: facts are: a sound cache vouches for what it stored.
    apart: bool = False


def encoded(stamp: list[str], stored: Stored) -> Iterator[bytes]:
    """The cache's bytes in pieces, each made after the last is written: the keys a
    few thousand at a time, each packed section, then the header line."""
    named: list[list[object]] = []
    size = 0
    for start in range(0, len(stored.keys), _KEYS_AT_ONCE):
        keys = "\0".join(stored.keys[start : start + _KEYS_AT_ONCE])
        data = (b"\0" if start else b"") + keys.encode("utf-8", "surrogateescape")
        size += len(data)
        yield data
    named.append([KEYS, size])
    for name, data in each_section(stored.table):
        named.append([name, len(data)])
        yield data
    refused = {path: [blob, *kept] for path, (blob, kept) in stored.refused.items()}
    header = {
        "stamp": stamp,
        "rows": len(stored.keys),
        "apart": stored.apart,
        "sections": named,
        "refused": refused,
    }
    yield b"\n" + json.dumps(header, separators=(",", ":")).encode()


_KEYS_AT_ONCE = 10_000


def read(path: Path, stamp: list[str]) -> Stored | None:
    """The contents of a sound cache for ``stamp``; None for any other file."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
        body, _, digest = raw.rpartition(b"\n")
        if hashlib.sha256(body).hexdigest().encode() != digest:
            return None  # damaged or truncated
        rest, _, line = body.rpartition(b"\n")  # the header holds no raw line break
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
