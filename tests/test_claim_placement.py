"""`portcheck claim`: where the file lands, its modeline, CODEOWNERS, every field, --format json.

The small policy (tests/conftest.py): tcp 2000-2009 and 3000-3004 minus
the reserved 2003-2004.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path

import pytest

from tests.conftest import SMALL_POLICY, allocation, claim_args, cli, run, write_register

SEARCH = "@acme/search"


def held(tmp_path: Path, files: dict[str, str], codeowners: str | None = None) -> Path:
    extra = {} if codeowners is None else {"codeowners": codeowners}
    return write_register(tmp_path, files, policy=SMALL_POLICY, **extra)


def claim(root: Path, *extra: str, service: str = "new") -> tuple[int, str, str]:
    return cli(*claim_args(service, "--root", str(root), *extra))


def search_claim(root: Path, *extra: str, service: str = "new") -> tuple[int, str, str]:
    args = claim_args(service, "--root", str(root), *extra)
    args[args.index("--owner") + 1] = SEARCH
    return cli(*args)


def modeline_target(root: Path, path: str) -> Path:
    first = (root / path).read_text(encoding="utf-8").splitlines()[0]
    relative = first.removeprefix("# yaml-language-server: $schema=")
    return (root / posixpath.dirname(path) / relative).resolve()


@pytest.mark.parametrize(
    ("files", "extra", "expected"),
    [
        pytest.param({}, [], "ports/new.yaml", id="nothing-held-top-folder"),
        pytest.param(
            {"ports/search/a.yaml": allocation(service="a", port=2000, owner='"@ACME/Search"')},
            [], "ports/search/new.yaml", id="owner-folder-case-insensitive",
        ),
        pytest.param(
            {
                "ports/x/a.yaml": allocation(service="a", port=2000, owner=f'"{SEARCH}"'),
                "ports/y/b.yaml": allocation(service="b", port=2001, owner=f'"{SEARCH}"'),
                "ports/y/c.yaml": allocation(service="c", port=2002, owner=f'"{SEARCH}"'),
                "ports/team/d.yaml": allocation(service="d", port=2005),
            },
            [], "ports/y/new.yaml", id="most-common-folder",
        ),
        pytest.param({}, ["--dir", "ports/search/eu"], "ports/search/eu/new.yaml", id="dir"),
        pytest.param({}, ["--dir", "ports/search/"], "ports/search/new.yaml", id="dir-slash"),
    ],
)  # fmt: skip
def test_claim_lands_where_the_owner_lives(
    tmp_path: Path, files: dict[str, str], extra: list[str], expected: str
) -> None:
    root = held(tmp_path, files)
    code, out, _ = search_claim(root, *extra)
    assert (code, out.split()[0]) == (0, expected)
    assert modeline_target(root, expected) == (root / "schema/allocation.schema.json").resolve()
    assert [f for f in run(root) if f.severity == "error"] == []


@pytest.mark.parametrize("folder", ["elsewhere", "ports/../schema", "ports/Team", "ports/a b", "/"])
def test_claim_refuses_a_folder_outside_ports(tmp_path: Path, folder: str) -> None:
    root = held(tmp_path, {})
    code, _, err = claim(root, "--dir", folder)
    assert (code, err.startswith("portcheck: error: --dir ")) == (2, True)
    assert list((root / "ports").rglob("*.yaml")) == []


def test_claim_updates_codeowners_so_the_change_passes(tmp_path: Path) -> None:
    root = held(tmp_path, {"ports/team/a.yaml": allocation(service="a", port=2000)})
    code, out, _ = search_claim(root)
    assert (code, out) == (0, "ports/new.yaml 2001\n")
    codeowners = (root / ".github/CODEOWNERS").read_text(encoding="utf-8")
    assert codeowners.startswith("*        @acme/platform\n/ports/  @acme/team @acme/payments\n")
    assert "/ports/new.yaml @acme/search\n" in codeowners
    assert "/ports/team/ @acme/team\n" in codeowners
    assert run(root) == []


def test_no_codeowners_leaves_codeowners_alone(tmp_path: Path) -> None:
    root = held(tmp_path, {})
    before = (root / ".github/CODEOWNERS").read_bytes()
    code, _, _ = search_claim(root, "--no-codeowners")
    assert code == 0
    assert (root / ".github/CODEOWNERS").read_bytes() == before
    assert [(f.path, f.code) for f in run(root)] == [("ports/new.yaml", "PC501")]


def test_claim_writes_every_field(tmp_path: Path) -> None:
    root = held(tmp_path, {"ports/ledger-db.yaml": allocation(service="ledger-db", port=2000)})
    code, _, _ = claim(
        root, "--contact", "search@acme.example", "--depends-on", "ledger-db",
        "--link", "https://tickets.acme.example/NET-1", "--link", "https://wiki.acme.example/x",
        "--status", "reserved", "--expires", "2027-01-31", "--review-by", "2027-06-30",
    )  # fmt: skip
    assert code == 0
    assert (root / "ports/new.yaml").read_text(encoding="utf-8") == (
        "# yaml-language-server: $schema=../schema/allocation.schema.json\n"
        "service: new\nport: 2001\nprotocol: tcp\n"
        'owner: "@acme/team"\ncontact: "search@acme.example"\n'
        "description: A new service\nstatus: reserved\n"
        "allocated: 2026-11-27\nreview_by: 2027-06-30\n"
        'depends_on: ["ledger-db"]\n'
        'links: ["https://tickets.acme.example/NET-1", "https://wiki.acme.example/x"]\n'
        "expires: 2027-01-31\n"
    )
    assert run(root) == []


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        pytest.param(
            ["--depends-on", "nowhere"], 1, "--depends-on 'nowhere': no such allocation: PC402",
            id="dependency-missing",
        ),
        pytest.param(
            ["--status", "reserved"], 2, "--status reserved and --expires DATE go together",
            id="reserved-without-expires",
        ),
        pytest.param(
            ["--expires", "2027-01-01"], 2, "--status reserved and --expires DATE go together",
            id="expires-without-reserved",
        ),
        pytest.param(
            ["--status", "reserved", "--expires", "2026-01-01"], 2,
            "the new file would not pass: PC200",
            id="expires-before-allocated",
        ),
        pytest.param(
            ["--link", "not a url"], 2, "the new file would not pass: PC200", id="bad-link"
        ),
        pytest.param(
            ["--contact", "a\nb"], 2, "the contact must be one line of printable text",
            id="contact-newline",
        ),
    ],
)  # fmt: skip
def test_claim_refuses_bad_fields(
    tmp_path: Path, extra: list[str], code: int, message: str
) -> None:
    root = held(tmp_path, {})
    got, _, err = claim(root, *extra)
    assert (got, err.startswith(f"portcheck: error: {message}")) == (code, True), err
    assert list((root / "ports").rglob("*.yaml")) == []


def test_existing_id_suggests_the_next_free_one(tmp_path: Path) -> None:
    root = held(
        tmp_path,
        {
            "ports/search-api.yaml": allocation(service="search-api", port=2000),
            "ports/x/search-api-2.yaml": allocation(service="search-api", port=2001),
        },
    )
    code, _, err = claim(root, service="search-api")
    assert (code, err) == (
        1,
        "portcheck: error: id search-api already exists (ports/search-api.yaml); "
        "try --id search-api-3\n",
    )


def test_format_json_prints_the_allocation_written(tmp_path: Path) -> None:
    root = held(tmp_path, {})
    code, out, _ = claim(root, "--format", "json", "--link", "https://t.acme.example/1")
    assert code == 0
    assert json.loads(out) == {
        "path": "ports/new.yaml",
        "id": "new",
        "ports": "2000",
        "service": "new",
        "port": 2000,
        "protocol": "tcp",
        "scope": "global",
        "owner": "@acme/team",
        "description": "A new service",
        "status": "active",
        "allocated": "2026-11-27",
        "review_by": "2027-11-27",
        "depends_on": [],
        "links": ["https://t.acme.example/1"],
    }
