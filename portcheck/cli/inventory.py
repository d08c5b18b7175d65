"""import, drift, export: bring an existing inventory in, compare it, and publish the register."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from portcheck.cli.options import (
    DryRunOption,
    PolicyOption,
    RootOption,
    ScopeOption,
    load,
    resolve_root,
)
from portcheck.errors import Refused, UsageError

if TYPE_CHECKING:
    from portcheck.actions.importing import Planned


class ImportFormat(StrEnum):
    services = "services"
    csv = "csv"
    k8s = "k8s"
    compose = "compose"


class SourceKind(StrEnum):
    services = "services"
    k8s = "k8s"
    compose = "compose"
    sockets = "sockets"


class DriftFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    services = "services"
    markdown = "markdown"
    html = "html"


FilesArgument = Annotated[
    list[Path], typer.Argument(metavar="FILE...", exists=True, dir_okay=False, readable=True)
]


def import_command(
    format: Annotated[
        ImportFormat, typer.Argument(metavar="FORMAT", help="services, csv, k8s or compose.")
    ],
    files: FilesArgument,
    owner: Annotated[str, typer.Option("--owner", metavar="O", help="@user or @org/team.")],
    scope: ScopeOption = None,
    into: Annotated[
        str | None, typer.Option("--into", metavar="DIR", help="Folder under ports/ for the files.")
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option("--column", metavar="FIELD=HEADER", help="csv: the column of a field."),
    ] = None,
    dry_run: DryRunOption = False,
    root: RootOption = None,
    policy: PolicyOption = None,
) -> None:
    """Import allocations from /etc/services, a CSV, Kubernetes or compose files.

    Whatever cannot become a valid allocation (a collision, a port outside policy,
    a row without a port, an unrendered template) is skipped with a reason.

    \b
    Examples:
      portcheck import services /etc/services --owner @acme/platform --into ports/legacy
      portcheck import csv ports.csv --owner @acme/ops --column port="Port #"
      portcheck import k8s deploy/*.yaml --owner @acme/web --scope prod --dry-run
    """
    from portcheck.actions import importing
    from portcheck.actions.lock import register_lock
    from portcheck.inventory.sources import parse_columns, read_sources

    # Read, decide and write under the register's lock, as claim does (README, Taking turns).
    with register_lock(resolve_root(root), sweep=not dry_run):
        register, broken = load(root, policy, None)
        if broken:
            raise Refused(f"{broken[0].path} does not load; fix it first (portcheck check)")
        folder = importing.check_folder(into or importing.default_folder(register, owner))
        items = read_sources(files, format.value, parse_columns(column or []))
        importer = importing.Importer(register, owner, scope or ["global"], folder)
        plan = importer.plan(items)
        if not dry_run:
            progress = _progress(len(plan.files))
            plan.files, failed = importing.write_all(register.root, plan.files, progress)
            plan.skips += failed
    for skip in plan.skips:
        print(f"skipped {skip.source}: {skip.reason}: {skip.detail}", file=sys.stderr)
    for planned in plan.files:
        print(f"{planned.path} {'+'.join(planned.protocols)}/{_port(planned)}")
    summary = ", ".join(f"{n} {reason}" for reason, n in sorted(plan.counts().items()))
    verb = "would import" if dry_run else "imported"
    summary = f" ({summary})" if summary else ""
    print(f"{verb} {len(plan.files)}, skipped {len(plan.skips)}{summary}", file=sys.stderr)
    if not dry_run and plan.files:
        print("next: portcheck codeowners --write, then portcheck check", file=sys.stderr)


def drift(
    sources: FilesArgument,
    kind: Annotated[
        SourceKind | None,
        typer.Option(
            "--from",
            metavar="KIND",
            help="services, k8s, compose or sockets (default: from content).",
        ),
    ] = None,
    format: Annotated[
        DriftFormat, typer.Option("--format", help="Output format.")
    ] = DriftFormat.text,
    root: RootOption = None,
    policy: PolicyOption = None,
) -> None:
    """Compare what manifests or saved `ss -ltnup`/`netstat -lntup` output use with the register.

    Three lists: in use but unregistered, in use by another service than the
    registered one, registered but used by nothing given. Exit 1 when either of
    the first two is not empty.

    \b
    Examples:
      portcheck drift k8s/*.yaml compose.yaml
      ss -ltnup > host.txt && portcheck drift host.txt --format markdown
    """
    from portcheck.actions.drift import compare
    from portcheck.inventory import Listener, Skip
    from portcheck.inventory.sources import read_sources
    from portcheck.report import drift as report

    register, _ = load(root, policy, None)
    listeners: list[Listener] = []
    for item in read_sources(sources, kind.value if kind else None):
        if isinstance(item, Skip):
            print(f"skipped {item.source}: {item.reason}: {item.detail}", file=sys.stderr)
        else:
            listeners.append(item)
    result = compare(register, listeners)
    render = {
        "text": report.render_text,
        "json": report.render_json,
        "markdown": report.render_markdown,
    }
    sys.stdout.write(render[format.value](result))
    raise typer.Exit(1 if result.failed else 0)


def export(
    format: Annotated[
        ExportFormat, typer.Option("--format", help="csv, json, services, markdown or html.")
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", metavar="FILE", dir_okay=False, help="Write here (default stdout)."
        ),
    ] = None,
    root: RootOption = None,
    policy: PolicyOption = None,
) -> None:
    """Export the register as CSV (IANA columns), JSON, /etc/services lines, markdown or HTML.

    \b
    Examples:
      portcheck export --format csv > ports.csv
      portcheck export --format html --output site/index.html
    """
    from portcheck.actions.atomic import replace
    from portcheck.report import export as exporting
    from portcheck.report.html_map import export_html

    register, broken = load(root, policy, None)
    if broken:
        print(
            f"portcheck: warning: {len(broken)} files do not load and are left out", file=sys.stderr
        )
    render = {
        "csv": exporting.export_csv,
        "json": exporting.export_json,
        "services": exporting.export_services,
        "markdown": exporting.export_markdown,
        "html": export_html,
    }
    text = render[format.value](register)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        replace(output, text)
    except OSError as error:
        raise UsageError(f"{output}: cannot write: {error.strerror}") from None


def _port(planned: Planned) -> str:
    listener = planned.listener
    return (
        str(listener.start)
        if listener.start == listener.end
        else f"{listener.start}-{listener.end}"
    )


def _progress(total: int) -> Callable[[int], None] | None:
    """A progress callback on stderr when it is a terminal and not CI (README, "Output")."""
    if total < 50 or not sys.stderr.isatty() or os.environ.get("CI"):
        return None

    def show(done: int) -> None:
        width = 30
        filled = width * done // total
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}{end}")

    return show
