"""`portcheck claim --pr` against a real repository, a local bare remote and a fake `gh`.

The fake gh on PATH records its arguments and the body it reads, answers
`auth status` and `pr create` as told by the environment, and prints a URL.
Every failure must be one line on stderr and leave the work tree as it was.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.conftest import GIT_ENV, cli, git, new_repo

URL = "https://github.com/acme/ports/pull/7"
FAKE_GH = """\
#!/bin/sh
echo "$*" >> "$FAKE_GH_LOG"
if [ "$1 $2" = "auth status" ]; then exit "${FAKE_GH_AUTH:-0}"; fi
if [ "$1 $2" = "pr create" ]; then
  cat > "$FAKE_GH_BODY"
  if [ "${FAKE_GH_PR:-0}" != 0 ]; then echo "could not create: label not found" >&2; exit 1; fi
  echo "Creating pull request for claim/search-api into main"
  echo "$FAKE_GH_URL"
fi
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A register on main with a bare remote as origin, and a fake gh on PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(FAKE_GH, encoding="utf-8")
    gh.chmod(gh.stat().st_mode | stat.S_IEXEC)
    for key in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(key, GIT_ENV[key])
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_GH_LOG", str(tmp_path / "gh.log"))
    monkeypatch.setenv("FAKE_GH_BODY", str(tmp_path / "gh-body.md"))
    monkeypatch.setenv("FAKE_GH_URL", URL)
    root = new_repo(tmp_path / "repo", {"ports/.gitkeep": ""})
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(root, "remote", "add", "origin", str(remote))
    git(root, "push", "-q", "origin", "main")
    return root


def claim_pr(root: Path, *extra: str) -> tuple[int, str, str]:
    return cli(
        "claim", "search-api", "--protocol", "tcp", "--owner", "@acme/search",
        "--description", "Search API", "--as-of", "2026-11-27", "--root", str(root), "--pr",
        *extra,
    )  # fmt: skip


def state(root: Path) -> tuple[str, str, str, list[str]]:
    """What a failed --pr must leave untouched: branch, branches, status, files."""
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if ".git" not in p.parts)
    return (
        git(root, "rev-parse", "--abbrev-ref", "HEAD"),
        git(root, "branch", "--list"),
        git(root, "status", "--porcelain", "--untracked-files=all"),
        files,
    )


def test_claim_pr_pushes_a_branch_and_opens_the_pull_request(repo: Path, tmp_path: Path) -> None:
    code, out, _ = claim_pr(repo)
    assert (code, out) == (0, f"ports/search-api.yaml 1024\n{URL}\n")
    remote = str(tmp_path / "remote.git")
    shown = git(repo, "--git-dir", remote, "show", "--stat", "claim/search-api")
    assert "feat(ports): claim tcp/1024 for search-api" in shown
    assert ".github/CODEOWNERS" in shown
    assert "ports/search-api.yaml" in shown
    log = (tmp_path / "gh.log").read_text(encoding="utf-8").splitlines()
    assert log == [
        "auth status",
        "pr create --head claim/search-api --base main "
        "--title feat(ports): claim tcp/1024 for search-api --label port-request --body-file -",
    ]
    body = (tmp_path / "gh-body.md").read_text(encoding="utf-8")
    assert "| port | 1024 |" in body
    assert "| owner | @acme/search |" in body
    assert "`portcheck check` on this branch: no findings." in body
    assert git(repo, "status", "--porcelain") == ""


def test_claim_pr_body_escapes_table_breakers(repo: Path, tmp_path: Path) -> None:
    code, _, _ = claim_pr(repo, "--contact", "a|b `x` <script>")
    assert code == 0
    body = (tmp_path / "gh-body.md").read_text(encoding="utf-8")
    assert "| contact | a\\|b \\`x\\` &lt;script&gt; |" in body


def dirty(root: Path) -> None:
    (root / "notes.txt").write_text("work in progress\n", encoding="utf-8")


def branch_exists(root: Path) -> None:
    git(root, "branch", "claim/search-api")


def no_gh(root: Path) -> None:
    os.environ["PATH"] = os.pathsep.join(
        part for part in os.environ["PATH"].split(os.pathsep) if not (Path(part) / "gh").exists()
    )


def push_rejected(root: Path) -> None:
    hook = Path(git(root, "remote", "get-url", "origin").strip()) / "hooks/pre-receive"
    hook.write_text("#!/bin/sh\necho 'protected branch' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)


@pytest.mark.parametrize(
    ("setup", "env", "message"),
    [
        pytest.param(no_gh, {}, "--pr needs the GitHub CLI `gh` on PATH", id="no-gh"),
        pytest.param(None, {"FAKE_GH_AUTH": "1"}, "gh is not logged in", id="not-authenticated"),
        pytest.param(dirty, {}, "the work tree has uncommitted changes", id="dirty-tree"),
        pytest.param(branch_exists, {}, "a branch claim/search-api exists already", id="branch"),
        pytest.param(push_rejected, {}, "git push was rejected", id="push-rejected"),
        pytest.param(None, {"FAKE_GH_PR": "1"}, "gh pr create failed", id="pr-create-fails"),
    ],
)  # fmt: skip
def test_claim_pr_failure_leaves_the_work_tree_as_it_was(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    setup: object,
    env: dict[str, str],
    message: str,
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    if callable(setup):
        setup(repo)
    before = state(repo)
    code, out, err = claim_pr(repo)
    assert (code, out, len(err.splitlines())) == (1, "", 1), err
    assert err.startswith(f"portcheck: error: {message}"), err
    assert state(repo) == before
