"""`portcheck codeowners`: CODEOWNERS as the approval step (README, same title)."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import posixpath
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from portcheck.cli.options import PolicyOption, RootOption, resolve_root
from portcheck.errors import UsageError
from portcheck.finding import escape_controls, line_column

STARTER = """\
# Code owners: GitHub requests a review from the owners of the last matching line.
# The platform team owns everything by default, and must own the files that decide
# the rules (CODEOWNERS, .github/, schema/, portcheck/): portcheck reports PC502 otherwise.
* {platform}
"""


def codeowners_command(
    paths: Annotated[
        list[str] | None,
        typer.Argument(metavar="[PATH]...", help="With --who: repository paths to look up."),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 and print the diff if the block is stale.")
    ] = False,
    write: Annotated[
        bool, typer.Option("--write", help="Rewrite the block in CODEOWNERS (atomically).")
    ] = False,
    who: Annotated[
        bool, typer.Option("--who", help="Print who GitHub would ask to review each PATH.")
    ] = False,
    root: RootOption = None,
    policy: PolicyOption = None,
) -> None:
    """Keep the CODEOWNERS block for ports/ in sync with the `owner` fields, or ask who owns a path.

    The block sits between `# BEGIN portcheck` and `# END portcheck` (appended at the
    end when absent); no line outside it is ever changed. Without an option, the
    block is printed.

    \b
    Examples:
      portcheck codeowners --check      # exit 1 and show the diff when the block is stale
      portcheck codeowners --write      # rewrite the block
      portcheck codeowners --who ports/payments/payments-api.yaml schema/policy.yaml
    """
    if sum((check, write, who)) > 1:
        raise UsageError("--check, --write and --who exclude each other")
    if bool(paths) != who:
        raise UsageError("--who needs one or more PATHs" if who else "PATHs go with --who")
    top = resolve_root(root)
    if who:
        _who(top, paths or [])
        return
    if write:
        from portcheck.actions.lock import register_lock

        with register_lock(top):
            _write(top, *_updated(top, policy))
        return
    target, current, updated = _updated(top, policy)
    if check:
        raise typer.Exit(_check(target, current, updated))
    from portcheck.codeowners.block import find_block

    lines = updated.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    span = find_block(lines)
    assert span is not None  # splice() always leaves one block
    sys.stdout.write("".join(line + "\n" for line in lines[span[0] : span[1] + 1]))


def _updated(root: Path, policy: Path | None) -> tuple[str, str | None, str]:
    """CODEOWNERS' path, its text (None when absent) and its text with an up-to-date block."""
    from portcheck.codeowners.block import BlockError, block_rules, splice
    from portcheck.codeowners.source import LOCATIONS
    from portcheck.register import build_register, read_policy

    loaded = read_policy(root, policy)
    register, _ = build_register(root, loaded, dt.date.today())
    codeowners = register.codeowners
    assert codeowners is not None  # build_register loads it
    target = codeowners.path or "../" * codeowners.prefix.count("/") + LOCATIONS[0]
    if codeowners.unread:
        reason = codeowners.problems[0].message
        raise UsageError(f"{target}: {reason}; fix that before portcheck updates it")
    current = _read(root, target) if codeowners.path else None
    # Patterns are from the git top level: a register in infra/portreg owns /infra/portreg/ports/.
    prefix = codeowners.prefix
    owners = {prefix + entry.path: entry.allocation.owner for entry in register.entries}
    rules = block_rules(owners, folder=prefix + "ports")
    try:
        updated = splice(current or STARTER.format(platform=loaded.platform), rules)
    except BlockError as error:
        raise UsageError(f"{target}:{error.line}: {error.message}") from None
    return target, current, updated


