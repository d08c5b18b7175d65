"""`portcheck impact`: dependents of an allocation, directly and transitively."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import allocation, cli, write_register


def register(tmp_path: Path, graph: dict[str, list[str]]) -> Path:
    """One allocation per id, on its own port, depending on the listed ids."""
    files = {
        f"ports/{ident}.yaml": allocation(
            service=ident, port=8000 + n, depends_on=f"[{', '.join(targets)}]"
        )
        for n, (ident, targets) in enumerate(graph.items())
    }
    return write_register(tmp_path, files)


def impact(root: Path, ident: str) -> tuple[int, str, str]:
    return cli("impact", ident, "--root", str(root))


def test_direct_and_transitive_nearest_first(tmp_path: Path) -> None:
    # db <- api <- web <- edge, and db <- batch; worker talks to api only
    graph = {
        "db": [],
        "api": ["db"],
        "batch": ["db"],
        "web": ["api"],
        "worker": ["api"],
        "edge": ["web"],
        "alone": [],
    }
    root = register(tmp_path, graph)
    assert impact(root, "db") == (
        0,
        "api ports/api.yaml\n"
        "batch ports/batch.yaml\n"
        "web ports/web.yaml (via api)\n"
        "worker ports/worker.yaml (via api)\n"
        "edge ports/edge.yaml (via web)\n",
        "",
    )
    assert impact(root, "web") == (0, "edge ports/edge.yaml\n", "")


def test_each_dependent_once_at_its_shortest_distance(tmp_path: Path) -> None:
    # a diamond plus a shortcut: top depends on db directly and through left and right
    graph = {"db": [], "left": ["db"], "right": ["db"], "top": ["left", "right", "db"]}
    root = register(tmp_path, graph)
    assert impact(root, "db")[1].splitlines() == [
        "left ports/left.yaml",
        "right ports/right.yaml",
        "top ports/top.yaml",
    ]


def test_cycles_end(tmp_path: Path) -> None:
    root = register(tmp_path, {"a": ["c"], "b": ["a"], "c": ["b"]})
    assert impact(root, "a") == (0, "b ports/b.yaml\nc ports/c.yaml (via b)\n", "")


def test_nothing_depends(tmp_path: Path) -> None:
    root = register(tmp_path, {"a": []})
    assert impact(root, "a") == (0, "", "Nothing depends on a.\n")


def test_unknown_id_is_refused(tmp_path: Path) -> None:
    root = register(tmp_path, {"a": []})
    assert impact(root, "nope") == (1, "", "portcheck: error: no allocation has the id 'nope'\n")


def test_an_id_whose_file_is_broken_still_has_dependents(tmp_path: Path) -> None:
    root = register(tmp_path, {"client": ["broken"]})
    (root / "ports/broken.yaml").write_text("port: [\n", encoding="utf-8")
    assert impact(root, "broken") == (0, "client ports/client.yaml\n", "")
