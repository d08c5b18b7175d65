"""PC401 duplicate-id: one id (file stem) in several folders under ports/."""

from __future__ import annotations

from pathlib import Path

from portcheck.finding import Location
from tests.conftest import allocation, located, run, write_register

BROKEN = "service: [unclosed\n"


def duplicates(root: Path) -> list[tuple[str, int, int, str]]:
    return located(f for f in run(root) if f.code == "PC401")


def loads_cleanly(root: Path) -> bool:
    return all(f.code >= "PC300" for f in run(root))


def test_unique_ids(tmp_path: Path) -> None:
    root = write_register(
        tmp_path,
        {
            "ports/api.yaml": allocation(service="api", port=8080),
            "ports/x/api-v2.yaml": allocation(service="api", port=8081),
        },
    )
    assert loads_cleanly(root)
    assert duplicates(root) == []


def test_each_copy_points_at_the_others(tmp_path: Path) -> None:
    paths = ["ports/api.yaml", "ports/x/api.yaml", "ports/y/z/api.yaml"]
    root = write_register(
        tmp_path, {path: allocation(service="api", port=8080 + n) for n, path in enumerate(paths)}
    )
    assert loads_cleanly(root)
    found = [f for f in run(root) if f.code == "PC401"]
    assert located(found) == [(path, 1, 1, "PC401") for path in paths]
    assert [f.related for f in found] == [
        (Location(paths[1]), Location(paths[2])),
        (Location(paths[0]), Location(paths[2])),
        (Location(paths[0]), Location(paths[1])),
    ]


def test_file_that_fails_loading_gets_nothing_but_is_named(tmp_path: Path) -> None:
    root = write_register(
        tmp_path, {"ports/x/api.yaml": allocation(service="api"), "ports/y/api.yaml": BROKEN}
    )
    found = [f for f in run(root) if f.code == "PC401"]
    assert located(found) == [("ports/x/api.yaml", 1, 1, "PC401")]
    assert found[0].related == (Location("ports/y/api.yaml"),)


def test_file_that_fails_schema_still_gets_it(tmp_path: Path) -> None:
    root = write_register(
        tmp_path,
        {
            "ports/x/api.yaml": allocation(service="api"),
            "ports/y/api.yaml": allocation(service="api", owner=None, port=8081),
        },
    )
    assert duplicates(root) == [
        ("ports/x/api.yaml", 1, 1, "PC401"),
        ("ports/y/api.yaml", 1, 1, "PC401"),
    ]
