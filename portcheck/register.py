"""The register: everything the checks look at, loaded once."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from portcheck.codeowners import Codeowners
from portcheck.document import Document
from portcheck.model import Allocation, Policy


@dataclasses.dataclass(frozen=True)
class Entry:
    """An allocation file that loaded and passed the schema stage."""

    path: str  # repo-relative POSIX path, e.g. "ports/payments/payments-api.yaml"
    id: str  # the file stem
    document: Document
    allocation: Allocation


@dataclasses.dataclass(frozen=True)
class Register:
    """The loaded register, the policy that judges it, and the date to judge it on."""

    root: Path
    policy: Policy
    entries: tuple[Entry, ...]
    #: Every allocation id on disk (valid file name), whether or not the file
    #: passed loading and schema: a broken target is not also a dangling
    #: dependency. Maps id -> repo-relative paths holding it.
    ids: dict[str, tuple[str, ...]]
    #: Paths that failed loading (PC100-PC103): they get no other finding.
    load_failed: frozenset[str]
    today: dt.date
    #: CODEOWNERS as GitHub reads it (PC500-PC502); None when not loaded.
    codeowners: Codeowners | None = None