def _read(root: Path, target: str) -> str:
    try:
        data = (root / target).read_bytes()
    except OSError as error:
        raise UsageError(f"{target}: {error.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = line_column(data, error.start)
        raise UsageError(
            f"{target}:{line}:{column}: not UTF-8; portcheck leaves it alone"
        ) from None


def _check(target: str, current: str | None, updated: str) -> int:
    if current == updated:
        print(f"{target}: the portcheck block is up to date", file=sys.stderr)
        return 0
    diff = difflib.unified_diff(
        _lines(current or ""),
        _lines(updated),
        fromfile=f"a/{target}" if current is not None else "/dev/null",
        tofile=f"b/{target}",
    )
    sys.stdout.writelines(escape_controls(line.rstrip("\n")) + "\n" for line in diff)
    print(f"{target}: out of date; run `portcheck codeowners --write`", file=sys.stderr)
    return 1


def _lines(text: str) -> list[str]:
    # Lines end at LF only, as git and GitHub read them (not at \v, \f or U+2028).
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _write(root: Path, target: str, current: str | None, updated: str) -> None:
    if current == updated:
        print(f"{target}: the portcheck block is up to date", file=sys.stderr)
        return
    _store(root, target, current, updated)
    print(f"{target}: {'updated' if current is not None else 'created'}", file=sys.stderr)


def _who(root: Path, paths: Sequence[str]) -> None:
    from portcheck.codeowners import load_codeowners

    codeowners = load_codeowners(root)
    source = codeowners.path
    if source is None:
        print("portcheck: no CODEOWNERS in .github/, the root or docs/", file=sys.stderr)
    elif codeowners.unread:
        why = codeowners.problems[0].message
        print(f"portcheck: {source}: {why}: GitHub reads no rule from it", file=sys.stderr)
    # In a larger repository the register's paths are matched, and shown, from the git
    # top level, where GitHub reads CODEOWNERS (README, Monorepos).
    top = codeowners.prefix
    source = posixpath.normpath(top + source) if source is not None and top else source
    for path in [top + repo_path(root, raw) for raw in paths]:
        decided = codeowners.ruleset.owners_of(path)
        shown = escape_controls(path)
        if decided is None:
            print(f"{shown}: unowned (no CODEOWNERS line matches)")
            continue
        owners = " ".join(decided.owners) or "unowned"
        print(f"{shown}: {owners} ({source}:{decided.line}: {escape_controls(decided.source)})")


def repo_path(root: Path, raw: str) -> str:
    """``raw`` as a repository path (POSIX, relative to ``root``); absolute paths must be inside."""
    given = Path(raw)
    if given.is_absolute():
        try:
            raw = given.relative_to(root).as_posix()
        except ValueError:
            raise typer.BadParameter(f"{raw} is outside the root {root}") from None
    path = posixpath.normpath(raw.replace(os.sep, "/")).lstrip("/")
    if path in {"", "."} or path == ".." or path.startswith("../"):
        raise typer.BadParameter(f"{raw!r} is not a path inside the repository", param_hint="PATH")
    return path


def _store(root: Path, target: str, current: str | None, updated: str) -> None:
    """Write CODEOWNERS: never through a symlinked folder, never over a file that appeared
    or changed since it was read (README, Taking turns)."""
    from portcheck.actions import atomic
    from portcheck.codeowners.source import symlinked_folder

    link = symlinked_folder(root, target)
    if link is not None:
        raise UsageError(
            f"{target}: {link}/ is a symlink: GitHub does not follow it; nothing is written there"
        )
    path = root / target
    try:
        if current is None:  # created exclusively: a file that appeared meanwhile stays
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic.create_exclusive(path, updated)
        else:
            atomic.replace(path, updated, expected=current.encode("utf-8"))
    except atomic.ChangedUnderneath:
        raise UsageError(f"{target}: changed while portcheck updated it; run again") from None
    except FileExistsError:
        raise UsageError(
            f"{target}: something is there already; portcheck overwrites only what it read"
        ) from None
    except OSError as error:
        raise UsageError(f"{target}: cannot write it ({error.strerror})") from None


def write_block(root: Path, policy: Path | None) -> str | None:
    """Bring the portcheck block up to date, as `codeowners --write` does, without a word;
    CODEOWNERS' path when it changed."""
    target, current, updated = _updated(root, policy)
    if current == updated:
        return None
    _store(root, target, current, updated)
    return target
