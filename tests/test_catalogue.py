"""The rule catalogue and the docs stay honest (a meta-test)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portcheck.checks import CHECKS, Check
from portcheck.cli import app
from portcheck.finding import Severity
from portcheck.register import Register, build_register, read_policy
from portcheck.rules import BY_CODE, RULES

from .conftest import AS_OF, allocation, write_register

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
SPEC_TABLE = {  # the stable codes, names and severities (README, Rules)
    "PC100": "yaml-syntax", "PC101": "yaml-duplicate-key", "PC102": "yaml-unsafe",
    "PC103": "bad-file", "PC200": "schema", "PC201": "unknown-field",
    "PC202": "ambiguous-number", "PC300": "outside-range", "PC301": "reserved-range",
    "PC302": "protocol-not-allowed", "PC303": "unknown-scope", "PC304": "range-too-large",
    "PC400": "port-collision", "PC401": "duplicate-id", "PC402": "dangling-dependency",
    "PC500": "not-code-owned", "PC501": "owner-mismatch", "PC502": "codeowners-invalid",
    "PC600": "review-overdue", "PC601": "expired", "PC602": "reclaimable",
    "PC700": "renumbered", "PC701": "released-without-retiring",
    "PC702": "policy-and-allocations-together",
    "PC703": "backdated", "PC800": "exception-invalid", "PC801": "exception-unused",
    "PC802": "exception-expired", "PC104": "modeline-unresolved",
}  # fmt: skip
WARNINGS = {"PC104", "PC600", "PC601", "PC602", "PC801", "PC802"}


def test_codes_names_and_severities_follow_the_spec() -> None:
    assert {rule.code: rule.name for rule in RULES} == SPEC_TABLE
    assert len(BY_CODE) == len(RULES)
    for rule in RULES:
        expected = Severity.WARNING if rule.code in WARNINGS else Severity.ERROR
        assert rule.severity is expected, rule.code


def test_every_rule_is_documented_in_ruff_shape() -> None:
    for rule in RULES:
        headings = re.findall(r"^## (.+)$", rule.docs, flags=re.MULTILINE)
        assert headings == ["What it does", "Why is this bad?", "Example", "Use instead"], rule.code
        assert rule.summary.endswith("."), rule.code


def test_check_modules_report_only_catalogued_codes() -> None:
    claimed = [rule.code for check in CHECKS for rule in check.RULES]
    assert len(claimed) == len(set(claimed))
    assert set(claimed) <= set(BY_CODE)


def test_readme_lists_every_command_and_rule() -> None:
    for command in app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        assert f"portcheck {name}" in README, name
    for rule in RULES:
        assert f"| {rule.code} | {rule.name} | {rule.severity} |" in README, rule.code


#: One file (or pair) per rule a check can report, each on its own port so that no
#: rule hides another (README, Rules: the most specific finding alone is reported).
EVERY_CHECK_FIRES = {
    "ports/outside.yaml": allocation(service="outside", port=30500, protocol="udp"),
    "ports/reserved.yaml": allocation(service="reserved", port=5432),
    "ports/dccp.yaml": allocation(service="dccp", port=8100, protocol="dccp"),
    "ports/asia.yaml": allocation(service="asia", port=8101, scope="prod/asia"),
    "ports/wide.yaml": allocation(service="wide", port='"2000-2100"'),
    "ports/one.yaml": allocation(service="one", port=8080),
    "ports/two.yaml": allocation(service="two", port=8080),
    "ports/twin.yaml": allocation(service="twin", port=8102),
    "ports/team/twin.yaml": allocation(service="twin", port=8103),
    "ports/dangling.yaml": allocation(service="dangling", port=8104, depends_on="[nowhere]"),
    "ports/orphan/lost.yaml": allocation(service="lost", port=8105),
    "ports/mismatch.yaml": allocation(service="mismatch", port=8106, owner='"@acme/other"'),
    "ports/overdue.yaml": allocation(service="overdue", port=8107, review_by="2026-05-01"),
    "ports/expired.yaml": allocation(
        service="expired", port=8108, status="reserved", expires="2026-06-01"
    ),
    "ports/gone.yaml": allocation(
        service="gone", port=8109, status="retired", retired_on="2026-04-01"
    ),
    "ports/team/moved.yaml": "# yaml-language-server: $schema=../schema/allocation.schema.json\n"
    + allocation(service="moved", port=8110),
    ".github/CODEOWNERS": "* @acme/platform\n/ports/ @acme/team\n/ports/orphan/\n!/x @acme/team\n",
}


@pytest.fixture(scope="module")
def every_check_fires(tmp_path_factory: pytest.TempPathFactory) -> Register:
    root = write_register(tmp_path_factory.mktemp("register"), EVERY_CHECK_FIRES)
    register, failed = build_register(root, read_policy(root, None), AS_OF)
    assert failed == []
    return register


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__.rsplit(".")[-1])
def test_each_check_emits_exactly_the_rules_it_declares(
    every_check_fires: Register, check: Check
) -> None:
    emitted = {finding.code for finding in check.check(every_check_fires)}
    assert emitted == {rule.code for rule in check.RULES}


#: What a fork of the register does not have: the product contract and style guide
#: this repository was built from. Code and docs cite README.md or docs/ instead.
OUTSIDE_DOCUMENTS = re.compile(r"\bSPEC\b ?§|\b(SPEC|STYLE)\.md\b")
REPO = Path(__file__).resolve().parents[1]


def test_nothing_cites_a_document_outside_the_repository() -> None:
    folders = ["portcheck", "tests", "benchmarks", "docs", ".github", "schema", ".ci"]
    files = [path for folder in folders for path in (REPO / folder).rglob("*") if path.is_file()]
    files += [REPO / "README.md", REPO / "action.yml", REPO / "pyproject.toml"]
    citing = [
        str(path.relative_to(REPO))
        for path in files
        if "__pycache__" not in path.parts
        and path.suffix not in {".pyc"}
        and OUTSIDE_DOCUMENTS.search(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert citing == []
