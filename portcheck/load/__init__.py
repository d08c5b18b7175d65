"""Loading: files under ports/ to Documents, every failure a located finding (PC100-PC103)."""

from __future__ import annotations

import itertools
import operator
import os
import re
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from portcheck.finding import Finding, Location, line_column, printable
from portcheck.load.document import Document
from portcheck.load.fast import parse_fast
from portcheck.load.ignored import Ignored, IgnoredAmong
from portcheck.load.lean import parse_lean
from portcheck.load.modeline import find_modeline
from portcheck.rules import BAD_FILE, YAML_UNSAFE

#: An allocation id is its file stem (README, "The register"); services use the same form.
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
ID_MAX = 63
MAX_BYTES = 64 * 1024
REGISTER = "ports"
EXTENSION = ".yaml"
#: Files that may sit beside allocations (docs/file-format.md).
BESIDE = frozenset({".gitkeep", "README.md"})
_ID = re.compile(ID_PATTERN)
#: A file name allocation_id() accepts, in one match.
_ALLOCATION_NAME = re.compile(rf"(?=.{{1,{ID_MAX}}}\.yaml\Z)[a-z0-9]+(?:-[a-z0-9]+)*\.yaml")
#: Names, each followed by "/": every one of up to ID_MAX letters, digits and hyphens
#: before .yaml, the first no hyphen (where the others may stand: _allocation_names()).
_ALLOCATION_NAMES = re.compile(rf"(?:[a-z0-9][a-z0-9-]{{0,{ID_MAX - 1}}}+\.yaml/)++")
_ENDING = f"{EXTENSION}/"
_NAME = operator.attrgetter("name")
#: NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR: line breaks in YAML 1.1, not in YAML 1.2.
_BREAK_LIKE = re.compile("[\x85\u2028\u2029]")
#: portcheck's own temporary files (`.<name>.<random>.portcheck-tmp`, actions/atomic.py):
#: a write in progress, never part of the register.
TEMPORARY_SUFFIX = ".portcheck-tmp"
#: A temporary file older than this was left by a killed writer, not one at work.
TEMPORARY_STALE_SECONDS = 3600

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


class Listing(NamedTuple):
    """The files under ports/: the allocation files' paths and ids, in walk order (each
    folder's files by name, descending, then its folders), and the others' PC103 findings."""

    paths: list[str]
    idents: list[str]
    problems: list[tuple[str, Finding]]


def walk(root: Path) -> Iterator[tuple[str, Finding | None]]:
    """Every file under ports/ as (repo-relative path, PC103 finding or None): the
    allocation files first, then the others (listing())."""
    found = listing(root)
    return itertools.chain(zip(found.paths, itertools.repeat(None)), found.problems)


def listing(root: Path, ignored: IgnoredAmong | None = None) -> Listing:
    """Every file under ports/, sorted (Listing).

    Symlinks are reported, never followed (a link can point outside the
    repository or at another allocation). Files git ignores are skipped: git is
    asked first and answers while the folders are read.
    """
    answer = Ignored(root, REGISTER) if ignored is None else ignored
    found = Listing([], [], [])
    pending = [REGISTER]
    while pending:
        _list_folder(root, pending.pop(), found, pending)
    skipped = answer(found.paths, [path for path, _ in found.problems])
    if not skipped:
        return found
    kept = [n for n, path in enumerate(found.paths) if not _ignored(path, skipped)]
    return Listing(
        [found.paths[n] for n in kept],
        [found.idents[n] for n in kept],
        [problem for problem in found.problems if not _ignored(problem[0], skipped)],
    )


def _ignored(relative: str, ignored: frozenset[str]) -> bool:
    """True when git ignores ``relative`` or a folder it is in."""
    slash = relative.find("/")
    while slash > 0:
        if f"{relative[:slash]}/" in ignored:
            return True
        slash = relative.find("/", slash + 1)
    return relative in ignored or f"{relative}/" in ignored


