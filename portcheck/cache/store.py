"""The cache file: one JSON document (the accepted files' facts as columns, the
others' findings), closed by the SHA-256 of its body, written atomically and read
back as an untrusted input."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeGuard

from portcheck.model.columns import FactReader, FactTable

#: A file's verdict: ("ok", its Facts), ("bad", schema findings) or ("load", its
#: PC10x finding), findings as rows without their path.
Verdict = tuple[str, object]


@dataclasses.dataclass
class Stored:
    """What a sound cache holds: the accepted files as rows (their paths, blob ids
    and facts as columns) and the other files' verdicts by path."""

    paths: list[str]
    blobs: list[str]
    table: FactTable
    refused: dict[str, tuple[str, Verdict]]

    @functools.cached_property
    def row_of(self) -> dict[str, int]:
        return {path: row for row, path in enumerate(self.paths)}


def encoded(stamp: list[str], stored: Stored) -> Iterator[str]:
    """The cache's JSON in pieces, a column or a thousand findings at a time, each
    through json.dumps's C encoder (iterencode is pure Python) and each let go of
    before the next is made."""
    yield '{"stamp":' + json.dumps(stamp) + ',"accepted":{"path":' + json.dumps(stored.paths)
    yield ',"blob":' + json.dumps(stored.blobs)
    yield ',"facts":{'
    for number, (name, column) in enumerate(stored.table.plain()):
        yield ("," if number else "") + f'"{name}":' + json.dumps(column)
    refused = [(path, [blob, *kept]) for path, (blob, kept) in stored.refused.items()]
    yield '}},"refused":{'
    for start in range(0, len(refused), 1000):
        piece = dict(refused[start : start + 1000])
        yield ("," if start else "") + json.dumps(piece, separators=(",", ":"))[1:-1]
    yield "}}"


def read(path: Path, stamp: list[str]) -> Stored | None:
    """The contents of a sound cache for ``stamp``; None for any other file."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
        body, _, digest = raw.rpartition(b"\n")
        if hashlib.sha256(body).hexdigest().encode() != digest:
            return None  # damaged or truncated
        parsed = json.loads(body)
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(parsed, dict) or parsed.get("stamp") != stamp:
        return None  # another portcheck, policy or schema
    accepted, refused = parsed.get("accepted"), parsed.get("refused")
    if not (isinstance(accepted, dict) and isinstance(refused, dict)):
        return None
    paths, blobs = accepted.get("path"), accepted.get("blob")
    if not (_strings(paths) and _strings(blobs) and len(paths) == len(blobs)):
        return None
    table = FactReader().table(accepted.get("facts"), len(paths))
    if table is None:
        return None  # tampered with: none of it is believed
    others: dict[str, tuple[str, Verdict]] = {}
    for relative, value in refused.items():
        if isinstance(value, list) and len(value) == 3 and value[1] in ("bad", "load"):
            blob, kind, rows = value
            if isinstance(blob, str):
                others[relative] = (blob, (kind, rows))
    return Stored(paths, blobs, table, others)


def _strings(values: object) -> TypeGuard[list[str]]:
    return isinstance(values, list) and set(map(type, values)) <= {str}


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def replace(target: Path, chunks: Iterable[str]) -> None:
    """Write ``chunks`` and then the SHA-256 of what they hold on a last line, to a
    temporary file renamed over ``target``: streamed, never one string of it all."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".check.", suffix=".tmp")
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp's 0600 is not what a new file gets
        digest = hashlib.sha256()
        with os.fdopen(handle, "wb", buffering=1 << 20) as out:
            for chunk in chunks:
                data = chunk.encode()
                digest.update(data)
                out.write(data)
            out.write(b"\n" + digest.hexdigest().encode())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
