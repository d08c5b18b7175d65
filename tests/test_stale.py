"""`portcheck stale`: every status on one register, judged --as-of 2026-11-27."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import allocation, cli, write_register

# One file per status and date situation; the comment says what stale makes of it.
FILES = {
    # active, due 2027-03-14: fine
    "ports/ok.yaml": allocation(service="ok", port=8001),
    # active, review_by passed: PC600
    "ports/overdue.yaml": allocation(
        service="overdue", port=8002, owner='"@acme/payments"', review_by="2026-11-01"
    ),
    # deprecated, default review date passed: PC600 at allocated; the owner's case differs
    "ports/old.yaml": allocation(
        service="old", port=8003, owner='"@Acme/Payments"', status="deprecated",
        allocated="2025-01-01",
    ),
    # reserved and expired: PC601
    "ports/lapsed.yaml": allocation(
        service="lapsed", port=8004, status="reserved", expires="2026-11-01"
    ),
    # reserved, not yet expired: fine
    "ports/held.yaml": allocation(
        service="held", port=8005, status="reserved", expires="2027-01-01"
    ),
    # retired, quarantine runs to 2026-12-30: fine
    "ports/quarantined.yaml": allocation(
        service="quarantined", port=8006, status="retired", retired_on="2026-10-01"
    ),
    # retired, quarantine ended 2026-10-30: PC602
    "ports/gone.yaml": allocation(
        service="gone", port=8007, status="retired", retired_on="2026-08-01"
    ),
    # depends on nothing that exists: PC402
    "ports/client.yaml": allocation(service="client", port=8008, depends_on="[missing]"),
}  # fmt: skip

TEXT = """\
@Acme/Payments
  ports/old.yaml:6:12: PC600 review-overdue review was due on 2026-01-01 (allocated + 365 days)
    fix: portcheck renew old
  ports/overdue.yaml:7:12: PC600 review-overdue review was due on 2026-11-01
    fix: portcheck renew overdue
@acme/team
  ports/client.yaml:7:14: PC402 dangling-dependency depends_on 'missing' is not the id of any allocation
    fix: edit depends_on: the allocation it names does not exist
  ports/gone.yaml:8:13: PC602 reclaimable retired on 2026-08-01 and quarantine ended on 2026-10-30: delete the file to free the port
    fix: portcheck reclaim
  ports/lapsed.yaml:8:10: PC601 expired expired on 2026-11-01
    fix: portcheck retire lapsed
"""  # noqa: E501


def stale(root: Path, *args: str) -> tuple[int, str, str]:
    return cli("stale", "--root", str(root), *args)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_register(tmp_path, FILES)


def test_text_groups_by_owner_with_the_fix(root: Path) -> None:
    code, out, err = stale(root, "--as-of", "2026-11-27")
    assert (code, out, err) == (0, TEXT, "5 stale items for 2 owners as of 2026-11-27.\n")


def test_fail_exits_1_only_when_something_is_stale(root: Path) -> None:
    assert stale(root, "--as-of", "2026-11-27", "--fail")[0] == 1
    assert stale(root, "--as-of", "2026-11-27")[0] == 0


def test_as_of_moves_every_date(root: Path) -> None:
    """A day before everything became due, only the dangling dependency remains."""
    code, out, _ = stale(root, "--as-of", "2025-12-31", "--format", "json")
    items = [item for group in json.loads(out)["owners"] for item in group["items"]]
    assert (code, [(item["id"], item["code"]) for item in items]) == (0, [("client", "PC402")])


@pytest.mark.parametrize(
    ("as_of", "reclaimable"),
    [("2026-10-29", False), ("2026-10-30", True)],  # quarantine_days 90 after 2026-08-01
)
def test_reclaimable_from_the_day_quarantine_ends(
    root: Path, as_of: str, reclaimable: bool
) -> None:
    out = stale(root, "--as-of", as_of, "--format", "json")[1]
    codes = {item["code"] for group in json.loads(out)["owners"] for item in group["items"]}
    assert ("PC602" in codes) is reclaimable


def test_json(root: Path) -> None:
    code, out, err = stale(root, "--as-of", "2026-11-27", "--format", "json")
    report = json.loads(out)
    assert (code, err) == (0, "")
    assert {key: report[key] for key in ("version", "as_of", "summary")} == {
        "version": 1,
        "as_of": "2026-11-27",
        "summary": {"items": 5, "owners": 2},
    }
    fields = ("id", "code", "path", "line", "fix")
    assert [
        (group["owner"], [tuple(item[f] for f in fields) for item in group["items"]])
        for group in report["owners"]
    ] == [
        (
            "@Acme/Payments",
            [
                ("old", "PC600", "ports/old.yaml", 6, "portcheck renew old"),
                ("overdue", "PC600", "ports/overdue.yaml", 7, "portcheck renew overdue"),
            ],
        ),
        (
            "@acme/team",
            [
                ("client", "PC402", "ports/client.yaml", 7, None),
                ("gone", "PC602", "ports/gone.yaml", 8, "portcheck reclaim"),
                ("lapsed", "PC601", "ports/lapsed.yaml", 8, "portcheck retire lapsed"),
            ],
        ),
    ]  # fmt: skip


def test_markdown(root: Path) -> None:
    code, out, _ = stale(root, "--as-of", "2026-11-27", "--format", "markdown")
    assert code == 0
    assert out.splitlines()[:12] == [
        "## Stale port allocations",
        "",
        "5 stale items for 2 owners as of 2026-11-27.",
        "",
        "Run the fix, or edit the file, and open a pull request.",
        "",
        "### @\u200bAcme/Payments",
        "",
        "| file | rule | problem | fix |",
        "| --- | --- | --- | --- |",
        "| ports/old.yaml:6 | PC600 review-overdue "
        "| review was due on 2026-01-01 (allocated + 365 days) | `portcheck renew old` |",
        "| ports/overdue.yaml:7 | PC600 review-overdue | review was due on 2026-11-01 "
        "| `portcheck renew overdue` |",
    ]
    assert "| `portcheck reclaim` |" in out


def test_markdown_escapes_values_from_the_repository(tmp_path: Path) -> None:
    folder = "ports/we|ird`<b>"
    files = {f"{folder}/old.yaml": allocation(service="old", allocated="2025-01-01")}
    root = write_register(tmp_path, files)
    out = stale(root, "--as-of", "2026-11-27", "--format", "markdown")[1]
    assert "| ports/we\\|ird\\`&lt;b&gt;/old.yaml:6 | PC600 review-overdue |" in out
    assert "<b>" not in out
    assert "@acme" not in out  # no owner is mentioned (and notified) by the issue


def test_nothing_stale(tmp_path: Path) -> None:
    root = write_register(tmp_path, {"ports/ok.yaml": allocation(service="ok")})
    assert stale(root, "--as-of", "2026-11-27", "--fail") == (
        0,
        "",
        "Nothing is stale as of 2026-11-27.\n",
    )
    markdown = stale(root, "--as-of", "2026-11-27", "--format", "markdown")
    assert markdown == (0, "## Stale port allocations\n\nNothing is stale as of 2026-11-27.\n", "")
    report = json.loads(stale(root, "--as-of", "2026-11-27", "--format", "json")[1])
    assert (report["owners"], report["summary"]) == ([], {"items": 0, "owners": 0})
