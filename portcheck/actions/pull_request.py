"""`claim --pr`: branch, commit, push and open the pull request with `gh`.

Every step that can fail is checked before anything changes (gh present and
logged in, a clean work tree, no branch of that name); a later failure (a
rejected push, gh refusing) puts the work tree back as it was: the original
branch checked out, the new branch and files gone.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from portcheck.errors import Refused
from portcheck.finding import escape_controls

LABEL = "port-request"


@dataclasses.dataclass(frozen=True)
class PullRequest:
    branch: str
    title: str  # also the commit message's subject


def describe(document: Mapping[str, object], verdict: str) -> str:
    """The pull request's body: the allocation as a table and what `portcheck check` said."""
    rows = [f"| {key} | {_cell(value)} |" for key, value in document.items()]
    table = "\n".join(["| field | value |", "|---|---|", *rows])
    return (
        f"Port request opened by `portcheck claim --pr`.\n\n{table}\n\n"
        f"`portcheck check` on this branch: {verdict}\n\n"
        "The code owners' review is the approval.\n"
    )


def _cell(value: object) -> str:
    shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    escaped = shown.replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")
    return escape_controls(escaped.replace("<", "&lt;").replace(">", "&gt;"))


def _run(root: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            args, cwd=root, input=stdin, capture_output=True, text=True, check=False
        )
    except OSError as error:
        raise Refused(f"{args[0]}: cannot run it ({error.strerror})") from None


def _git(root: Path, *args: str) -> str:
    done = _run(root, "git", *args)
    if done.returncode != 0:
        raise Refused(f"git {args[0]} failed: {_first_line(done)}")
    return done.stdout.strip()


def _first_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = (done.stderr or done.stdout).strip().splitlines()
    return lines[0] if lines else f"exit code {done.returncode}"


def preflight(root: Path, branch: str) -> str:
    """Refused unless gh is installed and logged in, the tree is clean and ``branch`` is new;
    the branch (or commit) checked out now."""
    if shutil.which("gh") is None:
        raise Refused("--pr needs the GitHub CLI `gh` on PATH (https://cli.github.com)")
    if _run(root, "gh", "auth", "status").returncode != 0:
        raise Refused("gh is not logged in: run `gh auth login` (or set GH_TOKEN)")
    if _git(root, "status", "--porcelain", "--untracked-files=all"):
        raise Refused("the work tree has uncommitted changes; commit or stash them first")
    if (
        _run(root, "git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}").returncode
        == 0
    ):
        raise Refused(f"a branch {branch} exists already; delete it or claim with another --id")
    return _git(root, "rev-parse", "--abbrev-ref", "HEAD")


@contextlib.contextmanager
def restored_on_failure(root: Path, start: str, branch: str, created: Path) -> Iterator[None]:
    """Put the work tree back on ``start`` (``created`` and ``branch`` gone) if the body fails."""
    try:
        yield
    except BaseException:
        # A tracked file of that name comes back with the reset: only ours goes.
        created.unlink(missing_ok=True)
        _run(root, "git", "reset", "-q", "--hard")
        _run(root, "git", "checkout", "-q", start)
        _run(root, "git", "branch", "-q", "-D", branch)
        raise


def open_pull_request(
    root: Path,
    request: PullRequest,
    created: Path,
    write: Callable[[], Sequence[Path]],
    body: Callable[[], str],
) -> str:
    """Branch, run ``write`` (which returns every file it changed), commit, push, open the
    pull request described by ``body()``; its URL."""
    start = preflight(root, request.branch)
    base = start if start != "HEAD" else "main"
    with restored_on_failure(root, start, request.branch, created):
        _git(root, "checkout", "-q", "-b", request.branch)
        changed = write()
        _git(root, "add", "--", *(str(path) for path in changed))
        description = body()
        _git(root, "commit", "-q", "-m", request.title)
        pushed = _run(root, "git", "push", "-q", "-u", "origin", request.branch)
        if pushed.returncode != 0:
            raise Refused(f"git push was rejected: {_first_line(pushed)}")
        created_pr = _run(
            root, "gh", "pr", "create", "--head", request.branch, "--base", base,
            "--title", request.title, "--label", LABEL, "--body-file", "-",
            stdin=description,
        )  # fmt: skip
        if created_pr.returncode != 0:
            raise Refused(f"gh pr create failed: {_first_line(created_pr)}")
    lines = created_pr.stdout.strip().splitlines()
    return lines[-1] if lines else ""
