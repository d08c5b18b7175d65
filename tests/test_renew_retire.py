"""`portcheck renew` and `portcheck retire`: one file edited in place, every other byte kept."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from portcheck.actions.edit import set_value
from tests.conftest import allocation, cli, run, write_register

SVC = "ports/team/svc.yaml"
# A comment on every line, every quoting style, block and flow lists.
COMMENTED = """\
# yaml-language-server: $schema=../../schema/allocation.schema.json
service: svc            # who listens
port: 8080              # the port
protocol: tcp           # transport
owner: "@acme/team"     # approvers
description: 'A service'  # single-quoted on purpose
status: "active"        # double-quoted status
allocated: 2026-03-14   # when
review_by: '2027-03-14' # quoted date
depends_on:             # block list
  - other               # a dependency
links: [https://x.example/1,   # flow list
  https://x.example/2]  # over two lines
# trailing comment
"""
WITHOUT_DATES = """\
# the head comment
service: svc  # c1
port: 8080  # c2
protocol: tcp  # c3
owner: "@acme/team"  # c4
description: A service  # c5
allocated: 2026-03-14  # c6
depends_on:  # c7
  - other  # c8
"""


def register(tmp_path: Path, text: str) -> Path:
    other = allocation(service="other", port=9090)
    return write_register(tmp_path, {SVC: text, "ports/team/other.yaml": other})


def edited(before: str, changes: dict[int, str], inserted: dict[int, str] | None = None) -> str:
    """``before`` with lines replaced (0-based index -> new line) and lines inserted
    (index in the result -> new line)."""
    lines = before.splitlines(keepends=True)
    for index, line in changes.items():
        lines[index] = line + "\n"
    for index, line in sorted((inserted or {}).items()):
        lines.insert(index, line + "\n")
    return "".join(lines)


def read(root: Path) -> str:
    return (root / SVC).read_text(encoding="utf-8")


def test_renew_replaces_review_by_keeping_quotes_and_comments(tmp_path: Path) -> None:
    root = register(tmp_path, COMMENTED)
    code, out, err = cli("renew", "svc", "--until", "2028-01-31", "--root", str(root))
    assert (code, out, err) == (0, f"{SVC}: review_by 2028-01-31\n", "")
    assert read(root) == edited(COMMENTED, {8: "review_by: '2028-01-31' # quoted date"})
    assert run(root) == []


def test_renew_inserts_review_by_after_allocated(tmp_path: Path) -> None:
    root = register(tmp_path, WITHOUT_DATES)
    assert cli("renew", "svc", "--until", "2028-01-31", "--root", str(root))[0] == 0
    assert read(root) == edited(WITHOUT_DATES, {}, {7: "review_by: 2028-01-31"})


def test_renew_defaults_to_today_plus_review_days(tmp_path: Path) -> None:
    root = register(tmp_path, WITHOUT_DATES)
    due = (dt.date.today() + dt.timedelta(days=365)).isoformat()
    assert cli("renew", "svc", "--root", str(root)) == (0, f"{SVC}: review_by {due}\n", "")
    assert read(root) == edited(WITHOUT_DATES, {}, {7: f"review_by: {due}"})


def test_retire_sets_status_and_appends_retired_on(tmp_path: Path) -> None:
    root = register(tmp_path, COMMENTED)
    code, out, err = cli("retire", "svc", "--on", "2099-11-01", "--root", str(root))
    assert (code, out) == (0, f"{SVC}: retired on 2099-11-01\n")
    assert err == "its ports stay occupied; reclaimable from 2100-01-30 (portcheck reclaim)\n"
    assert read(root) == edited(
        COMMENTED,
        {6: 'status: "retired"        # double-quoted status'},
        {13: "retired_on: 2099-11-01"},
    )
    assert run(root) == []


def test_retire_inserts_status_after_description(tmp_path: Path) -> None:
    root = register(tmp_path, WITHOUT_DATES)
    assert cli("retire", "svc", "--on", "2099-11-01", "--root", str(root))[0] == 0
    assert read(root) == edited(
        WITHOUT_DATES, {}, {6: "status: retired", 10: "retired_on: 2099-11-01"}
    )


def test_retire_defaults_to_today_and_warns_about_dependents(tmp_path: Path) -> None:
    root = register(tmp_path, COMMENTED)
    today = dt.date.today().isoformat()
    code, out, err = cli("retire", "other", "--root", str(root))
    assert (code, out) == (0, f"ports/team/other.yaml: retired on {today}\n")
    assert (
        err.splitlines()[-1]
        == "portcheck: warning: still depended on by svc (portcheck impact other)"
    )


def test_line_endings_byte_order_mark_and_mode_are_kept(tmp_path: Path) -> None:
    root = register(tmp_path, "")
    crlf = "\ufeff" + WITHOUT_DATES.replace("\n", "\r\n")
    path = root / SVC
    path.write_bytes(crlf.encode("utf-8"))
    path.chmod(0o640)
    assert cli("renew", "svc", "--until", "2028-01-31", "--root", str(root))[0] == 0
    expected = "\ufeff" + edited(WITHOUT_DATES, {}, {7: "review_by: 2028-01-31"})
    assert path.read_bytes() == expected.replace("\n", "\r\n").encode("utf-8")
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in path.parent.iterdir()) == ["other.yaml", "svc.yaml"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["renew", "nope"], 1, "no allocation has the id 'nope'"),
        (["retire", "nope"], 1, "no allocation has the id 'nope'"),
        (
            ["renew", "svc", "--until", "2020-01-01"],
            1,
            f"{SVC}:9:12: PC200 ",  # review_by before allocated: the check's own words follow
        ),
        (["renew", "svc", "--until", "soon"], 2, "Invalid value for --until: 'soon' is not a date"),
        (["retire", "svc", "--on", "2026-02-30"], 2, "Invalid value for --on: '2026-02-30'"),
        (["retire", "svc", "--on", "2026-01-13"], 2, "retired_on 2026-01-13 is before today"),
    ],
)
def test_refusals_leave_the_file_alone(
    tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    root = register(tmp_path, COMMENTED)
    result = cli(*args, "--root", str(root))
    assert (result[0], result[1]) == (code, "")
    assert result[2].startswith(f"portcheck: error: {message}")
    assert read(root) == COMMENTED


def test_retiring_twice_is_refused(tmp_path: Path) -> None:
    root = register(tmp_path, COMMENTED)
    assert cli("retire", "svc", "--on", "2099-11-01", "--root", str(root))[0] == 0
    after = read(root)
    assert cli("retire", "svc", "--root", str(root)) == (
        1,
        "",
        f"portcheck: error: {SVC} was already retired on 2099-11-01\n",
    )
    assert read(root) == after


def test_a_file_that_fails_the_schema_is_not_edited(tmp_path: Path) -> None:
    root = register(tmp_path, "service: svc\nport: 08080\n")
    assert cli("renew", "svc", "--root", str(root)) == (
        1,
        "",
        f"portcheck: error: {SVC}:1:1: PC200 'allocated' is a required field; "
        "fix it first (portcheck check)\n",
    )


@pytest.mark.parametrize(
    ("text", "key", "value", "expected"),
    [
        ("a: 1\nb: 2", "retired_on", "x", "a: 1\nb: 2\nretired_on: x\n"),  # no final newline
        ("service: s\nlinks:\n- u\n# end\n", "status", "retired", None),
        ("status: 'active'  # c\n", "status", "retired", "status: 'retired'  # c\n"),
        ('status: "active"\n', "status", "retired", 'status: "retired"\n'),
        ("service: s\nowner: o\n", "review_by", "d", "service: s\nowner: o\nreview_by: d\n"),
    ],
)
def test_set_value(text: str, key: str, value: str, expected: str | None) -> None:
    if expected is None:  # inserted after service, the last key before status
        expected = "service: s\nstatus: retired\nlinks:\n- u\n# end\n"
    assert set_value(text, key, value) == expected


def test_files_are_replaced_not_rewritten_in_place(tmp_path: Path) -> None:
    """Atomic replacement: a reader holding the old file still sees the old text."""
    root = register(tmp_path, COMMENTED)
    with open(root / SVC, encoding="utf-8") as held:
        assert cli("renew", "svc", "--until", "2028-01-31", "--root", str(root))[0] == 0
        assert held.read() == COMMENTED
        assert os.stat(root / SVC).st_ino != os.fstat(held.fileno()).st_ino


@pytest.mark.parametrize("command", [["renew", "svc"], ["retire", "svc"]])
def test_a_flow_mapping_is_refused_not_broken(tmp_path: Path, command: list[str]) -> None:
    flow = '{service: svc, port: 8080, protocol: tcp, owner: "@acme/team", description: d,\n'
    flow += " allocated: 2026-03-14}\n"
    root = register(tmp_path, flow)
    assert cli(*command, "--root", str(root)) == (
        1,
        "",
        f"portcheck: error: {SVC}: only a block mapping (one key per line) can be edited in "
        "place; edit it by hand\n",
    )
    assert read(root) == flow


BLOCK_SCALAR_DATE = allocation(review_by=">-  # agreed in NET-42\n  2026-06-01")


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (">-  # agreed in NET-42\n  2026-06-01\n", "2027-03-03  # agreed in NET-42\n"),
        ("|\n  2026-06-01\n\nb: 2\n", "2027-03-03\n\nb: 2\n"),
        ("|-  # crlf\r\n  2026-06-01\r\nb: 2\r\n", "2027-03-03  # crlf\r\nb: 2\r\n"),
        ("|\n  2026-06-01", "2027-03-03"),
    ],
)
def test_a_block_scalar_becomes_plain_keeping_comment_and_breaks(block: str, expected: str) -> None:
    assert set_value(f"a: 1\nreview_by: {block}", "review_by", "2027-03-03") == (
        f"a: 1\nreview_by: {expected}"
    )


def test_renew_keeps_the_comment_of_a_block_scalar_date(tmp_path: Path) -> None:
    root = register(tmp_path, BLOCK_SCALAR_DATE)
    assert cli("renew", "svc", "--until", "2027-03-03", "--root", str(root))[0] == 0
    assert read(root) == allocation(review_by="2027-03-03  # agreed in NET-42")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("service: [svc\n", f"{SVC}:1:14: PC100"),
        ("service: svc\nservice: svc\n", f"{SVC}:2:1: PC101"),
        ("\ufffe", f"{SVC}:1:1: PC102"),
    ],
)
def test_renew_says_why_a_broken_file_is_not_edited(
    tmp_path: Path, text: str, expected: str
) -> None:
    root = register(tmp_path, text)
    code, out, err = cli("renew", "svc", "--root", str(root))
    assert (code, out) == (1, "")
    assert err.startswith(f"portcheck: error: {expected} ")
    assert err.endswith("; fix it first (portcheck check)\n")
    assert read(root) == text