def _list_folder(root: Path, folder: str, found: Listing, pending: list[str]) -> None:
    """Add the files of ``folder`` to ``found`` and its folders to ``pending``.

    A register's folder nearly always holds allocation files alone: that is
    decided for all its names at once, in C (a walk of 100,000 files ran a
    Python step per file for a third of its time), and only another folder is
    read entry by entry."""
    try:
        with os.scandir(os.path.join(root, folder)) as scan:
            entries = list(scan)
    except OSError as error:
        found.problems.append((folder, BAD_FILE.finding(Location(folder), _unreadable(error))))
        return
    names = sorted(map(_NAME, entries), reverse=True)
    joined = "/".join(names) + "/"
    if _allocation_names(joined) and _plain_files(entries):
        found.paths.extend(map(f"{folder}/".__add__, names))
        found.idents.extend(joined[: -len(_ENDING)].split(_ENDING))  # one .yaml per name
        return
    by_name = {entry.name: entry for entry in entries}
    for name in names:
        entry, relative = by_name[name], f"{folder}/{name}"
        if entry.is_dir(follow_symlinks=False):
            pending.append(relative)
        elif _ALLOCATION_NAME.fullmatch(name) and entry.is_file(follow_symlinks=False):
            found.paths.append(relative)  # the common case, as file_problem would decide it
            found.idents.append(name[: -len(EXTENSION)])
        elif _at_work(entry):
            continue
        elif name not in BESIDE or not entry.is_file(follow_symlinks=False):
            problem = _file_problem(relative, entry)
            if problem is not None:
                found.problems.append((relative, problem))
            else:  # changed between the two looks: file_problem has the last word
                found.paths.append(relative)
                found.idents.append(name[: -len(EXTENSION)])


def _unreadable(error: OSError) -> str:
    return f"cannot read: {error.strerror}"


def _allocation_names(joined: str) -> bool:
    """True when every name of ``joined`` (each name followed by "/", which no name
    holds) is one _ALLOCATION_NAME matches: _ALLOCATION_NAMES takes each as up to
    ID_MAX letters, digits and hyphens before .yaml, the first no hyphen, and the
    hyphens are single and never last when neither "--" nor "-." occurs."""
    matched = _ALLOCATION_NAMES.fullmatch(joined) is not None
    return matched and "--" not in joined and "-." not in joined


def _plain_files(entries: list[os.DirEntry[str]]) -> bool:
    """True when every entry is a regular file, not a symlink (one C pass per question;
    is_file() of an entry that is not a symlink reads no more than is_symlink())."""
    return not any(map(os.DirEntry.is_symlink, entries)) and all(map(os.DirEntry.is_file, entries))


def is_temporary(name: str) -> bool:
    return name.startswith(".") and name.endswith(TEMPORARY_SUFFIX)


def _at_work(entry: os.DirEntry[str]) -> bool:
    """A temporary file of a portcheck write that may still be running (skipped)."""
    if not is_temporary(entry.name) or not entry.is_file(follow_symlinks=False):
        return False
    try:
        age = time.time() - entry.stat(follow_symlinks=False).st_mtime
    except OSError:
        return True  # renamed or removed meanwhile: its writer is done
    return age < TEMPORARY_STALE_SECONDS


def _file_problem(relative: str, entry: os.DirEntry[str]) -> Finding | None:
    symlink, regular = entry.is_symlink(), entry.is_file(follow_symlinks=False)
    return file_problem(relative, entry.name, symlink=symlink, regular=regular)


