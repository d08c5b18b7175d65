"""The walk of ports/: each folder's names decided at once when all are allocation
files, entry by entry otherwise, with the same paths, order and findings."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from portcheck.load import _ALLOCATION_NAME, _allocation_names, listing, walk
from tests.conftest import git, located


def _files(root: Path, *names: str) -> None:
    for name in names:
        path = root / "ports" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("port: 1\n")


def test_each_folder_lists_its_files_by_name_descending_then_its_folders(
    tmp_path: Path,
) -> None:
    # "a-b.yaml" < "a.yaml" < "a0.yaml" as names, while the ids sort "a" < "a-b" < "a0".
    _files(tmp_path, "a.yaml", "a-b.yaml", "a0.yaml", "z/b.yaml", "m/n/c.yaml", "m/d.yaml")
    _files(tmp_path, "m/README.md", "m/n/9-x-0.yaml")
    found = listing(tmp_path)
    assert found.paths == [
        "ports/a0.yaml",
        "ports/a.yaml",
        "ports/a-b.yaml",
        "ports/m/d.yaml",
        "ports/m/n/c.yaml",
        "ports/m/n/9-x-0.yaml",
        "ports/z/b.yaml",
    ]
    assert found.idents == ["a0", "a", "a-b", "d", "c", "9-x-0", "b"]
    assert found.problems == []


def test_one_bad_name_among_many_is_found_and_the_others_listed(tmp_path: Path) -> None:
    good = [f"svc-{n}.yaml" for n in range(300)]
    bad = ["-lead.yaml", "trail-.yaml", "two--hyphens.yaml", "a.yaml.yaml", ".yaml"]
    bad += [f"{'x' * 64}.yaml", "Upper.yaml", "notes.txt", "x.yml", "é.yaml", "a b.yaml"]
    for name in bad:
        _files(tmp_path, *good, name)
        found = listing(tmp_path)
        assert located(problem for _, problem in found.problems) == [
            (f"ports/{name}", 1, 1, "PC103")
        ], name
        assert sorted(found.paths) == sorted(f"ports/{n}" for n in good)
        assert sorted(found.idents) == sorted(n.removesuffix(".yaml") for n in good)
        (tmp_path / "ports" / name).unlink()
    _files(tmp_path, f"{'x' * 63}.yaml")
    assert f"ports/{'x' * 63}.yaml" in listing(tmp_path).paths


def test_a_link_or_a_folder_among_allocation_names_is_no_allocation(tmp_path: Path) -> None:
    ports = tmp_path / "ports"
    _files(tmp_path, "a.yaml", "b.yaml", "dir.yaml/c.yaml")
    (ports / "link.yaml").symlink_to(ports / "a.yaml")
    os.mkfifo(ports / "pipe.yaml")
    found = listing(tmp_path)
    assert found.paths == ["ports/b.yaml", "ports/a.yaml", "ports/dir.yaml/c.yaml"]
    assert found.idents == ["b", "a", "c"]
    assert located(problem for _, problem in found.problems) == [
        ("ports/pipe.yaml", 1, 1, "PC103"),
        ("ports/link.yaml", 1, 1, "PC103"),
    ]
    assert list(walk(tmp_path)) == [(path, None) for path in found.paths] + found.problems


def test_files_git_ignores_leave_the_paths_and_their_ids_alike(tmp_path: Path) -> None:
    _files(tmp_path, "a.yaml", "old.yaml", "scratch/b.yaml", "team/c.yaml", "team/d.yaml")
    _files(tmp_path, "scratch/notes.txt", "team/.c.yaml.swp")
    (tmp_path / ".gitignore").write_text("scratch/\nold.yaml\n*.swp\n")
    git(tmp_path, "init", "-q", "-b", "main")
    found = listing(tmp_path)
    assert found.paths == ["ports/a.yaml", "ports/team/d.yaml", "ports/team/c.yaml"]
    assert found.idents == ["a", "d", "c"]
    assert found.problems == []


_NAME_CHARACTERS = st.sampled_from("ab09-.yml/Z_\n")


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(st.sampled_from("a0-"), min_size=1, max_size=6).map(lambda s: f"{s}.yaml"),
            st.text(_NAME_CHARACTERS, min_size=1, max_size=8).map(lambda stem: f"{stem}.yaml"),
            st.text(_NAME_CHARACTERS, min_size=1, max_size=12),
            st.integers(60, 66).map(lambda size: f"{'a' * size}.yaml"),
        ).filter(lambda name: "/" not in name),
        min_size=1,
        max_size=6,
    )
)
def test_names_decided_at_once_as_one_by_one(names: list[str]) -> None:
    joined = "".join(f"{name}/" for name in names)
    expected = all(_ALLOCATION_NAME.fullmatch(name) for name in names)
    assert _allocation_names(joined) is expected
