"""A warm check (portcheck.ledger): each check narrowed to the rows it could report on.

The end-to-end promise (warm findings equal cold ones, whatever changed) is held
by tests/test_warm_differential.py; here each narrowing is held to the rows the
full run actually reports, the cache's rewriting policy, and git's listing in
the background.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from pathlib import Path

import pytest

from benchmarks.generate import generate
from portcheck import cache as cache_module
from portcheck.cache import CACHE_FILE
from portcheck.checks import CHECKS, Check
from portcheck.engine import check_cache, check_register
from portcheck.ledger import Ledger, build_ledger, subset
from portcheck.load.background import GitAnswer
from portcheck.register import Register, build_register, read_policy

from .conftest import AS_OF, cache_parts, commit_all, git

DAYS = (AS_OF.replace(year=2025), AS_OF, AS_OF.replace(year=2028))


def warm_ledger(root: Path, cache: Path, *, fill: bool = True) -> tuple[Register, Ledger]:
    if fill:
        check_register(root, as_of=AS_OF, cache_dir=cache)
    opened = check_cache(root, None, cache)
    try:
        register, ledger, _ = build_ledger(root, read_policy(root, None), AS_OF, opened)
    finally:
        opened.close()
    return register, ledger


def name(check: Check) -> str:
    """``lifecycle`` for portcheck.checks.lifecycle."""
    return str(getattr(check, "__name__", "")).rpartition(".")[2]


@pytest.fixture(scope="module")
def dirty_register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dirty")
    generate(root, files=300, seed=5, dirty=40)
    accepted = build_register(root, read_policy(root, None), AS_OF)[0].entries
    moved = root / accepted[7].path  # a modeline one folder off: PC104
    moved.write_text(moved.read_text().replace("$schema=../../", "$schema=../", 1))
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "register")
    return root


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("check", CHECKS, ids=name)
def test_each_check_finds_on_its_candidates_what_it_finds_on_every_file(
    dirty_register: Path, tmp_path: Path, check: Check, day: dt.date
) -> None:
    """The same findings from the rows candidates() names as from the whole register,
    on a register that breaks every rule, judged on days before, on and after the
    one its dates were written for."""
    register, ledger = warm_ledger(dirty_register, tmp_path / "cache")
    register = dataclasses.replace(register, today=day)
    full, _ = build_register(dirty_register, register.policy, day)
    rows = check.candidates(register, ledger)
    assert sorted(check.check(subset(register, ledger, rows))) == sorted(check.check(full))
    narrowing = ("policy_ranges", "lifecycle", "dependencies", "modelines")
    if day == AS_OF and name(check) in narrowing:
        assert rows is not None
        assert len(rows) < len(ledger) / 2  # narrowed


def test_the_dirty_register_gives_each_check_something_to_report(dirty_register: Path) -> None:
    """Without findings the superset test above could not fail."""
    policy = read_policy(dirty_register, None)
    fulls = [build_register(dirty_register, policy, day)[0] for day in DAYS]
    assert all(any(list(check.check(full)) for full in fulls) for check in CHECKS)


def test_a_register_without_collisions_has_no_collision_candidates(tmp_path: Path) -> None:
    generate(tmp_path, files=200, seed=3)
    git(tmp_path, "init", "-q", "-b", "main")
    commit_all(tmp_path, "register")
    register, ledger = warm_ledger(tmp_path, tmp_path / "cache")
    by_name = {name(check): check for check in CHECKS}
    assert by_name["collisions"].candidates(register, ledger) == []
    assert by_name["ownership"].candidates(register, ledger) == []


def test_a_small_change_to_a_large_register_leaves_the_cache_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below REWRITE_PERCENT re-judged files the cache is not rewritten (the next run
    judges them again, in less time than writing every row would take); above it,
    it is. Either way the findings are those of a run without a cache."""
    generate(tmp_path, files=300, seed=4)
    git(tmp_path, "init", "-q", "-b", "main")
    commit_all(tmp_path, "register")
    monkeypatch.setattr(cache_module, "BACKGROUND_FROM", 100)
    cache = tmp_path / "cache"
    check_register(tmp_path, as_of=AS_OF, cache_dir=cache)
    before = (cache / CACHE_FILE).read_bytes()
    files = sorted((tmp_path / "ports").rglob("*.yaml"))
    files[0].write_text(files[0].read_text() + "unknown_field: 1\n")
    warm = check_register(tmp_path, as_of=AS_OF, cache_dir=cache).findings
    assert [finding.code for finding in warm] == ["PC201"]
    assert warm == check_register(tmp_path, as_of=AS_OF).findings
    assert (cache / CACHE_FILE).read_bytes() == before  # 1 of 300: not worth a rewrite
    for path in files[1:4]:
        path.write_text(path.read_text().replace("description: ", "description: x ", 1))
    check_register(tmp_path, as_of=AS_OF, cache_dir=cache)
    assert (cache / CACHE_FILE).read_bytes() != before  # 4 of 300: rewritten


