"""Loading: files under ports/ to Documents, every failure a located finding (PC100-PC103)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from portcheck.finding import Finding, Location, printable
from portcheck.load.document import Document
from portcheck.load.fast import parse_fast
from portcheck.rules import BAD_FILE, YAML_UNSAFE

#: An allocation id is its file stem (README, "The register"); services use the same form.
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
ID_MAX = 63
MAX_BYTES = 64 * 1024
REGISTER = "ports"
EXTENSION = ".yaml"
#: Files that may sit beside allocations (SPEC §2).
BESIDE = frozenset({".gitkeep", "README.md"})
_ID = re.compile(ID_PATTERN)

_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def allocation_id(name: str) -> str | None:
    """The id of an allocation file name, or None when the name is not one."""
    stem = name.removesuffix(EXTENSION)
    if stem == name or len(stem) > ID_MAX or not _ID.match(stem):
        return None
    return stem


def walk(root: Path) -> Iterator[tuple[str, Finding | None]]:
    """Every file under ports/, sorted, as (repo-relative path, PC103 finding or None).

    Symlinks are reported, never followed (a link can point outside the
    repository or at another allocation).
    """
    pending = [REGISTER]
    while pending:
        folder = pending.pop()
        with os.scandir(root / folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name, reverse=True)
        for entry in entries:
            relative = f"{folder}/{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                pending.append(relative)
            elif entry.name not in BESIDE or not entry.is_file(follow_symlinks=False):
                yield relative, _file_problem(relative, entry)


def _file_problem(relative: str, entry: os.DirEntry[str]) -> Finding | None:
    at = Location(relative)
    if entry.is_symlink():
        return BAD_FILE.finding(at, "a symlink: an allocation must be a plain file")
    if not entry.is_file(follow_symlinks=False):
        return BAD_FILE.finding(at, "not a regular file")
    if not entry.name.endswith(EXTENSION):
        return BAD_FILE.finding(
            at, f"{printable(entry.name)} does not end in .yaml; only allocation files belong here"
        )
    if allocation_id(entry.name) is None:
        return BAD_FILE.finding(
            at,
            f"{printable(entry.name.removesuffix(EXTENSION))} is not a valid id "
            f"(lower-case letters, digits and single hyphens, at most {ID_MAX} characters)",
        )
    return None


def load_file(root: Path, relative: str) -> Document | Finding:
    """Read one file (at most 64 KiB, checked before parsing) and parse it."""
    data = read_allocation(root, relative)
    return data if isinstance(data, Finding) else parse_document(data, relative)


def read_allocation(root: Path, relative: str) -> bytes | Finding:
    """The bytes of one file, or the finding that it cannot be read or is over 64 KiB."""
    try:
        # Unbuffered, through a plain string path: this runs once per file of the register.
        with open(os.path.join(root, relative), "rb", buffering=0) as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        return BAD_FILE.finding(Location(relative), f"cannot read: {error.strerror}")
    if len(data) > MAX_BYTES:
        return YAML_UNSAFE.finding(
            Location(relative), f"larger than {MAX_BYTES // 1024} KiB: an allocation is a few lines"
        )
    return data


def parse_document(data: bytes, path: str) -> Document | Finding:
    """Decode ``data`` as UTF-8 and parse it: the fast reader first, then the strict one."""
    text = _decode(data, path)
    if isinstance(text, Finding):
        return text
    fast = parse_fast(text, path)
    if fast is not None:
        return fast
    # Imported here: ruamel.yaml costs start-up time a register of flat files never needs.
    from portcheck.load.strict import parse_strict

    return parse_strict(text, path)


def _decode(data: bytes, path: str) -> str | Finding:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return YAML_UNSAFE.finding(Location(path), f"{encoding} text: save the file as UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0:
        return YAML_UNSAFE.finding(
            _byte_location(data, nul, path), "NUL byte: the file is not UTF-8 text"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return YAML_UNSAFE.finding(
            _byte_location(data, error.start, path),
            f"not UTF-8: invalid byte 0x{data[error.start]:02X}",
        )
    return text.removeprefix("\ufeff")


def _byte_location(data: bytes, offset: int, path: str) -> Location:
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return Location(path, data.count(b"\n", 0, offset) + 1, column)
