"""PC500 not-code-owned, PC501 owner-mismatch, PC502 codeowners-invalid, on real registers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from portcheck.codeowners.source import MAX_BYTES
from portcheck.finding import Finding, Location

from .conftest import allocation, cli, located, run, write_register

CO = ".github/CODEOWNERS"
PROTECTED = "* @acme/platform\n"  # owns CODEOWNERS, .github/, schema/, portcheck/
A = "ports/a.yaml"
OWNER_AT = (4, 8)  # allocation() writes service, port, protocol, then `owner: "..."`


def ownership(root: Path) -> list[Finding]:
    return [f for f in run(root) if f.code in {"PC500", "PC501", "PC502"}]


def register(tmp_path: Path, codeowners: str | None, **files: str) -> Path:
    files = {A: allocation(service="a"), **files}
    return write_register(tmp_path, files, codeowners=codeowners)


def test_the_default_test_register_is_owned(tmp_path: Path) -> None:
    assert ownership(register(tmp_path, PROTECTED + "/ports/ @acme/team\n")) == []


# PC500


def test_a_file_no_line_covers(tmp_path: Path) -> None:
    protected = "/.github/ @acme/platform\n/schema/ @acme/platform\n/portcheck/ @acme/platform\n"
    found = ownership(register(tmp_path, protected))
    assert located(found) == [(A, 1, 1, "PC500")]
    assert found[0].related == ()


def test_an_ownerless_line_unowns_and_is_related(tmp_path: Path) -> None:
    root = register(tmp_path, PROTECTED + "/ports/ @acme/team\n\n/ports/a.yaml\n")
    found = ownership(root)
    assert located(found) == [(A, 1, 1, "PC500")]
    assert found[0].related == (Location(CO, 4, 1),)


def test_unowned_is_not_also_a_mismatch(tmp_path: Path) -> None:
    files = {"ports/b.yaml": allocation(service="b", port=8081, owner='"@acme/other"')}
    codeowners = PROTECTED + "/ports/ @acme/team\n/ports/b.yaml\n"
    assert located(ownership(register(tmp_path, codeowners, **files))) == [
        ("ports/b.yaml", 1, 1, "PC500")
    ]


def test_files_that_fail_loading_or_schema_get_nothing_more(tmp_path: Path) -> None:
    files = {
        "ports/broken.yaml": "service: [\n",
        "ports/no-owner.yaml": allocation(service="x", port=9000, owner=None),
    }
    root = register(tmp_path, PROTECTED + "/ports/\n", **files)  # nothing there has an owner
    assert located(ownership(root)) == [(A, 1, 1, "PC500")]


# PC501


def test_owner_not_among_the_code_owners(tmp_path: Path) -> None:
    root = register(tmp_path, PROTECTED + "/ports/ @acme/search @acme/db\n")
    found = ownership(root)
    assert located(found) == [(A, *OWNER_AT, "PC501")]
    assert found[0].related == (Location(CO, 2, 1),)


@pytest.mark.parametrize(
    ("owner", "codeowners"),
    [
        ('"@ACME/Team"', "/ports/ @acme/team"),  # GitHub compares case-insensitively
        ('"@acme/team"', "/ports/ @Acme/TEAM"),
        ('"@acme/team"', "/ports/   @acme/db\t@acme/team  # db and team"),
        ("'@octocat'", "/ports/*.yaml @octocat"),
    ],
)
def test_owner_among_the_code_owners(tmp_path: Path, owner: str, codeowners: str) -> None:
    files = {A: allocation(service="a", owner=owner)}
    assert ownership(write_register(tmp_path, files, codeowners=PROTECTED + codeowners)) == []


def test_the_last_matching_line_decides(tmp_path: Path) -> None:
    codeowners = PROTECTED + "/ports/a.yaml @acme/team\n/ports/ @acme/search\n"
    found = ownership(register(tmp_path, codeowners))
    assert located(found) == [(A, *OWNER_AT, "PC501")]
    assert found[0].related == (Location(CO, 3, 1),)


def test_a_skipped_line_does_not_own(tmp_path: Path) -> None:
    codeowners = PROTECTED + "/ports/ @acme/search\n/ports/a.yaml @acme/team @a/b/c\n"
    assert located(ownership(register(tmp_path, codeowners))) == [
        (CO, 3, 26, "PC502"),
        (A, *OWNER_AT, "PC501"),
    ]


# PC502: the file itself


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("!/ports/legacy/ @acme/team", 1),
        ("/ports/[ab].yaml @acme/team", 8),
        ("\\#ports @acme/team", 1),
        ("[Ports]", 1),
        ("/ports/ acme-team", 9),
        ("/ports/ @acme/team\x1b[2J", 19),
    ],
)
def test_unsupported_lines(tmp_path: Path, line: str, column: int) -> None:
    root = register(tmp_path, PROTECTED + "/ports/ @acme/team\n" + line + "\n")
    assert located(ownership(root)) == [(CO, 3, column, "PC502")]


def test_no_codeowners_file(tmp_path: Path) -> None:
    root = register(tmp_path, None)
    assert located(ownership(root)) == [(CO, 1, 1, "PC502"), (A, 1, 1, "PC500")]


@pytest.mark.parametrize("location", ["CODEOWNERS", "docs/CODEOWNERS"])
def test_github_also_reads_the_root_and_docs(tmp_path: Path, location: str) -> None:
    files = {location: PROTECTED + "/ports/ @acme/team\n"}
    assert ownership(register(tmp_path, None, **files)) == []


def test_a_protected_root_codeowners(tmp_path: Path) -> None:
    codeowners = PROTECTED + "/ports/ @acme/team\n/CODEOWNERS @acme/team\n"
    found = ownership(register(tmp_path, None, CODEOWNERS=codeowners))
    assert located(found) == [("CODEOWNERS", 3, 1, "PC502")]


def test_several_codeowners_files(tmp_path: Path) -> None:
    owned = PROTECTED + "/ports/ @acme/team\n"
    files = {CO: owned, "CODEOWNERS": "* @acme/team\n", "docs/CODEOWNERS": ""}
    found = ownership(register(tmp_path, None, **files))
    assert located(found) == [("CODEOWNERS", 1, 1, "PC502"), ("docs/CODEOWNERS", 1, 1, "PC502")]
    assert [f.related for f in found] == [(Location(CO),), (Location(CO),)]


def test_only_an_exact_codeowners_name_counts(tmp_path: Path) -> None:
    files = {"CodeOwners": PROTECTED + "/ports/ @acme/team\n"}
    if (tmp_path / "codeowners").exists() or os.path.normcase("A") == "a":
        pytest.skip("a case-insensitive file system")
    assert located(ownership(register(tmp_path, None, **files))) == [
        (CO, 1, 1, "PC502"),
        (A, 1, 1, "PC500"),
    ]


@pytest.mark.parametrize(("size", "ignored"), [(MAX_BYTES - 1, False), (MAX_BYTES, True)])
def test_github_ignores_3_mb_or_more(tmp_path: Path, size: int, ignored: bool) -> None:
    head = PROTECTED + "/ports/ @acme/team\n"
    padding = "#" * (size - len(head) - 1) + "\n"
    root = register(tmp_path, head + padding)
    assert (root / CO).stat().st_size == size
    expected = [(CO, 1, 1, "PC502"), (A, 1, 1, "PC500")] if ignored else []
    assert located(ownership(root)) == expected


# PC502: protected paths


def test_a_protected_folder_owned_by_another_team(tmp_path: Path) -> None:
    codeowners = PROTECTED + "/ports/ @acme/team\n/schema/ @acme/search\n"
    found = ownership(register(tmp_path, codeowners))
    assert located(found) == [(CO, 3, 1, "PC502")]
    assert "schema/policy.yaml" in found[0].message


def test_files_on_disk_are_checked_too(tmp_path: Path) -> None:
    codeowners = PROTECTED + "/ports/ @acme/team\n\n  *.py   @acme/devs\n"
    files = {"portcheck/cli.py": "", "portcheck/checks/x.py": "", "tools/y.py": ""}
    found = ownership(register(tmp_path, codeowners, **files))
    assert located(found) == [(CO, 4, 3, "PC502")]
    assert "portcheck/__init__.py" in found[0].message  # the file that matters, and 2 more


def test_a_symlinked_protected_folder_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside/notes.txt").write_text("", encoding="utf-8")
    root = register(tmp_path / "repo", PROTECTED + "/ports/ @acme/team\n*.txt @acme/devs\n")
    (root / "portcheck").symlink_to(tmp_path / "outside")  # git stores only the link
    assert ownership(root) == []


def test_an_ownerless_line_over_a_protected_folder(tmp_path: Path) -> None:
    codeowners = PROTECTED + "/ports/ @acme/team\n/.github/workflows/\n"
    assert located(ownership(register(tmp_path, codeowners))) == [(CO, 3, 1, "PC502")]


def test_no_line_owns_the_protected_paths(tmp_path: Path) -> None:
    root = register(tmp_path, "/ports/ @acme/team\n")
    assert located(ownership(root)) == [(CO, 1, 1, "PC502")]


def test_the_platform_owner_compares_case_insensitively(tmp_path: Path) -> None:
    assert ownership(register(tmp_path, "* @ACME/Platform\n/ports/ @acme/team\n")) == []


# Hostile CODEOWNERS files: located findings, never a traceback.


def test_crlf_and_tabs(tmp_path: Path) -> None:
    assert ownership(register(tmp_path, "*\t@acme/platform\r\n/ports/\t@acme/team\r\n")) == []


def test_a_byte_order_mark(tmp_path: Path) -> None:
    root = register(tmp_path, "\ufeff" + PROTECTED + "/ports/ @acme/team\n")
    assert located(ownership(root)) == [(CO, 1, 1, "PC502")]


def test_binary(tmp_path: Path) -> None:
    root = register(tmp_path, None)
    (root / ".github").mkdir()
    (root / CO).write_bytes(b"* @acme/platform\n\x89PNG\r\n\x1a\nab\x00\x00")
    assert located(ownership(root)) == [(CO, 4, 3, "PC502"), (A, 1, 1, "PC500")]


def test_not_utf8(tmp_path: Path) -> None:
    root = register(tmp_path, None)
    (root / ".github").mkdir()
    (root / CO).write_bytes(b"* @acme/platform\n/ports/ @acme/team\n/caf\xe9/ @acme/team\n")
    assert located(ownership(root)) == [(CO, 3, 5, "PC502")]


def test_a_symlink(tmp_path: Path) -> None:
    root = register(tmp_path, None, **{"CODEOWNERS": PROTECTED + "/ports/ @acme/team\n"})
    (root / ".github").mkdir()
    (root / CO).symlink_to("../CODEOWNERS")
    assert located(ownership(root)) == [
        (CO, 1, 1, "PC502"),  # GitHub reads the link, not ../CODEOWNERS
        ("CODEOWNERS", 1, 1, "PC502"),  # ignored: .github/ comes first
        (A, 1, 1, "PC500"),
    ]


def test_a_huge_line(tmp_path: Path) -> None:
    line = "/" + "a" * 2_000_000 + "[x] @acme/team\n"
    root = register(tmp_path, PROTECTED + "/ports/ @acme/team\n" + line + "x" * 500_000)
    assert located(ownership(root)) == [(CO, 3, 2_000_002, "PC502")]


def test_the_shipped_example_register_is_owned() -> None:
    repo = Path(__file__).resolve().parents[1]
    assert ownership(repo) == []


def test_a_line_with_100000_owners_gives_a_short_message(tmp_path: Path) -> None:
    owners = " ".join(f"@o{i}" for i in range(100_000))
    root = write_register(
        tmp_path,
        {"ports/svc.yaml": allocation()},
        codeowners=f"* @acme/platform\n/ports/ {owners}\n",
    )
    (found,) = [f for f in run(root) if f.code == "PC501"]
    assert (found.path, found.line, found.column) == ("ports/svc.yaml", 4, 8)
    assert found.message.endswith("gives it to @o0, @o1 and 99,998 more")
    code, out, _ = cli("check", "--root", str(root), "--format", "junit", "--as-of", "2026-11-27")
    assert code == 1
    assert len(out) < 10_000


def test_every_message_is_bounded() -> None:
    from portcheck.finding import MESSAGE_LIMIT, few
    from portcheck.rules import OWNER_MISMATCH

    finding = OWNER_MISMATCH.finding(Location("ports/a.yaml"), "x" * 1_000_000)
    assert finding.message == "x" * MESSAGE_LIMIT + "… (999,000 more characters)"
    assert [few([]), few(["@a"]), few(["@a", "@b", "@c"]), few(["@a", "@b", "@c", "@d"])] == [
        "",
        "@a",
        "@a, @b and @c",
        "@a, @b and 2 more",
    ]
