"""One file's outcome: judged with its document and model, judged in bulk without
positions, as the cache stores it, and recalled from what the cache stored."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple, cast

from portcheck.cache import blob_id, finding_verdict, verdict_findings
from portcheck.cache.store import Verdict
from portcheck.finding import Finding
from portcheck.load import decode_text, parse_document, parse_text, read_allocation
from portcheck.load.document import Document
from portcheck.load.modeline import find_modeline
from portcheck.model import Allocation
from portcheck.model.facts import Facts
from portcheck.model.recognize import recognise
from portcheck.model.validate import validate_allocation


class Accepted(NamedTuple):
    """A file that passed the schema stage: its facts, and its document and model when
    this process parsed it (register.Entry reads them again if a finding needs them)."""

    facts: Facts
    loaded: tuple[Document, Allocation] | None = None


Judged = Finding | list[Finding] | Accepted
#: An outcome and the blob id of the bytes it was judged on (None: not read).
Blobbed = tuple[Judged, str | None]


def judged_here(root: Path, relative: str) -> Blobbed:
    data = read_allocation(root, relative)
    return judge(data, relative), None if isinstance(data, Finding) else blob_id(data)


def judge(data: bytes | Finding, relative: str) -> Judged:
    """The outcome of one file, with its document and model."""
    loaded = data if isinstance(data, Finding) else parse_document(data, relative)
    if isinstance(loaded, Finding):
        return loaded
    validated = validate_allocation(loaded)
    if isinstance(validated, list):
        return validated
    return Accepted(Facts.of(validated, loaded.modeline), (loaded, validated))


def judged_in_bulk(
    data: bytes | Finding, relative: str, whole: bool = False
) -> tuple[Verdict | None, dict[str, object] | None]:
    """What judge() would store for one file, read once and without positions:
    recognised in one pass when it is a plainly valid file (model.recognize), else
    read by the lean reader; only a file with findings, whose findings need them, is
    read again. With ``whole``, an accepted file's data too (for its model)."""
    text = data if isinstance(data, Finding) else decode_text(data, relative)
    if isinstance(text, Finding):
        return as_verdict(text), None
    recognised = None if whole else recognise(text, find_modeline(text))
    if recognised is not None:
        return ("ok", recognised), None
    lean = parse_text(text, relative, positions=False)
    validated = lean if isinstance(lean, Finding) else validate_allocation(lean)
    if isinstance(validated, Allocation):
        assert isinstance(lean, Document)
        return ("ok", Facts.of(validated, lean.modeline)), lean.data if whole else None
    assert not isinstance(data, Finding)
    return as_verdict(judge(data, relative)), None


def as_verdict(judged: Judged) -> Verdict | None:
    """What the cache stores for ``judged``; None when it cannot be stored."""
    if isinstance(judged, Finding):
        stored = finding_verdict([judged])
        return None if stored is None else ("load", stored[1])
    if isinstance(judged, list):
        return finding_verdict(judged)
    return "ok", judged.facts


def recall(verdict: Verdict, relative: str) -> Judged | None:
    """What a stored verdict says about the file at ``relative``; None when the
    verdict does not hold up (a tampered cache is re-checked, not believed). Facts
    were checked as the cache was read (model.columns.FactReader)."""
    kind, value = verdict
    if kind == "ok":
        return Accepted(cast(Facts, value))
    found = verdict_findings(relative, value)
    if found is None or (kind == "load" and len(found) != 1):
        return None
    return found[0] if kind == "load" else found
