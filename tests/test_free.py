"""`portcheck free`, and the interval arithmetic under it, on the small policy.

Free for tcp in an empty register: 2000-2002, 2005-2009, 3000-3004.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from portcheck.actions.free import intersect, nearest_block, subtract
from portcheck.model import PortSpan, merge_spans
from tests.conftest import SMALL_POLICY, allocation, cli, write_register


def spans(*pairs: tuple[int, int]) -> list[PortSpan]:
    return [PortSpan(*pair) for pair in pairs]


def free(root: Path, *args: str) -> tuple[int, str, str]:
    return cli("free", "--root", str(root), "--as-of", "2026-11-27", *args)


@pytest.mark.parametrize(
    ("held", "args", "expected"),
    [
        pytest.param({}, [], ["2000-2002", "2005-2009", "3000-3004"], id="empty-default-tcp"),
        pytest.param({}, ["--protocol", "udp"], ["2000-2009"], id="udp-has-no-reserved-block"),
        pytest.param(
            {"a": {"port": 2001}, "b": {"port": '"2006-2008"'}},
            [],
            ["2000", "2002", "2005", "2009", "3000-3004"],
            id="single-ports-and-ranges",
        ),
        pytest.param(
            {"a": {"port": 2001, "scope": "prod/eu"}},
            ["--scope", "prod/us"],
            ["2000-2002", "2005-2009", "3000-3004"],
            id="sibling-scope-free",
        ),
        pytest.param(
            {"a": {"port": 2001, "scope": "prod/eu"}},
            ["--scope", "prod"],
            ["2000", "2002", "2005-2009", "3000-3004"],
            id="child-scope-occupies-parent",
        ),
        pytest.param(
            {"a": {"port": 2001, "status": "retired", "retired_on": "2026-03-20"}},
            [],
            ["2000", "2002", "2005-2009", "3000-3004"],
            id="retired-occupies",
        ),
        pytest.param(
            {"a": {"port": 2001, "protocol": "udp"}},
            ["--protocol", "tcp", "--protocol", "udp"],
            ["2000", "2002", "2005-2009"],
            id="free-in-every-protocol",
        ),
        pytest.param({}, ["--limit", "2"], ["2000-2002", "2005-2009"], id="limit-counts-lines"),
    ],
)
def test_free(
    tmp_path: Path, held: dict[str, dict[str, object]], args: list[str], expected: list[str]
) -> None:
    files = {f"ports/{name}.yaml": allocation(service=name, **f) for name, f in held.items()}
    root = write_register(tmp_path, files, policy=SMALL_POLICY)
    code, out, err = free(root, *args)
    assert (code, out.splitlines(), err) == (0, expected, "")


def test_nothing_free_prints_nothing(tmp_path: Path) -> None:
    files = {"ports/a.yaml": allocation(port='"2000-2007"', protocol="udp")}
    files["ports/b.yaml"] = allocation(service="b", port='"2008-2009"', protocol="udp")
    root = write_register(tmp_path, files, policy=SMALL_POLICY)
    assert free(root, "--protocol", "udp") == (0, "", "")


def test_broken_files_are_warned_about(tmp_path: Path) -> None:
    root = write_register(tmp_path, {"ports/bad.yaml": "port: [\n"}, policy=SMALL_POLICY)
    code, out, err = free(root, "--limit", "1")
    assert (code, out) == (0, "2000-2002\n")
    assert err == (
        "portcheck: warning: 1 files do not load; their ports are not counted (portcheck check)\n"
    )


def test_limit_must_be_positive(tmp_path: Path) -> None:
    root = write_register(tmp_path, {}, policy=SMALL_POLICY)
    code, out, err = free(root, "--limit", "0")
    assert (code, out) == (2, "")
    assert err.startswith("portcheck: error: Invalid value for '--limit'")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (spans((5, 6), (1, 2), (3, 3)), spans((1, 3), (5, 6))),  # adjacent join, gaps stay
        (spans((1, 10), (2, 3)), spans((1, 10))),
        (spans((1, 2), (4, 5)), spans((1, 2), (4, 5))),
        ([], []),
    ],
)
def test_merge_spans(given: list[PortSpan], expected: list[PortSpan]) -> None:
    assert merge_spans(given) == expected


@pytest.mark.parametrize(
    ("given", "holes", "expected"),
    [
        (spans((1, 10)), spans((3, 4), (6, 6)), spans((1, 2), (5, 5), (7, 10))),
        (spans((1, 10)), spans((1, 10)), []),
        (spans((1, 3), (5, 8)), spans((2, 6)), spans((1, 1), (7, 8))),
        (spans((5, 8)), spans((1, 2), (10, 12)), spans((5, 8))),
        (spans((1, 65535)), [], spans((1, 65535))),
    ],
)
def test_subtract(given: list[PortSpan], holes: list[PortSpan], expected: list[PortSpan]) -> None:
    assert subtract(given, holes) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (spans((1, 10)), spans((5, 20)), spans((5, 10))),
        (spans((1, 3), (7, 9)), spans((2, 8)), spans((2, 3), (7, 8))),
        (spans((1, 3)), spans((4, 6)), []),
    ],
)
def test_intersect(a: list[PortSpan], b: list[PortSpan], expected: list[PortSpan]) -> None:
    assert intersect(a, b) == expected


@pytest.mark.parametrize(
    ("near", "size", "expected"),
    [
        (15, 1, PortSpan(10, 10)),  # 10 and 20 are equally near: the lower wins
        (16, 1, PortSpan(20, 20)),
        (0, 2, PortSpan(20, 21)),  # 10 alone is too small
        (100, 2, PortSpan(29, 30)),
        (25, 30, None),
    ],
)
def test_nearest_block(near: int, size: int, expected: PortSpan | None) -> None:
    assert nearest_block(spans((10, 10), (20, 30)), size, near) == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--protocol", "sctp"], "the policy accepts tcp, udp, not sctp: PC302"),
        (["--scope", "prod/asia"], "scope 'prod/asia' is not in the policy's scopes: PC303"),
    ],
)
def test_free_refuses_what_claim_refuses(tmp_path: Path, args: list[str], message: str) -> None:
    root = write_register(tmp_path, {}, policy=SMALL_POLICY)
    assert free(root, *args) == (1, "", f"portcheck: error: {message}\n")