def test_git_lists_a_large_index_before_it_is_asked(tmp_path: Path) -> None:
    """Git writes its listing to a file, not a pipe that would hold it at 64 KiB until
    read: it lists while the register is walked."""
    for number in range(3000):
        (tmp_path / f"allocation-file-with-a-long-name-{number:05d}.yaml").write_text("")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    answer = GitAnswer(tmp_path, "ls-files", "-s", "-z")
    process = answer._process
    assert process is not None
    deadline = time.monotonic() + 30
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert process.returncode == 0  # finished on its own, 200 KB in
    listed = answer.output()
    assert listed is not None
    assert listed.count(b"\0") == 3000


def cache_header(cache: Path) -> dict[str, object]:
    return cache_parts(cache)[0]


def test_a_change_meeting_a_stored_claim_is_swept_when_the_stored_rows_are_apart(
    tmp_path: Path,
) -> None:
    """The cache says its rows cannot collide; then only claims meeting a changed
    file's span are swept, and a change onto a stored file's port is still found."""
    generate(tmp_path, files=300, seed=6)
    git(tmp_path, "init", "-q", "-b", "main")
    commit_all(tmp_path, "register")
    cache = tmp_path / "cache"
    assert check_register(tmp_path, as_of=AS_OF, cache_dir=cache).findings == []
    assert cache_header(cache)["apart"] is True
    files = sorted((tmp_path / "ports").rglob("*.yaml"))
    target, changed = files[10], files[200]
    changed.write_text(target.read_text())  # the same claim as a file left alone
    register, ledger = warm_ledger(tmp_path, cache, fill=False)
    assert ledger.fresh is not None
    assert [ledger.paths[row] for row in ledger.fresh] == [changed.relative_to(tmp_path).as_posix()]
    by_name = {name(check): check for check in CHECKS}
    assert by_name["collisions"].candidates(register, ledger) is None  # swept
    warm = check_register(tmp_path, as_of=AS_OF, cache_dir=cache).findings
    assert warm == check_register(tmp_path, as_of=AS_OF).findings
    collided = {finding.path for finding in warm if finding.code == "PC400"}
    assert collided == {path.relative_to(tmp_path).as_posix() for path in (target, changed)}


def test_a_cache_whose_rows_collide_says_they_are_not_apart(
    dirty_register: Path, tmp_path: Path
) -> None:
    _, ledger = warm_ledger(dirty_register, tmp_path / "cache")
    assert cache_header(tmp_path / "cache")["apart"] is False
    assert ledger.fresh is None


def test_a_warm_run_skips_the_files_git_ignores_as_a_cold_run_does(tmp_path: Path) -> None:
    """With a cache, git is asked only about the files its index does not vouch for
    (CheckCache.ignored_among): an ignored folder, a swap file and a file a negated
    pattern keeps are judged as a cold run judges them, and a tracked file a pattern
    matches is still checked."""
    generate(tmp_path, files=60, seed=8)
    (tmp_path / ".gitignore").write_text(
        "ports/scratch/\n*.swp\n*-draft.yaml\n!ports/keep-draft.yaml\n"
    )
    git(tmp_path, "init", "-q", "-b", "main")
    tracked = tmp_path / "ports/tracked-draft.yaml"
    tracked.write_text("not: [an allocation\n")  # PC101, whatever .gitignore says
    git(tmp_path, "add", "-f", "ports/tracked-draft.yaml")
    commit_all(tmp_path, "register")
    cache = tmp_path / "cache"
    check_register(tmp_path, as_of=AS_OF, cache_dir=cache)  # fills the cache
    (tmp_path / "ports/scratch").mkdir()
    (tmp_path / "ports/scratch/a.yaml").write_text("broken: [\n")
    (tmp_path / "ports/.a.yaml.swp").write_text("swap")
    (tmp_path / "ports/other-draft.yaml").write_text("broken: [\n")
    (tmp_path / "ports/keep-draft.yaml").write_text("broken: [\n")
    warm = check_register(tmp_path, as_of=AS_OF, cache_dir=cache)
    cold = check_register(tmp_path, as_of=AS_OF)
    assert warm.findings == cold.findings
    assert warm.checked == cold.checked
    assert {f.path for f in cold.findings} == {"ports/keep-draft.yaml", "ports/tracked-draft.yaml"}
