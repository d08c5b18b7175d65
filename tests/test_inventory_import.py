"""portcheck import on real inventories (../shared/corpora) and on each format's traps."""

from __future__ import annotations

import collections
import os
import pty
import subprocess
from pathlib import Path

import pytest

from portcheck.actions.importing import Importer
from portcheck.inventory import Listener, Skip
from portcheck.inventory.detect import READERS, detect
from portcheck.inventory.table import read_table
from portcheck.register import build_register, read_policy
from tests.conftest import (
    AS_OF,
    allocation,
    cli,
    console_script,
    require_corpus,
    run,
    write_register,
)

OWNER = "@acme/team"


def _plan(root: Path, items: list[Listener | Skip]):  # type: ignore[no-untyped-def]
    register, broken = build_register(root, read_policy(root, None), AS_OF)
    assert broken == []
    return Importer(register, OWNER, ["global"], "ports").plan(items)


def _write_and_check(root: Path, plan) -> None:  # type: ignore[no-untyped-def]
    # The plan's texts written plainly (the IANA set is thousands of files and
    # the exclusive writer fsyncs each); the CLI tests below use the real writer.
    for planned in plan.files:
        (root / planned.path).write_text(planned.text, encoding="utf-8")
    assert run(root) == []


def test_iana_csv_every_row_imported_or_explained(tmp_path: Path) -> None:
    csv = require_corpus("iana") / "service-names-port-numbers.csv"
    root = write_register(tmp_path, {})
    items = list(read_table(csv.read_text(encoding="utf-8"), "iana.csv"))
    plan = _plan(root, items)
    assert len(plan.files) == 5309
    assert plan.counts() == {
        "no service name": 1692,
        "no port": 1039,
        "outside policy": 915,
        "no protocol": 16,
        "collision": 13,
        "protocol not in policy": 9,
    }
    _write_and_check(root, plan)


def test_netbase_services_through_the_cli(tmp_path: Path) -> None:
    services = require_corpus("netbase") / "services"
    root = write_register(tmp_path, {})
    code, out, err = cli("import", "services", str(services), "--owner", OWNER, "--root", str(root))
    assert code == 0, err
    assert len(out.splitlines()) == 151
    assert "imported 151, skipped 119 (115 outside policy, 4 protocol not in policy)" in err
    assert "protocol not in policy: rtmp ddp/1: ddp" in err
    assert (root / "ports/http-alt.yaml").read_text().startswith("# yaml-language-server")
    assert run(root) == []


def _manifest_items(kind: str) -> list[Listener | Skip]:
    folder = require_corpus("manifests")
    items: list[Listener | Skip] = []
    for path in sorted(folder.rglob("*.y*ml")):
        text = path.read_text(encoding="utf-8")
        if detect(text) == kind:
            items += READERS[kind](text, path.relative_to(folder).as_posix())
    return items


def test_every_manifest_imports_or_is_skipped_with_a_reason(tmp_path: Path) -> None:
    root = write_register(tmp_path, {})
    k8s = _plan(root, _manifest_items("k8s"))
    templates = [s.source for s in k8s.skips if s.reason == "unrendered template"]
    assert len(templates) == 14
    assert all("helm-chart/templates/" in s or s.endswith("shimservice.yaml") for s in templates)
    assert k8s.counts() == {
        "collision": 120,
        "outside policy": 32,
        "unrendered template": 14,
        "not YAML": 3,  # openshift-origin's files repeat a mapping key
    }
    assert len(k8s.files) == 77
    _write_and_check(root, k8s)


def test_compose_manifests(tmp_path: Path) -> None:
    root = write_register(tmp_path, {})
    plan = _plan(root, _manifest_items("compose"))
    assert (len(plan.files), plan.counts()) == (25, {"collision": 8, "outside policy": 15})
    _write_and_check(root, plan)


