"""The hook under the real pre-commit (PyPI): it judges the commit, not the working tree.

A temporary hook repository holds this checkout's tracked files (committed as
they are now); pre-commit installs portcheck from it into its own environment
(`language: python`, offline from the local path) once per module.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .conftest import GIT_ENV, allocation, cli, console_script, git, new_repo

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, str]]:
    """(the hook repository, its commit, the environment that shares one PRE_COMMIT_HOME)."""
    hook_repo = tmp_path_factory.mktemp("hook-repo")
    tracked = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, tracked):
        source = REPO / os.fsdecode(name)
        if source.is_file():
            target = hook_repo / os.fsdecode(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    git(hook_repo, "init", "-q", "-b", "main")
    git(hook_repo, "add", "-A")
    git(hook_repo, "commit", "-q", "-m", "hooks")
    env = {**GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home"))}
    return hook_repo, git(hook_repo, "rev-parse", "HEAD").strip(), env


def pre_commit(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [console_script("pre-commit"), *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=300,
    )


def configured(tmp_path: Path, hooks: tuple[Path, str, dict[str, str]]) -> Path:
    hook_repo, rev, _ = hooks
    repo = new_repo(
        tmp_path / "register",
        {
            "ports/a.yaml": allocation(service="a"),
            "ports/b.yaml": allocation(service="b", port=8081, depends_on="[a]"),
            ".pre-commit-config.yaml": (
                f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n"
                "    hooks:\n      - id: portcheck\n"
            ),
        },
    )
    return repo


def test_an_untracked_colliding_file_does_not_block_an_unrelated_commit(
    tmp_path: Path, hooks: tuple[Path, str, dict[str, str]]
) -> None:
    repo = configured(tmp_path, hooks)
    env = hooks[2]
    (repo / "ports" / "c.yaml").write_text(allocation(service="c"), encoding="utf-8")
    (repo / "NOTES.md").write_text("unrelated\n", encoding="utf-8")
    git(repo, "add", "NOTES.md")
    done = pre_commit(repo, env, "run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "portcheck" in done.stdout
    assert "Passed" in done.stdout

    git(repo, "add", "ports/c.yaml")
    done = pre_commit(repo, env, "run")
    assert done.returncode == 1
    assert "ports/c.yaml:2:7: PC400 port-collision" in done.stdout


def test_a_commit_that_only_deletes_an_allocation_is_judged(
    tmp_path: Path, hooks: tuple[Path, str, dict[str, str]]
) -> None:
    repo = configured(tmp_path, hooks)
    git(repo, "rm", "-q", "ports/a.yaml")
    done = pre_commit(repo, hooks[2], "run")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "ports/b.yaml" in done.stdout
    assert "PC402 dangling-dependency" in done.stdout


def test_try_repo_runs_the_hook_from_a_local_checkout(
    tmp_path: Path, hooks: tuple[Path, str, dict[str, str]]
) -> None:
    hook_repo, _, env = hooks
    repo = configured(tmp_path, hooks)
    (repo / "ports" / "c.yaml").write_text(allocation(service="c"), encoding="utf-8")
    git(repo, "add", "ports/c.yaml")
    done = pre_commit(repo, env, "try-repo", str(hook_repo), "portcheck")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "PC400 port-collision" in done.stdout


def test_staged_reads_the_index_not_the_working_tree(tmp_path: Path) -> None:
    """The same judgement in-process, without pre-commit: quick, and exact."""
    repo = new_repo(tmp_path / "r", {"ports/a.yaml": allocation(service="a")})
    (repo / "ports" / "c.yaml").write_text(allocation(service="c"), encoding="utf-8")
    env = {**GIT_ENV}
    run = [console_script(), "check", "--staged", "--as-of", "2026-11-27", "--format", "json"]
    done = subprocess.run(run, cwd=repo, capture_output=True, text=True, check=False, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    git(repo, "add", "ports/c.yaml")
    (repo / "ports" / "c.yaml").unlink()  # staged, then removed from the working tree
    done = subprocess.run(run, cwd=repo, capture_output=True, text=True, check=False, env=env)
    assert done.returncode == 1
    assert '"path": "ports/c.yaml"' in done.stdout


def test_staged_outside_git_or_with_base_is_a_usage_error(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    (root / "ports").mkdir(parents=True)
    code, _, err = cli("check", "--staged", "--root", str(root))
    assert code == 2
    assert err == f"portcheck: error: --staged: {root} is not inside a git repository\n"
    repo = new_repo(tmp_path / "r", {"ports/a.yaml": allocation(service="a")})
    code, _, err = cli("check", "--staged", "--base", "main", "--root", str(repo))
    assert code == 2
    assert err == "portcheck: error: --staged and --base cannot be combined\n"
