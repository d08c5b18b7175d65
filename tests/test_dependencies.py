"""PC402 dangling-dependency: each depends_on item must be the id of a file on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import allocation, located, run, write_register

A = "ports/a.yaml"
BROKEN = "service: [unclosed\n"


def dangling(root: Path, *, loads_cleanly: bool = True) -> list[tuple[str, int, int, str]]:
    findings = run(root)
    if loads_cleanly:
        assert [f for f in findings if f.code < "PC300"] == []
    return located(f for f in findings if f.code == "PC402")


@pytest.mark.parametrize(
    ("depends_on", "expected"),
    [
        pytest.param("[b]", [], id="exists"),
        pytest.param("[a]", [], id="itself"),
        pytest.param("[nested]", [], id="in-a-subfolder"),
        pytest.param("[b, missing]", [(A, 7, 17, "PC402")], id="flow-item"),
        pytest.param(
            "\n  - missing\n  - b\n  - gone",
            [(A, 8, 5, "PC402"), (A, 10, 5, "PC402")],
            id="block-items",
        ),
        pytest.param("[]", [], id="empty"),
    ],
)
def test_dangling(tmp_path: Path, depends_on: str, expected: list[object]) -> None:
    root = write_register(
        tmp_path,
        {
            A: allocation(service="a", depends_on=depends_on),
            "ports/b.yaml": allocation(service="b", port=8081),
            "ports/team/nested.yaml": allocation(service="nested", port=8082),
        },
    )
    assert dangling(root) == expected


@pytest.mark.parametrize(
    "target",
    [
        pytest.param(BROKEN, id="target-fails-loading"),
        pytest.param(allocation(service="b", port=8081, owner=None), id="target-fails-schema"),
    ],
)
def test_broken_target_is_not_dangling(tmp_path: Path, target: str) -> None:
    root = write_register(
        tmp_path, {A: allocation(service="a", depends_on="[b]"), "ports/b.yaml": target}
    )
    assert dangling(root, loads_cleanly=False) == []


def test_broken_file_gets_no_dependency_finding(tmp_path: Path) -> None:
    root = write_register(tmp_path, {A: allocation(service="a", depends_on="[missing", port=8081)})
    assert dangling(root, loads_cleanly=False) == []
