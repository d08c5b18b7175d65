"""PC104 modeline-unresolved and `portcheck fix-modelines`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import allocation, cli, located, run, write_register

GOOD_TOP = "# yaml-language-server: $schema=../schema/allocation.schema.json\n"
GOOD_TEAM = "# yaml-language-server: $schema=../../schema/allocation.schema.json\n"


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        pytest.param("ports/a.yaml", GOOD_TOP, [], id="top-resolves"),
        pytest.param("ports/t/a.yaml", GOOD_TEAM, [], id="team-resolves"),
        pytest.param("ports/a.yaml", "", [], id="no-modeline-no-finding"),
        pytest.param("ports/t/a.yaml", GOOD_TOP, [("ports/t/a.yaml", 1, 33, "PC104")],
                     id="moved-into-a-folder"),
        pytest.param("ports/a.yaml", GOOD_TEAM, [("ports/a.yaml", 1, 33, "PC104")],
                     id="moved-out-of-a-folder"),
        pytest.param("ports/a.yaml", "# note\n#yaml-language-server: $schema=x.json\n",
                     [("ports/a.yaml", 2, 32, "PC104")], id="second-line-wrong-name"),
        pytest.param("ports/a.yaml",
                     "# yaml-language-server: $schema=https://acme.example/a.json\n",
                     [("ports/a.yaml", 1, 33, "PC104")], id="url"),
        pytest.param("ports/a.yaml",
                     "# yaml-language-server: $schema=/schema/allocation.schema.json\n",
                     [("ports/a.yaml", 1, 33, "PC104")], id="absolute"),
    ],
)  # fmt: skip
def test_pc104(
    tmp_path: Path, path: str, text: str, expected: list[tuple[str, int, int, str]]
) -> None:
    root = write_register(tmp_path, {path: text + allocation()})
    assert located(f for f in run(root) if f.code == "PC104") == expected


def test_pc104_is_a_warning_check_still_passes(tmp_path: Path) -> None:
    root = write_register(tmp_path, {"ports/t/a.yaml": GOOD_TOP + allocation()})
    code, out, _ = cli("check", "--root", str(root), "--as-of", "2026-11-27")
    assert code == 0
    assert out.startswith("ports/t/a.yaml:1:33: PC104 modeline-unresolved")


def test_fix_modelines_rewrites_only_the_path(tmp_path: Path) -> None:
    moved = (
        "\ufeff"
        + GOOD_TOP.replace("\n", "\r\n")
        + "# keep me\r\n"
        + allocation().replace("\n", "\r\n")
    )
    root = write_register(
        tmp_path,
        {"ports/t/a.yaml": "", "ports/b.yaml": GOOD_TOP + allocation(service="b", port=9000)},
    )
    (root / "ports/t/a.yaml").write_bytes(moved.encode("utf-8"))
    untouched = (root / "ports/b.yaml").read_bytes()
    assert cli("fix-modelines", "--dry-run", "--root", str(root))[:2] == (
        0, "would fix ports/t/a.yaml\n"
    )  # fmt: skip
    assert (root / "ports/t/a.yaml").read_bytes() == moved.encode("utf-8")
    assert cli("fix-modelines", "--root", str(root))[:2] == (0, "fixed ports/t/a.yaml\n")
    expected = moved.replace("$schema=../schema", "$schema=../../schema")
    assert (root / "ports/t/a.yaml").read_bytes() == expected.encode("utf-8")
    assert (root / "ports/b.yaml").read_bytes() == untouched
    assert [f for f in run(root) if f.code == "PC104"] == []
    assert cli("fix-modelines", "--root", str(root)) == (
        0, "", "Every modeline leads to the schema.\n"
    )  # fmt: skip