def test_compose_port_syntax() -> None:
    gotchas = require_corpus("hostile") / "files/compose_ports_gotchas.yaml"
    items = list(READERS["compose"](gotchas.read_text(encoding="utf-8"), "c.yaml"))
    found = [
        (i.source, i.start, i.end, i.protocol) if isinstance(i, Listener) else (i.source, i.reason)
        for i in items
    ]
    assert found == [
        ("c.yaml:5", 22, 22, "tcp"),  # - 22:22 is not the base-60 integer 1342
        ("c.yaml:6", 53, 53, "udp"),
        ("c.yaml:7", 8080, 8080, "tcp"),
        ("c.yaml:8", 8443, 8443, "tcp"),
        ("c.yaml:9", 9090, 9090, "tcp"),
        ("c.yaml:10", 9000, 9005, "tcp"),
        ("c.yaml:11", "no published port"),
        ("c.yaml:12", "unresolved variable"),
        ("c.yaml:13", 8082, 8082, "udp"),
        ("c.yaml:20", 8080, 8080, "tcp"),
    ]


K8S = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: web}
  spec:
    ports:
    - {port: 8080, targetPort: http, nodePort: 30080}
    - {port: 8125, targetPort: 9125, protocol: UDP}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny}
spec:
  ingress:
  - ports: [{port: 7777}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: web
        ports: [{containerPort: 8080}, {containerPort: 9100, hostPort: 9100}]
"""


def test_k8s_services_workloads_lists_and_network_policies() -> None:
    found = [
        (i.source, i.start, i.protocol, i.service)
        for i in READERS["k8s"](K8S, "k.yaml")
        if isinstance(i, Listener)
    ]
    assert found == [
        ("k.yaml:9", 8080, "tcp", "web"),
        ("k.yaml:9", 30080, "tcp", "web"),  # the named targetPort is not a number
        ("k.yaml:10", 8125, "udp", "web"),
        ("k.yaml:10", 9125, "udp", "web"),
        ("k.yaml:27", 8080, "tcp", "web"),
        ("k.yaml:27", 9100, "tcp", "web"),
        ("k.yaml:27", 9100, "tcp", "web"),
    ]  # NetworkPolicy port 7777 is not a listener


def test_csv_quirks_bom_semicolons_multiline_ranges_and_columns(tmp_path: Path) -> None:
    text = (
        "\ufeffName;Port #;Proto;Notes\r\n"
        'web;8080;tcp;"two\r\nlines"\r\n'
        "x11;6000-6063;tcp;X\r\n"
        ";9000;tcp;no name\r\n"
        "dns;;udp;no port\r\n"
    )
    source = tmp_path / "sheet.csv"
    source.write_bytes(text.encode("utf-8"))
    root = write_register(tmp_path / "reg", {})
    code, out, err = cli(
        "import", "csv", str(source), "--owner", OWNER, "--root", str(root),
        "--column", "port=Port #", "--column", "description=Notes",
    )  # fmt: skip
    assert code == 0, err
    assert out.splitlines() == ["ports/web.yaml tcp/8080", "ports/x11.yaml tcp/6000-6063"]
    assert f"skipped {source}:5: no service name" in err
    assert f"skipped {source}:6: no port" in err
    assert "description: two lines" in (root / "ports/web.yaml").read_text()
    assert run(root) == []


def test_import_never_overwrites_and_ids_stay_unique(tmp_path: Path) -> None:
    root = write_register(tmp_path, {"ports/web.yaml": allocation(service="web", port=7000)})
    source = tmp_path / "services"
    source.write_text("web 7001/tcp # second web\nweb 7000/tcp\n", encoding="utf-8")
    code, out, err = cli("import", "services", str(source), "--owner", OWNER, "--root", str(root))
    assert code == 0, err
    assert out.splitlines() == ["ports/web-7001.yaml tcp/7001"]
    assert "collision: tcp/7000 is taken by ports/web.yaml" in err
    assert run(root) == []


def test_unknown_column_is_a_usage_error(tmp_path: Path) -> None:
    source = tmp_path / "s.csv"
    source.write_text("a,b\n1,2\n", encoding="utf-8")
    root = write_register(tmp_path / "reg", {})
    code, _, err = cli("import", "csv", str(source), "--owner", OWNER, "--root", str(root))
    assert code == 2
    assert err.splitlines() == [
        f"portcheck: error: {source}: no port column; name it with --column port=HEADER"
    ]


def test_counts_per_reason_add_up() -> None:
    items = list(READERS["services"]("a 1/tcp\nb x/tcp\nc\n", "s"))
    assert collections.Counter(type(i).__name__ for i in items) == {"Listener": 1, "Skip": 2}


def _many_services(tmp_path: Path, count: int = 60) -> Path:
    source = tmp_path / "services"
    source.write_text("".join(f"svc{n} {2000 + n}/tcp\n" for n in range(count)), "utf-8")
    return source


def _import_subprocess(root: Path, source: Path, stderr: int, ci: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    command = [console_script(), "import", "services", str(source), "--owner", OWNER]
    done = subprocess.run(
        [*command, "--root", str(root)], stdout=subprocess.PIPE, stderr=stderr, env=env, check=True
    )
    return done.stdout.decode()


def test_progress_bar_only_on_a_terminal_outside_ci(tmp_path: Path) -> None:
    source = _many_services(tmp_path)
    piped = write_register(tmp_path / "piped", {})
    with (tmp_path / "err").open("wb") as err:
        _import_subprocess(piped, source, err.fileno(), ci=None)
    assert "\r" not in (tmp_path / "err").read_text()
    for ci, shown in ((None, True), ("true", False)):
        root = write_register(tmp_path / f"tty-{ci}", {})
        leader, follower = pty.openpty()
        try:
            _import_subprocess(root, source, follower, ci)
            os.close(follower)
            seen = _drain(leader)
        finally:
            os.close(leader)
        assert ("\r[" in seen and "60/60" in seen) is shown


def _drain(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO once the terminal's other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode()


def test_scope_dry_run_and_the_owners_folder(tmp_path: Path) -> None:
    root = write_register(
        tmp_path, {"ports/team/a.yaml": allocation(service="a", port=3000, scope="prod")}
    )
    source = tmp_path / "services"
    source.write_text("web 3000/tcp\nweb 3000/udp\n", encoding="utf-8")
    args = ("import", "services", str(source), "--owner", OWNER, "--root", str(root))
    code, out, err = cli(*args, "--scope", "prod/eu", "--dry-run")
    assert (code, out) == (0, "")  # 3000/tcp in prod/eu collides with a's 3000 in prod
    assert "would import 0, skipped 1 (1 collision)" in err
    code, out, err = cli(*args, "--scope", "staging")
    assert (code, out) == (0, "ports/team/web.yaml tcp+udp/3000\n"), err
    text = (root / "ports/team/web.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schema/allocation.schema.json")
    assert "scope: staging\n" in text
    assert run(root) == []


@pytest.mark.parametrize(
    ("options", "exit_code", "message"),
    [
        (("--owner", "acme"), 2, "--owner 'acme' is not @user or @org/team"),
        (("--owner", OWNER, "--scope", "mars"), 1, "scope 'mars' is not in the policy's scopes"),
        (("--owner", OWNER, "--into", "elsewhere"), 2, "--into elsewhere: must be ports/ or a"),
        (("--owner", OWNER, "--into", "ports/../x"), 2, "--into ports/../x: must be ports/"),
    ],
)
def test_bad_options(
    tmp_path: Path, options: tuple[str, ...], exit_code: int, message: str
) -> None:
    root = write_register(tmp_path, {})
    source = _many_services(tmp_path, 1)
    code, _, err = cli("import", "services", str(source), *options, "--root", str(root))
    assert code == exit_code
    assert err.startswith(f"portcheck: error: {message}")
    assert list((root / "ports").iterdir()) == []
