"""PC400 names the nearest free port, the same one `portcheck claim --port` would offer."""

from __future__ import annotations

from pathlib import Path

import pytest

from portcheck.actions.claim import ClaimRequest, plan
from portcheck.actions.free import Want
from portcheck.errors import Refused
from portcheck.register import build_register, read_policy
from tests.conftest import AS_OF, allocation, run, write_register


def suffixes(root: Path) -> list[tuple[str, str]]:
    return [(f.path, f.message.rpartition("; ")[2]) for f in run(root) if f.code == "PC400"]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {"a": allocation(service="a", port=8080), "b": allocation(service="b", port=8080)},
            [("ports/a.yaml", "nearest free: 8079"), ("ports/b.yaml", "nearest free: 8079")],
            id="lower-on-a-tie",
        ),
        pytest.param(
            {
                "a": allocation(service="a", port=1024),
                "b": allocation(service="b", port=1024),
                "c": allocation(service="c", port=1025),
            },
            [("ports/a.yaml", "nearest free: 1026"), ("ports/b.yaml", "nearest free: 1026")],
            id="bottom-of-the-range",
        ),
        pytest.param(
            {
                "a": allocation(service="a", port=5000, scope="prod/eu"),
                "b": allocation(service="b", port=5000, scope="prod"),
                "c": allocation(service="c", port=4999, scope="prod/us"),
            },
            [("ports/a.yaml", "nearest free: 4999"), ("ports/b.yaml", "nearest free: 5001")],
            id="scope-aware",
        ),
    ],
)  # fmt: skip
def test_pc400_names_the_nearest_free_port(
    tmp_path: Path, files: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    root = write_register(tmp_path, {f"ports/{name}.yaml": text for name, text in files.items()})
    assert suffixes(root) == expected


def test_pc400_and_claim_agree(tmp_path: Path) -> None:
    root = write_register(
        tmp_path,
        {
            "ports/a.yaml": allocation(service="a", port=8080),
            "ports/b.yaml": allocation(service="b", port=8079),
        },
    )
    register, _ = build_register(root, read_policy(root, None), AS_OF)
    request = ClaimRequest("new", "new", Want(("tcp",)), "@acme/team", "x", port=8080)
    with pytest.raises(Refused) as refused:
        plan(register, request)
    offered = refused.value.message.rpartition("; ")[2]
    assert offered == "nearest free: 8081"
    (root / "ports/c.yaml").write_text(allocation(service="c", port=8080), encoding="utf-8")
    assert ("ports/c.yaml", offered) in suffixes(root)
