"""`check --cache-dir`: verdicts by path and git blob id, and never trusted when damaged.

The positive tests plant a verdict the file's bytes would never earn (a PC200
on a valid file) with a correct checksum: seeing it proves the cache was read
for that blob; not seeing it proves the cache was ignored.
"""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generate import generate
from portcheck import cache as cache_module
from portcheck.cache import CACHE_FILE, blob_id
from portcheck.cache.store import KEYS
from portcheck.engine import check_cache, check_register
from portcheck.model.columns import FactTable
from portcheck.model.packing import pack
from portcheck.register import build_register, read_policy

from .conftest import AS_OF, allocation, cache_parts, cli, commit_all, git, new_repo

PLANTED = ["PC200", 1, 1, "planted by the test"]


def checked(root: Path, cache: Path | None) -> list[tuple[str, int, int, str, str]]:
    result = check_register(root, as_of=AS_OF, cache_dir=cache)
    return [(f.path, f.line, f.column, f.code, f.message) for f in result.findings]


def repo_with_cache(tmp_path: Path) -> tuple[Path, Path]:
    root = new_repo(tmp_path / "repo", {"ports/a.yaml": allocation(port=8080)})
    cache = root / ".portcheck-cache"
    assert checked(root, cache) == []
    return root, cache


def parts(cache: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    return cache_parts(cache)


def rewrite(
    cache: Path,
    header_change: dict[str, object] | None = None,
    sections_change: dict[str, bytes] | None = None,
    *,
    seal: bool = True,
) -> None:
    """Edit the stored cache; ``seal`` recomputes the checksum line as portcheck writes it."""
    digest = (cache / CACHE_FILE).read_bytes().rpartition(b"\n")[2]
    header, sections = parts(cache)
    header.update(header_change or {})
    sections.update(sections_change or {})
    header["sections"] = [[name, len(data)] for name, data in sections.items()]
    body = b"".join(sections.values()) + b"\n" + json.dumps(header).encode()
    tail = hashlib.sha256(body).hexdigest().encode() if seal else digest
    (cache / CACHE_FILE).write_bytes(body + b"\n" + tail)


def u32(*numbers: int) -> bytes:
    return struct.pack(f"<{len(numbers)}I", *numbers)


def u16(*numbers: int) -> bytes:
    return struct.pack(f"<{len(numbers)}H", *numbers)


NOTHING_ACCEPTED = {KEYS: b"", **pack(FactTable.of([]))}


def plant(root: Path, cache: Path, *, seal: bool = True, **change: object) -> None:
    blob = blob_id((root / "ports/a.yaml").read_bytes())
    refused = {"ports/a.yaml": [blob, "bad", [PLANTED]]}
    rewrite(cache, {"rows": 0, "refused": refused, **change}, NOTHING_ACCEPTED, seal=seal)


PLANTED_FINDING = [("ports/a.yaml", 1, 1, "PC200", "planted by the test")]


def test_a_verdict_is_found_by_the_blob_id_of_a_tracked_file(tmp_path: Path) -> None:
    root, cache = repo_with_cache(tmp_path)
    assert (cache / ".gitignore").read_text() == "*\n"
    assert git(root, "status", "--porcelain") == ""  # the cache ignores itself
    plant(root, cache)
    assert checked(root, cache) == PLANTED_FINDING
    assert checked(root, None) == []  # without --cache-dir the file is read


def test_a_modified_file_is_hashed_as_git_would(tmp_path: Path) -> None:
    root, cache = repo_with_cache(tmp_path)
    (root / "ports/a.yaml").write_text(allocation(port=8081), encoding="utf-8")
    blob = git(root, "hash-object", "ports/a.yaml").strip()
    assert blob_id((root / "ports/a.yaml").read_bytes()) == blob
    plant(root, cache)
    assert checked(root, cache) == PLANTED_FINDING


def test_a_file_git_is_told_to_assume_unchanged_is_hashed(tmp_path: Path) -> None:
    root, cache = repo_with_cache(tmp_path)  # holds "ok" for the committed blob
    (root / "ports/a.yaml").write_text(allocation(port='"x"'), encoding="utf-8")
    git(root, "update-index", "--assume-unchanged", "ports/a.yaml")
    assert [row[3] for row in checked(root, cache)] == ["PC200"]


def test_a_damaged_cache_is_absent(tmp_path: Path) -> None:
    root, cache = repo_with_cache(tmp_path)
    plant(root, cache, seal=False)  # changed without its checksum: tampered
    assert checked(root, cache) == []


def test_a_truncated_cache_is_absent(tmp_path: Path) -> None:
    root, cache = repo_with_cache(tmp_path)
    plant(root, cache)
    data = (cache / CACHE_FILE).read_bytes()
    (cache / CACHE_FILE).write_bytes(data[: len(data) // 2])
    assert checked(root, cache) == []
    (cache / CACHE_FILE).write_bytes(b"\xff\x00 not a cache")
    assert checked(root, cache) == []


def test_a_cache_of_another_version_or_policy_is_absent(tmp_path: Path) -> None:
    root, cache = repo_with_cache(tmp_path)
    stamp = parts(cache)[0]["stamp"]
    plant(root, cache, stamp=[stamp[0], "0.0.0-other", stamp[2]])
    assert checked(root, cache) == []
    plant(root, cache)
    policy = root / "schema/policy.yaml"
    policy.write_text(policy.read_text() + "# changed\n", encoding="utf-8")
    assert checked(root, cache) == []


def test_a_tracked_cache_is_never_read(tmp_path: Path) -> None:
    root, cache = repo_with_cache(tmp_path)
    plant(root, cache)
    git(root, "add", "-f", ".portcheck-cache")
    commit_all(root, "a pull request ships its own verdicts")
    assert checked(root, cache) == []
    before = (cache / CACHE_FILE).read_bytes()
    checked(root, cache)
    assert (cache / CACHE_FILE).read_bytes() == before  # nor rewritten


def test_facts_the_schema_stage_would_refuse_are_judged_again(tmp_path: Path) -> None:
    """Sealed but tampered with: a finding planted on b.yaml shows whether the cache
    was believed; facts no file could have (on a.yaml) make none of it believed."""
    files = {"ports/a.yaml": allocation(port=8080), "ports/b.yaml": allocation(port=8081)}
    root = new_repo(tmp_path / "repo", files)
    cache = root / ".portcheck-cache"
    assert checked(root, cache) == []
    header, sections = parts(cache)
    tables = json.loads(sections["tables"])
    allocated = struct.unpack("<2I", sections["allocated"])[0]
    blob = blob_id((root / "ports/b.yaml").read_bytes())
    planted = [("ports/b.yaml", 1, 1, "PC200", "planted by the test")]

    def first(name: str, value: int) -> dict[str, bytes]:
        return {name: u32(value) + sections[name][4:]}

    def short(**change: object) -> dict[str, bytes]:
        return {"tables": json.dumps({**tables, **change}).encode()}

    cases: tuple[tuple[dict[str, object], dict[str, bytes]], ...] = (
        ({}, {}),  # untampered: the planted finding is believed
        ({}, first("span", 7)),  # no such table row
        ({}, first("allocated", 0)),
        ({}, first("owner", 5)),
        ({}, first("review_by", allocated - 1)),  # before allocated
        ({}, {"status": sections["status"][:4]}),  # one row short
        ({}, {"span": sections["span"] + b"\0"}),  # not a whole number of rows
        ({}, {"span.start": u16(0, 8081), "span.end": u16(8080, 8081)}),
        ({}, {"span.start": u16(8080, 8081), "span.end": u16(8079, 8081)}),
        ({}, {"span.start": u16(8080)}),  # a start without an end
        ({}, {"ids": b"x", "depends_on.length": u32(2), "depends_on.item": u32(0, 0)}),
        ({}, {"ids": b"Bad", "depends_on.length": u32(1), "depends_on.item": u32(0)}),
        ({}, {"ids": b"x", "depends_on.length": u32(1), "depends_on.item": u32(1)}),
        ({}, {"ids": b"x", "depends_on.length": u32(2), "depends_on.item": u32(0)}),
        ({}, short(scopes=[["global", "global"]])),
        ({}, short(protocols=[["http"]])),
        ({}, short(owner=["acme"])),
        ({}, short(modeline=[[0, 1, "x"]])),
        ({}, short(status=["retired"])),  # without retired_on
        ({}, {"tables": b"{not json"}),
        ({"rows": 3}, {}),
        ({"refused": []}, {}),
        ({"apart": 1}, {}),
    )
    for header_change, change in cases:
        rewrite(cache, header | {"refused": {"ports/b.yaml": [blob, "bad", [PLANTED]]}}, sections)
        rewrite(cache, header_change, change)
        assert checked(root, cache) == ([] if change or header_change else planted), change


def test_warm_runs_match_cold_runs_on_every_dirty_kind(tmp_path: Path) -> None:
    generate(tmp_path, files=200, seed=9, dirty=28)
    git(tmp_path, "init", "-q", "-b", "main")
    commit_all(tmp_path, "register")
    cold = checked(tmp_path, None)
    cache = tmp_path / "cache"
    assert checked(tmp_path, cache) == cold  # fills the cache
    assert checked(tmp_path, cache) == cold  # reads it
    assert len({row[3] for row in cold}) >= 13


def test_the_cli_keeps_its_cache_under_the_root_by_default(tmp_path: Path) -> None:
    root = new_repo(tmp_path / "repo", {"ports/a.yaml": allocation(port=8080)})
    assert cli("check", "--root", str(root), "--as-of", AS_OF.isoformat())[0] == 0
    assert (root / ".portcheck-cache" / CACHE_FILE).is_file()
    other = tmp_path / "elsewhere"
    code, _, _ = cli("check", "--root", str(root), "--cache-dir", str(other))
    assert code == 0
    assert (other / CACHE_FILE).is_file()


def test_a_recalled_file_keeps_its_modeline(tmp_path: Path) -> None:
    """PC104 looks at the modeline: a verdict without it would hide the finding."""
    moved = "# yaml-language-server: $schema=../schema/allocation.schema.json\n"
    root = new_repo(tmp_path / "repo", {"ports/team/a.yaml": moved + allocation(port=8080)})
    cache = root / ".portcheck-cache"
    cold = checked(root, None)
    assert [row[:4] for row in cold] == [("ports/team/a.yaml", 1, 33, "PC104")]
    assert checked(root, cache) == cold  # fills the cache
    assert checked(root, cache) == cold  # reads it


def test_a_recalled_file_has_its_facts_and_reads_its_model_again(tmp_path: Path) -> None:
    root, cache = repo_with_cache(tmp_path)
    register, _ = build_register(
        root, read_policy(root, None), AS_OF, check_cache(root, None, cache)
    )
    (entry,) = register.entries
    assert (entry.facts.span, entry.facts.owner) == ((8080, 8080), "@acme/team")
    assert entry.allocation.description  # read from the file, only now
    assert entry.document.locate(("port",)).line > 0


def test_a_large_cache_is_written_beside_the_checks_and_whole_when_the_run_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From BACKGROUND_FROM verdicts a forked child writes the cache; the run waits for
    it: the same bytes as written in this process, read back by the next run."""
    generate(tmp_path, files=120, seed=9, dirty=14)
    git(tmp_path, "init", "-q", "-b", "main")
    commit_all(tmp_path, "register")
    cold = checked(tmp_path, tmp_path / "here")
    monkeypatch.setattr(cache_module, "BACKGROUND_FROM", 1)
    assert checked(tmp_path, tmp_path / "beside") == cold
    written = [(tmp_path / name / CACHE_FILE).read_bytes() for name in ("here", "beside")]
    assert written[0] == written[1]
    assert parts(tmp_path / "beside")[0]["rows"] >= 120
    assert checked(tmp_path, tmp_path / "beside") == cold