def file_problem(relative: str, name: str, *, symlink: bool, regular: bool) -> Finding | None:
    """PC103 for a file under ports/ that cannot be an allocation, else None (also used
    for the files of a git commit, `check --base`)."""
    at = Location(relative)
    if is_temporary(name) and regular:
        return BAD_FILE.finding(
            at, "a temporary file of a portcheck write killed over an hour ago: delete it"
        )
    if symlink:
        return BAD_FILE.finding(at, "a symlink: an allocation must be a plain file")
    if not regular:
        return BAD_FILE.finding(at, "not a regular file")
    if not name.endswith(EXTENSION):
        return BAD_FILE.finding(
            at, f"{printable(name)} does not end in .yaml; only allocation files belong here"
        )
    if allocation_id(name) is None:
        return BAD_FILE.finding(
            at,
            f"{printable(name.removesuffix(EXTENSION))} is not a valid id "
            f"(lower-case letters, digits and single hyphens, at most {ID_MAX} characters)",
        )
    return None


def load_file(root: Path, relative: str, *, positions: bool = True) -> Document | Finding:
    """Read one file (at most 64 KiB, checked before parsing) and parse it."""
    data = read_allocation(root, relative)
    if isinstance(data, Finding):
        return data
    return parse_document(data, relative, positions=positions)


def read_allocation(root: Path, relative: str) -> bytes | Finding:
    """The bytes of one file, or the finding that it cannot be read or is over 64 KiB."""
    try:
        data = _read_at_most(os.path.join(root, relative), MAX_BYTES + 1)
    except OSError as error:
        return BAD_FILE.finding(Location(relative), f"cannot read: {error.strerror}")
    if len(data) > MAX_BYTES:
        return too_large(relative)
    return data


def _read_at_most(path: str, limit: int) -> bytes:
    """Up to ``limit`` bytes of a file in one read (as a file object's read(limit)
    does), through the bare system calls: this runs once per file of the register,
    and a file object costs a third of the read."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        return os.read(handle, limit)
    finally:
        os.close(handle)


def too_large(relative: str) -> Finding:
    """PC102: checked before parsing, on disk and in git alike."""
    return YAML_UNSAFE.finding(
        Location(relative), f"larger than {MAX_BYTES // 1024} KiB: an allocation is a few lines"
    )


def parse_document(data: bytes, path: str, *, positions: bool = True) -> Document | Finding:
    """Decode ``data`` as UTF-8 and parse it: the fast reader first, then the strict one.
    Without ``positions`` the commonest files are read by the lean reader, which
    records none (a file whose findings need them is read again with them)."""
    text = decode_text(data, path)
    return text if isinstance(text, Finding) else parse_text(text, path, positions=positions)


def parse_text(text: str, path: str, *, positions: bool = True) -> Document | Finding:
    """parse_document() of text already decoded (decode_text)."""
    document: Document | Finding | None = None if positions else parse_lean(text, path)
    if document is None:
        document = parse_fast(text, path)
    if document is None:
        # Imported here: ruamel.yaml costs start-up time a register of flat files never needs.
        from portcheck.load.strict import parse_strict

        document = parse_strict(text, path)
    if isinstance(document, Document):
        document.modeline = find_modeline(text)
    return document


def decode_text(data: bytes, path: str) -> str | Finding:
    """``data`` as the text both readers read, or the PC102 finding that it is not."""
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
    text = text.removeprefix("\ufeff")
    found = _BREAK_LIKE.search(text)
    if found is not None:
        return YAML_UNSAFE.finding(_text_location(text, found.start(), path), _break_like(found))
    return text


def _break_like(found: re.Match[str]) -> str:
    # YAML 1.1 (and ruamel.yaml) ends a line at these, YAML 1.2 does not: the two
    # readers, and other tools, would see different fields, so neither is trusted.
    name = unicodedata.name(found.group(), "NEXT LINE")
    return (
        f"U+{ord(found.group()):04X} {name}: YAML readers disagree on whether it ends "
        "a line; use a plain line break or remove it"
    )


def _text_location(text: str, offset: int, path: str) -> Location:
    return Location(path, *line_column(text, offset))


def _byte_location(data: bytes, offset: int, path: str) -> Location:
    return Location(path, *line_column(data, offset))
