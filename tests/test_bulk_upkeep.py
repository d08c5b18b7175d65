"""renew ID... | --owner O and reclaim [ID...] [--owner O]: upkeep for one team at a time."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import allocation, cli, write_register

RETIRED = {
    "allocated": "2025-01-01",
    "status": "retired",
    "retired_on": "2026-03-01",
}  # reclaimable since 2026-05-30
FILES = {
    "ports/pay/api.yaml": allocation(service="api", port=2000, owner='"@acme/pay"'),
    "ports/pay/db.yaml": allocation(service="db", port=2001, owner='"@ACME/Pay"'),
    "ports/pay/old.yaml": allocation(service="old", port=2002, owner='"@acme/pay"', **RETIRED),
    "ports/team/web.yaml": allocation(service="web", port=2003),
    "ports/team/gone.yaml": allocation(service="gone", port=2004, **RETIRED),
    "ports/team/late.yaml": allocation(
        service="late", port=2005, status="retired", retired_on="2026-11-01"
    ),
}
AS_OF = ("--as-of", "2026-11-27")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_register(tmp_path, FILES)


def files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / "ports").rglob("*.yaml"))


def review_by(root: Path, path: str) -> str | None:
    for line in (root / path).read_text(encoding="utf-8").splitlines():
        if line.startswith("review_by: "):
            return line.removeprefix("review_by: ")
    return None


def test_renew_several_ids(root: Path) -> None:
    code, out, _ = cli("renew", "web", "api", "--until", "2027-06-30", "--root", str(root))
    assert (code, out) == (
        0, "ports/pay/api.yaml: review_by 2027-06-30\nports/team/web.yaml: review_by 2027-06-30\n"
    )  # fmt: skip
    assert review_by(root, "ports/pay/db.yaml") is None


def test_renew_by_owner_skips_retired_files(root: Path) -> None:
    code, out, _ = cli("renew", "--owner", "@acme/pay", "--root", str(root), *AS_OF)
    assert (code, out) == (
        0, "ports/pay/api.yaml: review_by 2027-11-27\nports/pay/db.yaml: review_by 2027-11-27\n"
    )  # fmt: skip
    assert review_by(root, "ports/pay/old.yaml") is None


@pytest.mark.parametrize(
    ("args", "code"),
    [
        pytest.param([], 2, id="nothing-named"),
        pytest.param(["api", "--owner", "@acme/pay"], 2, id="both"),
        pytest.param(["api", "nope"], 1, id="one-id-missing"),
        pytest.param(["--owner", "@acme/nobody"], 1, id="owner-owns-nothing"),
    ],
)
def test_renew_refuses_before_editing_anything(root: Path, args: list[str], code: int) -> None:
    before = {path: (root / path).read_bytes() for path in files(root)}
    got, out, err = cli("renew", *args, "--root", str(root))
    assert (got, out, len(err.splitlines())) == (code, "", 1)
    assert {path: (root / path).read_bytes() for path in files(root)} == before


@pytest.mark.parametrize(
    ("args", "removed"),
    [
        pytest.param([], ["ports/pay/old.yaml", "ports/team/gone.yaml"], id="all"),
        pytest.param(["--owner", "@ACME/pay"], ["ports/pay/old.yaml"], id="owner"),
        pytest.param(["gone"], ["ports/team/gone.yaml"], id="one-id"),
        pytest.param(["--owner", "@acme/other"], [], id="owner-with-nothing-reclaimable"),
    ],
)
def test_reclaim_only_what_is_named(root: Path, args: list[str], removed: list[str]) -> None:
    before = files(root)
    code, out, _ = cli("reclaim", *args, "--root", str(root), *AS_OF)
    assert code == 0
    assert [line.split()[1] for line in out.splitlines()] == removed
    assert files(root) == [path for path in before if path not in removed]


@pytest.mark.parametrize(
    ("ident", "reason"),
    [
        ("late", "ports/team/late.yaml is not reclaimable (reclaimable from 2027-01-30): PC602"),
        ("web", "ports/team/web.yaml is not reclaimable (active, not retired): PC602"),
    ],
)
def test_reclaim_refuses_an_id_that_is_not_reclaimable(root: Path, ident: str, reason: str) -> None:
    before = files(root)
    code, _, err = cli("reclaim", "gone", ident, "--root", str(root), *AS_OF)
    assert (code, err) == (1, f"portcheck: error: {reason}; nothing deleted\n")
    assert files(root) == before
