"""The rule catalogue and the docs stay honest (STYLE.md's meta-test)."""

from __future__ import annotations

import re
from pathlib import Path

from portcheck.checks import CHECKS
from portcheck.cli import app
from portcheck.finding import Severity
from portcheck.rules import BY_CODE, RULES

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
SPEC_TABLE = {  # SPEC §4: stable codes, names and severities
    "PC100": "yaml-syntax", "PC101": "yaml-duplicate-key", "PC102": "yaml-unsafe",
    "PC103": "bad-file", "PC200": "schema", "PC201": "unknown-field",
    "PC202": "ambiguous-number", "PC300": "outside-range", "PC301": "reserved-range",
    "PC302": "protocol-not-allowed", "PC303": "unknown-scope", "PC304": "range-too-large",
    "PC400": "port-collision", "PC401": "duplicate-id", "PC402": "dangling-dependency",
    "PC500": "not-code-owned", "PC501": "owner-mismatch", "PC502": "codeowners-invalid",
    "PC600": "review-overdue", "PC601": "expired", "PC602": "reclaimable",
    "PC700": "renumbered", "PC701": "released-without-retiring",
    "PC702": "policy-and-allocations-together",
    "PC104": "modeline-unresolved",
}  # fmt: skip
WARNINGS = {"PC600", "PC601", "PC602", "PC104"}


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
