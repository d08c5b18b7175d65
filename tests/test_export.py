"""portcheck export: every format, and export -> import round trips."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from portcheck.register import build_register, read_policy
from tests.conftest import AS_OF, allocation, cli, run, write_register

FILES = {
    "ports/web.yaml": allocation(service="web", port=8080, description='"Web # front door"'),
    "ports/dns.yaml": allocation(
        service="dns", port=5353, protocol="[tcp, udp]", contact="dns@acme.example"
    ),
    "ports/x11.yaml": allocation(service="x11", port='"6000-6063"', description="X displays"),
    "ports/evil.yaml": allocation(
        service="evil", port=7000, description='"<script>document.title=1</script> =cmd"'
    ),
}


def _allocations(root: Path) -> set[tuple[object, ...]]:
    register, broken = build_register(root, read_policy(root, None), AS_OF)
    assert broken == []
    return {
        (a.service, str(a.span), a.protocols, a.description)
        for a in (entry.allocation for entry in register.entries)
    }


def _round_trip(tmp_path: Path, format: str, files: dict[str, str]) -> None:
    source = write_register(tmp_path / "a", files)
    code, exported, err = cli("export", "--format", format, "--root", str(source))
    assert code == 0, err
    (tmp_path / "export").write_text(exported, encoding="utf-8")
    target = write_register(tmp_path / "b", {})
    code, _, err = cli(
        "import", format, str(tmp_path / "export"), "--owner", "@acme/team", "--root", str(target)
    )
    assert code == 0, err
    assert _allocations(target) == _allocations(source)
    assert run(target) == []


def test_services_round_trip(tmp_path: Path) -> None:
    _round_trip(tmp_path, "services", FILES)


def test_csv_round_trip(tmp_path: Path) -> None:
    source = write_register(tmp_path / "a", {k: v for k, v in FILES.items() if "evil" not in k})
    code, exported, _ = cli("export", "--format", "csv", "--root", str(source))
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(exported, newline="")))
    assert [(r["Service Name"], r["Port Number"], r["Transport Protocol"]) for r in rows] == [
        ("dns", "5353", "tcp"),
        ("dns", "5353", "udp"),
        ("x11", "6000-6063", "tcp"),
        ("web", "8080", "tcp"),
    ]
    assert rows[0]["Contact"] == "dns@acme.example"
    # evil's "=cmd" description is neutralised for spreadsheets, so it does not round-trip
    _round_trip(tmp_path / "rt", "csv", {k: v for k, v in FILES.items() if "evil" not in k})


def test_json_is_versioned_with_stable_keys(tmp_path: Path) -> None:
    root = write_register(tmp_path, FILES)
    code, out, _ = cli("export", "--format", "json", "--root", str(root))
    document = json.loads(out)
    assert code == 0
    assert document["version"] == 1
    dns = document["allocations"][0]
    assert list(dns) == [
        "id", "path", "service", "port", "protocol", "scope", "owner", "contact",
        "description", "status", "allocated", "review_by", "expires", "retired_on",
        "depends_on", "links",
    ]  # fmt: skip
    assert (dns["port"], dns["protocol"], dns["scope"]) == ("5353", ["tcp", "udp"], ["global"])


def test_markdown_escapes_values(tmp_path: Path) -> None:
    root = write_register(tmp_path, FILES)
    code, out, _ = cli("export", "--format", "markdown", "--root", str(root))
    assert code == 0
    assert "<script>" not in out
    assert out.splitlines()[2].startswith("| dns | 5353 | tcp+udp | global |")


def test_output_file_is_written(tmp_path: Path) -> None:
    root = write_register(tmp_path, FILES)
    code, out, _ = cli(
        "export", "--format", "html", "--output", str(tmp_path / "map.html"), "--root", str(root)
    )
    assert (code, out) == (0, "")
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert "<script>document" not in page
    assert "\\u003cscript\\u003edocument.title=1" in page
    assert "http://" not in page
    assert "https://" not in page
