"""The gate's promise as a property: whatever sequence of pull requests (claims,
retirements, renumberings, renames, deletions, policy edits) is attempted, merging
only those whose check passes keeps `portcheck check` passing on main."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portcheck.engine import check_register
from portcheck.errors import UsageError
from portcheck.finding import Severity

from .conftest import AS_OF, POLICY, allocation, commit_all, edit, git, new_repo

PORTS = (9000, 9001, '"9001-9003"')
SCOPES = ("global", "prod", "prod/eu", "prod/us")
POLICIES = (
    POLICY,
    POLICY.replace("max_range: 64", "max_range: 2"),
    POLICY.replace("review_days: 365", 'review_days: "a year"'),
    POLICY.replace("prod/eu, ", ""),
    POLICY.replace('"1024-29999"', '"1024-9000"'),
)
DAYS = ("2026-01-13", AS_OF.isoformat(), "2026-12-24")

claims = st.tuples(
    st.just("claim"),
    st.sampled_from(PORTS),
    st.sampled_from(("tcp", "udp")),
    st.sampled_from(SCOPES),
)
edits = st.tuples(
    st.sampled_from(("renumber", "scope", "retire", "rename", "delete")),
    st.integers(0, 5),
    st.integers(0, 3),
)
policies = st.tuples(st.just("policy"), st.integers(0, len(POLICIES) - 1))


def text(service: str, port: object, protocol: str, scope: str, **extra: object) -> str:
    return allocation(
        service=service,
        port=port,
        protocol=protocol,
        scope=scope,
        allocated="2025-01-01",
        review_by="2099-01-01",
        **extra,
    )


def _text(fields: tuple[object, ...]) -> str:
    service, port, protocol, scope = fields[:4]
    return text(str(service), port, str(protocol), str(scope))


class Register:
    """main of a real repository, and the pull requests tried on it."""

    def __init__(self, root: Path) -> None:
        self.files: dict[str, tuple[object, ...]] = {"ports/a.yaml": ("a", 9000, "tcp", "global")}
        self.root = new_repo(root / "repo", {path: _text(f) for path, f in self.files.items()})
        self.trusted = root / "trusted"
        self.count = 0

    def attempt(self, op: tuple[object, ...]) -> None:
        shutil.copytree(self.root / "schema", self.trusted, dirs_exist_ok=True)
        self.count += 1
        git(self.root, "checkout", "-q", "-b", f"pr{self.count}", "main")
        files = self.apply(op)
        commit_all(self.root, f"pr{self.count}")
        passed = passes(self.root, self.trusted, base="main")
        git(self.root, "checkout", "-q", "-f", "main")
        if passed:
            git(self.root, "merge", "-q", "--no-ff", "-m", "merge", f"pr{self.count}")
            self.files = files
            assert passes(self.root, None, base=None), op  # the promise

    def apply(self, op: tuple[object, ...]) -> dict[str, tuple[object, ...]]:
        files = dict(self.files)
        if op[0] == "claim":
            name = f"c{self.count}"
            files[f"ports/{name}.yaml"] = (name, *op[1:])
            edit(self.root, {f"ports/{name}.yaml": _text((name, *op[1:]))})
        elif op[0] == "policy":
            assert isinstance(op[1], int)
            edit(self.root, {"schema/policy.yaml": POLICIES[op[1]]})
        elif files:
            self.edit_allocation(files, op)
        return files

    def edit_allocation(self, files: dict[str, tuple[object, ...]], op: tuple[object, ...]) -> None:
        kind, which, value = op
        assert isinstance(which, int)
        assert isinstance(value, int)
        path = sorted(files)[which % len(files)]
        service, port, protocol, scope = files[path][:4]
        if kind == "rename":
            new = f"ports/r{self.count}.yaml"
            git(self.root, "mv", path, new)
            files[new] = files.pop(path)
        elif kind == "delete":
            del files[path]
            edit(self.root, {path: None})
        elif kind == "retire":
            day = DAYS[value % len(DAYS)]
            extra = {"status": "retired", "retired_on": day}
            edit(self.root, {path: text(str(service), port, str(protocol), str(scope), **extra)})
            files[path] = (service, port, protocol, scope, "retired")
        else:
            port = PORTS[value % len(PORTS)] if kind == "renumber" else port
            scope = SCOPES[value % len(SCOPES)] if kind == "scope" else scope
            files[path] = (service, port, protocol, scope)
            edit(self.root, {path: text(str(service), port, str(protocol), str(scope))})


def passes(root: Path, policy: Path | None, base: str | None) -> bool:
    try:
        result = check_register(root, as_of=AS_OF, policy_dir=policy, base=base)
    except UsageError:
        return False
    return not any(finding.severity is Severity.ERROR for finding in result.findings)


@settings(max_examples=15, deadline=None)
@given(ops=st.lists(st.one_of(claims, edits, policies), min_size=1, max_size=4))
def test_merging_only_passing_pull_requests_keeps_main_passing(
    tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[object, ...]]
) -> None:
    register = Register(tmp_path_factory.mktemp("gate"))
    for op in ops:
        register.attempt(op)
