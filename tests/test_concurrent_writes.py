"""Writes that never lose or duplicate: real processes racing for one register."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from portcheck.actions.lock import lock_path, register_lock
from portcheck.errors import Refused
from tests.conftest import (
    allocation,
    cli,
    console_script,
    git,
    located,
    new_repo,
    run,
    write_register,
)

CLAIMS = 10


def start(root: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PORTCHECK_LOCK_TIMEOUT": "300"}
    return subprocess.Popen(
        [console_script(), *args, "--root", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def finish(processes: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    results = []
    for process in processes:
        out, err = process.communicate(timeout=600)
        results.append((process.returncode, out, err))
    return results


def test_concurrent_claims_get_distinct_ports(tmp_path: Path) -> None:
    root = new_repo(tmp_path, {})
    claims = [
        start(root, "claim", f"svc-{i}", "--protocol", "tcp", "--owner", "@acme/team",
              "--description", "Racing claim", "--as-of", "2026-11-27")
        for i in range(CLAIMS)
    ]  # fmt: skip
    results = finish(claims)
    assert [code for code, _, _ in results] == [0] * CLAIMS, results
    ports = {out.split()[1] for _, out, _ in results}
    assert len(ports) == CLAIMS
    assert run(root) == []


def test_concurrent_renew_and_retire_keep_both_edits(tmp_path: Path) -> None:
    root = new_repo(tmp_path, {"ports/svc.yaml": allocation()})
    for attempt in range(5):
        day = f"2027-0{attempt + 1}-01"
        racers = [
            start(root, "renew", "svc", "--until", day),
            start(root, "retire", "svc"),
        ]
        assert [code for code, _, _ in finish(racers)] == [0, 0]
        text = (root / "ports/svc.yaml").read_text(encoding="utf-8")
        assert f"review_by: {day}\n" in text
        assert "status: retired\n" in text
        git(root, "checkout", "-q", "--", "ports/svc.yaml")


def test_a_file_changed_underneath_is_refused_not_overwritten(tmp_path: Path) -> None:
    from portcheck.actions.atomic import ChangedUnderneath, replace

    target = tmp_path / "svc.yaml"
    target.write_text("old\n", encoding="utf-8")
    expected = target.read_bytes()
    target.write_text("someone else's edit\n", encoding="utf-8")
    with pytest.raises(ChangedUnderneath):
        replace(target, "mine\n", expected=expected)
    assert target.read_text(encoding="utf-8") == "someone else's edit\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["svc.yaml"]


LOCKED_COMMANDS = [
    ["claim", "new", "--protocol", "tcp", "--owner", "@acme/team", "--description", "d"],
    ["renew", "svc"],
    ["retire", "svc"],
    ["reclaim"],
    ["codeowners", "--write"],
]


def test_the_lock_is_waited_for_and_then_refused(tmp_path: Path) -> None:
    root = new_repo(tmp_path, {"ports/svc.yaml": allocation()})
    (root / ".github/CODEOWNERS").write_text("* @acme/platform\n", encoding="utf-8")
    assert lock_path(root) == root / ".git" / "portcheck.lock"
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git/" not in str(p)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(root)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        refused = pytest.raises(Refused, match="another portcheck command held the register lock")
        with refused, register_lock(root, timeout=0.2):
            pass
        env = {**os.environ, "PORTCHECK_LOCK_TIMEOUT": "0.2"}
        for command in LOCKED_COMMANDS:
            done = subprocess.run(
                [console_script(), *command, "--root", str(root)],
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
            assert (done.returncode, done.stdout) == (1, ""), command
            assert done.stderr.count("\n") == 1, command
            assert "held the register lock" in done.stderr
    finally:
        holder.kill()
        holder.communicate()
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git/" not in str(p)}
    assert after == before
    # The holder died by SIGKILL: the system dropped its lock.
    with register_lock(root, timeout=5):
        pass


def test_a_linked_worktree_shares_the_lock_of_its_repository(tmp_path: Path) -> None:
    root = new_repo(tmp_path / "main", {})
    git(root, "worktree", "add", "-q", str(tmp_path / "linked"), "-b", "linked")
    assert lock_path(tmp_path / "linked") == (root / ".git" / "portcheck.lock").resolve()


def test_claims_outside_git_take_turns_on_the_root_folder(tmp_path: Path) -> None:
    root = write_register(tmp_path, {})
    assert lock_path(root) == root
    claims = [
        start(root, "claim", f"svc-{i}", "--protocol", "tcp", "--owner", "@acme/team",
              "--description", "Racing claim", "--as-of", "2026-11-27")
        for i in range(4)
    ]  # fmt: skip
    results = finish(claims)
    assert [code for code, _, _ in results] == [0] * 4, results
    assert len({out.split()[1] for _, out, _ in results}) == 4
    assert sorted(p.name for p in root.iterdir()) == [".github", "ports", "schema"]


HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from portcheck.actions.lock import register_lock
    with register_lock(Path(sys.argv[1])):
        print("held", flush=True)
        time.sleep(60)
    """
)

# Writes the temporary file exactly as claim does, then waits to be killed before
# the rename.
KILLED_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from portcheck.actions import atomic
    atomic._write_temporary(Path(sys.argv[1]), "service: half\\n")
    print("written", flush=True)
    time.sleep(60)
    """
)


def test_a_writer_killed_before_rename_leaves_nothing_visible(tmp_path: Path) -> None:
    root = new_repo(tmp_path, {"ports/svc.yaml": allocation()})
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(root / "ports/new.yaml")],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    assert writer.stdout.readline() == "written\n"
    os.kill(writer.pid, signal.SIGKILL)
    writer.communicate()
    leftovers = [p.name for p in (root / "ports").iterdir() if p.name != "svc.yaml"]
    assert len(leftovers) == 1
    assert leftovers[0].startswith(".new.yaml.")
    assert run(root) == []
    code, out, _ = cli("claim", "other", "--protocol", "tcp", "--owner", "@acme/team",
                       "--description", "After a crash", "--root", str(root))  # fmt: skip
    assert code == 0, out
    assert sorted(p.name for p in (root / "ports").iterdir()) == ["other.yaml", "svc.yaml"]


def test_an_old_leftover_is_reported_once(tmp_path: Path) -> None:
    root = new_repo(tmp_path, {"ports/svc.yaml": allocation()})
    leftover = root / "ports/.svc.yaml.0123abcd.portcheck-tmp"
    leftover.write_text("half", encoding="utf-8")
    os.utime(leftover, (0, 0))
    assert located(run(root)) == [("ports/.svc.yaml.0123abcd.portcheck-tmp", 1, 1, "PC103")]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_new_files_get_the_umask_mode_and_replaced_ones_keep_theirs(tmp_path: Path) -> None:
    root = new_repo(tmp_path, {"ports/svc.yaml": allocation()})
    (root / ".github/CODEOWNERS").unlink()
    (root / "ports/svc.yaml").chmod(0o640)
    old = os.umask(0o022)
    try:
        claimed = cli("claim", "new", "--protocol", "tcp", "--owner", "@acme/team",
                      "--description", "Moded", "--root", str(root))  # fmt: skip
        written = cli("codeowners", "--write", "--root", str(root))
        renewed = cli("renew", "svc", "--root", str(root))
    finally:
        os.umask(old)
    assert [claimed[0], written[0], renewed[0]] == [0, 0, 0]
    assert (root / "ports/new.yaml").stat().st_mode & 0o777 == 0o644
    assert (root / ".github/CODEOWNERS").stat().st_mode & 0o777 == 0o644
    assert (root / "ports/svc.yaml").stat().st_mode & 0o777 == 0o640
