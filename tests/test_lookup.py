"""show, who, list: the read side, on a register written to tmp_path."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import allocation, cli, write_register

FILES = {
    "ports/payments/ledger-db.yaml": allocation(
        service="ledger-db", port=5433, scope="[prod/eu, prod/us]", owner='"@acme/payments"'
    ),
    "ports/payments/payments-api.yaml": allocation(
        service="payments-api", port=8443, scope="prod", owner='"@acme/payments"',
        depends_on="[ledger-db]", contact="pay@acme.example", review_by="2026-12-01",
    ),
    "ports/team/dns.yaml": allocation(service="dns", port=5353, protocol="udp", scope="prod/eu"),
    "ports/team/old.yaml": allocation(
        service="old", port=8443, scope="staging", status="retired", retired_on="2026-10-01"
    ),
    "ports/team/report.yaml": allocation(
        service="report", port=9000, depends_on="[payments-api]", description='"=HYPERLINK(1)"'
    ),
}  # fmt: skip


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_register(tmp_path, FILES)


def lookup(root: Path, *args: str) -> tuple[int, str, str]:
    return cli(*args, "--root", str(root))


def test_show_prints_fields_owners_dependents_and_dues(root: Path) -> None:
    code, out, _ = lookup(root, "show", "payments-api", "--as-of", "2026-11-27")
    assert code == 0
    assert out == (
        "path         ports/payments/payments-api.yaml\n"
        "service      payments-api\n"
        "ports        tcp/8443 in prod\n"
        "owner        @acme/payments\n"
        "code owners  @acme/team @acme/payments (.github/CODEOWNERS:2)\n"
        "contact      pay@acme.example\n"
        "description  A service\n"
        "status       active\n"
        "allocated    2026-03-14\n"
        "review due   2026-12-01 (in 4 days)\n"
        "depends on   ledger-db\n"
        "dependents   report\n"
    )


def test_show_says_when_a_date_has_passed(root: Path) -> None:
    code, out, _ = lookup(root, "show", "old", "--as-of", "2027-01-01")
    assert code == 0
    assert "reclaimable  2026-12-30 (passed)\n" in out
    assert "review due" not in out


def test_show_unknown_id_is_refused(root: Path) -> None:
    assert lookup(root, "show", "nope") == (
        1, "", "portcheck: error: no allocation has the id 'nope'\n"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            ["5433"],
            "5433: ledger-db tcp/5433 in prod/eu, prod/us @acme/payments active "
            "ports/payments/ledger-db.yaml\n",
            id="held-in-two-scopes",
        ),
        pytest.param(["5433", "--scope", "staging"], "tcp/5433 is free in staging\n"
                     "udp/5433 is free in staging\nsctp/5433 is free in staging\n",
                     id="free-in-a-sibling-scope"),
        pytest.param(
            ["8443", "--scope", "staging"],
            "8443: old tcp/8443 in staging @acme/team retired ports/team/old.yaml "
            "(quarantined until 2026-12-30: portcheck reclaim)\n",
            id="retired-holder-quarantined",
        ),
        pytest.param(["5353", "--protocol", "tcp"], "tcp/5353 is free in global\n", id="protocol"),
        pytest.param(
            ["80", "--protocol", "udp"],
            "udp/80 is held by nobody in global, but udp/80 is reserved "
            "(0-1023: system ports, RFC 6335): PC301 reserved-range\n",
            id="free-but-reserved",
        ),
    ],
)  # fmt: skip
def test_who(root: Path, args: list[str], expected: str) -> None:
    assert lookup(root, "who", *args, "--as-of", "2026-11-27") == (0, expected, "")


@pytest.mark.parametrize(
    ("args", "code"),
    [(["70000"], 2), (["x"], 2), (["80", "--protocol", "icmp"], 2), (["80", "--scope", "mars"], 1)],
)
def test_who_refuses_bad_input(root: Path, args: list[str], code: int) -> None:
    got, out, err = lookup(root, "who", *args)
    assert (got, out, len(err.splitlines())) == (code, "", 1)


def ids(out: str) -> list[str]:
    return [line.split()[0] for line in out.splitlines()]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param([], ["dns", "ledger-db", "old", "payments-api", "report"], id="all"),
        pytest.param(["--owner", "@ACME/Payments"], ["ledger-db", "payments-api"], id="owner"),
        pytest.param(["--scope", "prod/eu"], ["dns", "ledger-db", "payments-api", "report"],
                     id="scope-in-above-below"),
        pytest.param(["--protocol", "udp"], ["dns"], id="protocol"),
        pytest.param(["--status", "retired"], ["old"], id="status"),
        pytest.param(["--owner", "@acme/team", "--scope", "staging"], ["old", "report"],
                     id="every-filter"),
        pytest.param(["--owner", "@nobody"], [], id="none"),
    ],
)  # fmt: skip
def test_list_filters(root: Path, filters: list[str], expected: list[str]) -> None:
    code, out, _ = lookup(root, "list", *filters)
    assert (code, ids(out)) == (0, expected)


def test_list_json_and_csv_hold_the_same_allocations(root: Path) -> None:
    _, out, _ = lookup(root, "list", "--owner", "@acme/payments", "--format", "json")
    listed = json.loads(out)
    assert [(a["id"], a["path"], a["port"], a["scope"]) for a in listed] == [
        ("ledger-db", "ports/payments/ledger-db.yaml", 5433, ["prod/eu", "prod/us"]),
        ("payments-api", "ports/payments/payments-api.yaml", 8443, "prod"),
    ]
    _, out, _ = lookup(root, "list", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["id"] for row in rows] == ["dns", "ledger-db", "old", "payments-api", "report"]
    assert rows[1]["scope"] == "prod/eu prod/us"
    assert rows[3]["owner"] == "@acme/payments"
    assert rows[4]["description"] == "'=HYPERLINK(1)"  # a spreadsheet must not run it


@pytest.mark.parametrize(
    ("args", "code"),
    [(["--status", "gone"], 2), (["--protocol", "icmp"], 2), (["--scope", "prod/asia"], 1)],
)
def test_list_rejects_unknown_values(root: Path, args: list[str], code: int) -> None:
    got, out, err = lookup(root, "list", *args)
    assert (got, out, len(err.splitlines())) == (code, "", 1)
