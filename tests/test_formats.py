"""Every output format: golden files, and each format parsed back.

Regenerate the golden files after an intended change with
`PORTCHECK_UPDATE_GOLDEN=1 pytest tests/test_formats.py`.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from portcheck import __version__
from portcheck.cli.check import OutputFormat
from portcheck.finding import Finding, Location, Severity
from portcheck.report import github, markdown
from portcheck.rules import RULES

from .conftest import (
    MD_ROW,
    allocation,
    cli,
    files_and_bytes,
    parse_commands,
    require_corpus,
    run,
    table_cells,
    write_register,
)

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("PORTCHECK_UPDATE_GOLDEN") == "1"
EPOCH = "1795737600"  # 2026-11-27T00:00:00Z

#: Everything owned, so the ownership rules stay quiet here (tests/test_ownership*.py).
CODEOWNERS = "* @acme/platform\n/ports/ @acme/team\n"
FILES = {
    "ports/a.yaml": allocation(service="a", scope="prod"),
    "ports/b.yaml": allocation(service="b", scope="prod/eu", review_by="2026-05-01"),
    "ports/old.yaml": allocation(service="old", port=9000, review_by="2026-05-01"),
    "ports/team/pg.yaml": allocation(service="pg", port=5432),
    "ports/team/broken.yaml": "service: [\n",
    "ports/Bad Name.yaml": allocation(service="x", port=9100),
    "ports/clean.yaml": allocation(service="clean", port=9200),
}
EXPECTED = [
    ("ports/Bad Name.yaml", 1, 1, "PC103", Severity.ERROR),
    ("ports/a.yaml", 2, 7, "PC400", Severity.ERROR),
    ("ports/b.yaml", 2, 7, "PC400", Severity.ERROR),
    ("ports/b.yaml", 8, 12, "PC600", Severity.WARNING),
    ("ports/old.yaml", 7, 12, "PC600", Severity.WARNING),
    ("ports/team/broken.yaml", 1, 11, "PC100", Severity.ERROR),
    ("ports/team/pg.yaml", 2, 7, "PC301", Severity.ERROR),
]
LINE_HASH = "primaryLocationLineHash"
SUFFIX = {
    "codequality": "codequality.json",
    "json": "json",
    "github": "txt",
    "sarif": "sarif.json",
    "junit": "xml",
    "markdown": "md",
}


@pytest.fixture
def register(tmp_path: Path) -> Path:
    root = write_register(tmp_path, {".github/CODEOWNERS": CODEOWNERS, **FILES})
    assert [(f.path, f.line, f.column, f.code, f.severity) for f in run(root)] == EXPECTED
    return root


@pytest.fixture(autouse=True)
def _reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def output(root: Path, fmt: str, *args: str) -> str:
    code, out, err = cli(
        "check", "--root", str(root), "--as-of", "2026-11-27", "--format", fmt, *args
    )
    assert code == 1, err
    return out


def normalised(text: str) -> str:
    """The golden form: no tool version, no host name."""
    text = re.sub(r'hostname="[^"]*"', 'hostname="HOST"', text)
    return text.replace(f'"{__version__}"', '"VERSION"')


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_golden(register: Path, fmt: str) -> None:
    golden = GOLDEN / f"check.{SUFFIX[fmt]}"
    got = normalised(output(register, fmt))
    if UPDATE:
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8")


def test_json_parses_back(register: Path) -> None:
    report = json.loads(output(register, "json"))
    assert [
        (f["path"], f["line"], f["column"], f["code"], f["severity"]) for f in report["findings"]
    ] == [(*where, str(severity)) for *where, severity in EXPECTED]
    assert report["summary"]["files"] == len(FILES)


def test_sarif_validates_against_the_oasis_schema(register: Path) -> None:
    from jsonschema import Draft4Validator

    schema = json.loads(
        (require_corpus("formats") / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
    )
    log = json.loads(output(register, "sarif"))
    assert list(Draft4Validator(schema).iter_errors(log)) == []
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert [(r["id"], r["name"]) for r in rules] == [(r.code, r.name) for r in RULES]
    assert all(r["help"]["text"] and r["shortDescription"]["text"] for r in rules)
    assert {r["defaultConfiguration"]["level"] for r in rules} == {"error", "warning"}
    found = []
    for result in run_["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert re.fullmatch(r"[0-9a-f]{32}:1", result["partialFingerprints"][LINE_HASH])
        where = result["locations"][0]["physicalLocation"]
        assert where["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        region = where["region"]
        found.append(
            (
                where["artifactLocation"]["uri"],
                region["startLine"],
                region["startColumn"],
                result["ruleId"],
                result["level"],
            )
        )
    assert found[0][0] == "ports/Bad%20Name.yaml"
    assert found[1:] == [(*where, str(severity)) for *where, severity in EXPECTED[1:]]
    collision = run_["results"][1]
    assert collision["message"]["text"] == (
        "tcp/8080 (prod/eu) also claimed by [ports/b.yaml:2:7](1); nearest free: 8079"
    )
    assert collision["relatedLocations"] == [
        {
            "id": 1,
            "physicalLocation": {
                "artifactLocation": {"uri": "ports/b.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 2, "startColumn": 7, "endLine": 2, "endColumn": 8},
            },
            "message": {"text": "ports/b.yaml:2:7"},
        }
    ]
    assert "%SRCROOT%" in run_["originalUriBaseIds"]
    assert run_["tool"]["driver"]["informationUri"].startswith("https://")
    assert all(r["helpUri"].endswith("#rules") for r in rules)
    assert {r["properties"]["precision"] for r in rules} == {"very-high"}


def test_sarif_fingerprints_ignore_line_moves(tmp_path: Path) -> None:
    from portcheck.report import sarif

    one = Finding(
        "ports/a.yaml", 2, 7, "PC400", "port-collision", Severity.ERROR, "x by ports/b.yaml:2:7"
    )
    moved = Finding(
        "ports/a.yaml", 5, 7, "PC400", "port-collision", Severity.ERROR, "x by ports/b.yaml:9:7"
    )
    other = Finding(
        "ports/a.yaml", 2, 7, "PC400", "port-collision", Severity.ERROR, "x by ports/c.yaml:2:7"
    )
    assert sarif.fingerprint(one) == sarif.fingerprint(moved) != sarif.fingerprint(other)


def test_junit_validates_against_the_jenkins_xunit_xsd(register: Path) -> None:
    """The schema that allows what GitLab reads (`file`, `system-out` in a test case);
    the strict Ant schema rejects both."""
    text = output(register, "junit")
    lxml = pytest.importorskip("lxml.etree")
    xsd = lxml.XMLSchema(lxml.parse(str(require_corpus("formats") / "junit-jenkins-xunit.xsd")))
    document = lxml.fromstring(text.encode())
    assert xsd.validate(document), xsd.error_log


def test_junit_cases_carry_their_file_and_their_warnings(register: Path) -> None:
    suite = ET.fromstring(output(register, "junit"))
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert all(name == case.get("file") for name, case in cases.items())
    old = cases["ports/old.yaml"]
    assert old.find("failure") is None
    assert [line.split()[1] for line in (old.findtext("system-out") or "").splitlines()] == [
        "PC600"
    ]
    assert cases["ports/clean.yaml"].find("system-out") is None


def test_junit_has_one_case_per_file(register: Path) -> None:
    suite = ET.fromstring(output(register, "junit"))
    cases = {case.get("name", ""): case for case in suite.iter("testcase")}
    assert sorted(cases) == sorted(FILES)
    failed = {name for name, case in cases.items() if case.find("failure") is not None}
    assert failed == {path for path, *_, severity in EXPECTED if severity is Severity.ERROR}
    b_failure = cases["ports/b.yaml"].find("failure")
    assert b_failure is not None
    assert b_failure.get("type") == "PC400"
    assert [line.split(": ")[1].split()[0] for line in (b_failure.text or "").splitlines()] == [
        "PC400",
        "PC600",
    ]
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("7", "5", "0")
    assert suite.get("timestamp") == "2026-11-27T00:00:00"


def test_junit_strict_fails_warnings_too(register: Path) -> None:
    suite = ET.fromstring(output(register, "junit", "--strict"))
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert cases["ports/old.yaml"].find("failure") is not None
    assert cases["ports/clean.yaml"].find("failure") is None


def test_github_commands_parse_back(register: Path) -> None:
    commands = parse_commands(output(register, "github"))
    got = [
        (p["file"], int(p["line"]), int(p["col"]), p["title"].split()[0], Severity(command))
        for command, p, _ in commands
    ]
    errors = [e for e in EXPECTED if e[4] is Severity.ERROR]
    warnings = [e for e in EXPECTED if e[4] is Severity.WARNING]
    # The first of each rule in catalogue order (PC100, PC103, PC301, PC400), then the second.
    by_rule = [errors[3], errors[0], errors[4], errors[1], errors[2]]
    assert got == by_rule + warnings
    assert all(p["endLine"] == p["line"] for _, p, _ in commands)


def finding(index: int, code: str, severity: Severity) -> Finding:
    return Finding(f"ports/f{index:02}.yaml", 2, 7, code, "name", severity, f"message {index}")


def test_github_puts_the_most_telling_first_and_counts_the_rest() -> None:
    findings = [finding(i, "PC400", Severity.ERROR) for i in range(20)]
    findings += [finding(20, "PC301", Severity.ERROR), finding(21, "PC100", Severity.ERROR)]
    findings += [finding(30 + i, "PC600", Severity.WARNING) for i in range(12)]
    commands = parse_commands(github.render(sorted(findings)))
    first_ten = [p["title"] for c, p, _ in commands if c == "error"][:10]
    assert first_ten[:3] == ["PC100 name", "PC301 name", "PC400 name"]
    assert commands[-1] == (
        "notice",
        {"title": "portcheck"},
        "12 more errors and 2 more warnings than GitHub shows as annotations (10 per type per "
        "step): the log above and the step summary list them all",
    )
    assert len(commands) == len(findings) + 1


def test_github_says_nothing_more_under_the_limit() -> None:
    text = github.render([finding(i, "PC400", Severity.ERROR) for i in range(10)])
    assert "::notice" not in text


def test_markdown_tables_parse_back(register: Path) -> None:
    text = output(register, "markdown")
    rows = [table_cells(line) for line in text.splitlines() if MD_ROW.match(line)]
    rule_rows = [r for r in rows if len(r) == 4 and r[0].strip().startswith("PC")]
    assert [(r[0].strip(), r[2].strip(), r[3].strip()) for r in rule_rows] == [
        ("PC100", "1", "0"),
        ("PC103", "1", "0"),
        ("PC301", "1", "0"),
        ("PC400", "2", "0"),
        ("PC600", "0", "2"),
    ]
    file_rows = [r for r in rows if len(r) == 3 and r[0].strip().startswith("ports/")]
    assert file_rows[0] == [" ports/b.yaml ", " 1 ", " 1 "]
    assert len(file_rows) == 6
    finding_rows = [r for r in rows if len(r) == 4 and ".yaml:" in r[0]]
    assert len(finding_rows) == len(EXPECTED)


def test_markdown_stays_within_its_budget() -> None:
    findings = [finding(i, "PC400", Severity.ERROR) for i in range(5000)]
    full = markdown.render(findings, 5000)
    cut = markdown.render(findings, 5000, budget=20_000)
    assert len(full.encode()) > 20_000 >= len(cut.encode())
    assert "more findings not shown" in cut
    assert cut.startswith(full[: full.index("| file |")])
    assert markdown.render(findings, 5000, budget=100) == ""


def test_summary_appends_and_never_truncates(register: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# Earlier step output", encoding="utf-8")
    output(register, "text", "--summary", str(summary))
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# Earlier step output\n## portcheck\n")
    output(register, "text", "--summary", str(summary))
    assert summary.read_text(encoding="utf-8").count("## portcheck") == 2


def test_summary_stays_under_githubs_limit(tmp_path: Path) -> None:
    files = {f"ports/s{i:04}.yaml": allocation(service=f"s{i}", port=30000 + i) for i in range(400)}
    root = write_register(tmp_path / "big", {".github/CODEOWNERS": CODEOWNERS, **files})
    summary = tmp_path / "summary.md"
    prefix = "x" * (markdown.STEP_SUMMARY_LIMIT - 30_000) + "\n"
    summary.write_text(prefix, encoding="utf-8")
    output(root, "json", "--summary", str(summary))
    written = summary.read_bytes()
    assert written.startswith(prefix.encode())
    assert len(written) <= markdown.STEP_SUMMARY_LIMIT
    assert b"more findings not shown" in written


def test_a_full_summary_is_left_alone(register: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_bytes(b"x" * markdown.STEP_SUMMARY_LIMIT)
    code, _, err = cli(
        "check", "--root", str(register), "--as-of", "2026-11-27", "--summary", str(summary)
    )
    assert code == 1
    assert summary.stat().st_size == markdown.STEP_SUMMARY_LIMIT
    assert "no summary written" in err


def test_an_empty_summary_path_writes_nothing(
    register: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(register)  # where a relative path would land
    output(register, "text")  # the parse cache (.portcheck-cache/) is written once, here
    before = files_and_bytes(tmp_path)
    code, out, _ = cli("check", "--root", str(register), "--as-of", "2026-11-27", "--summary", "")
    assert code == 1
    assert out == output(register, "text")  # the report itself is unchanged
    assert files_and_bytes(tmp_path) == before


def test_an_unwritable_summary_is_a_usage_error(register: Path, tmp_path: Path) -> None:
    code, out, err = cli(
        "check", "--root", str(register), "--summary", str(tmp_path / "no" / "such.md")
    )
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert err.startswith("portcheck: error: --summary ")


#: How each format shows where the other side of a collision is.
def _related(fmt: OutputFormat, text: str) -> set[tuple[str, int, int]]:
    if fmt is OutputFormat.JSON:
        found = json.loads(text)["findings"]
        return {(r["path"], r["line"], r["column"]) for f in found for r in f["related"]}
    if fmt is OutputFormat.SARIF:
        results = json.loads(text)["runs"][0]["results"]
        return {
            (
                place["physicalLocation"]["artifactLocation"]["uri"],
                place["physicalLocation"]["region"]["startLine"],
                place["physicalLocation"]["region"]["startColumn"],
            )
            for result in results
            for place in result["relatedLocations"]
        }
    if fmt is OutputFormat.GITHUB:
        text = "\n".join(data for _, _, data in parse_commands(text))
    if fmt is OutputFormat.JUNIT:
        text = "\n".join(failure.text or "" for failure in ET.fromstring(text).iter("failure"))
    if fmt is OutputFormat.MARKDOWN:
        text = "\n".join(
            "|".join(table_cells(line)) for line in text.splitlines() if MD_ROW.match(line)
        )
    places = re.findall(r"also claimed by (ports/[a-z.]+):([0-9]+):([0-9]+)", text)
    return {(path, int(line), int(column)) for path, line, column in places}


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_related_locations_survive_every_format(tmp_path: Path, fmt: OutputFormat) -> None:
    files = {
        ".github/CODEOWNERS": CODEOWNERS,
        "ports/a.yaml": allocation(service="a"),
        "ports/b.yaml": allocation(service="b"),
    }
    root = write_register(tmp_path, files)
    both = {("ports/a.yaml", 2, 7), ("ports/b.yaml", 2, 7)}
    assert _related(fmt, output(root, fmt.value)) == both


def test_sarif_related_locations_have_a_whole_region() -> None:
    collision = Finding(
        "ports/a.yaml",
        2,
        7,
        "PC400",
        "port-collision",
        Severity.ERROR,
        "tcp/8080 also claimed by ports/b.yaml:2:7",
        (Location("ports/b.yaml", 2, 7),),
    )
    from portcheck.report import sarif

    result = json.loads(sarif.render([collision]))["runs"][0]["results"][0]
    assert result["relatedLocations"][0]["physicalLocation"]["region"] == {
        "startLine": 2,
        "startColumn": 7,
        "endLine": 2,
        "endColumn": 8,
    }


#: GitLab's documented Code Quality issue (docs.gitlab.com, "Code Quality report
#: format"): the fields GitLab reads, each required, and nothing it would reject.
CODEQUALITY_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "type": {"const": "issue"},
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "categories": {"type": "array", "items": {"type": "string"}},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}


def test_codequality_is_what_gitlab_reads(register: Path) -> None:
    from jsonschema import Draft202012Validator

    issues = json.loads(output(register, "codequality"))
    assert list(Draft202012Validator(CODEQUALITY_SCHEMA).iter_errors(issues)) == []
    assert [
        (i["location"]["path"], i["location"]["lines"]["begin"], i["check_name"], i["severity"])
        for i in issues
    ] == [
        (path, line, code, "major" if severity is Severity.ERROR else "minor")
        for path, line, _, code, severity in EXPECTED
    ]
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_codequality_fingerprints_are_unique_and_ignore_line_moves() -> None:
    from portcheck.report import codequality

    def at(line: int) -> Finding:
        return Finding("ports/a.yaml", line, 1, "PC201", "unknown-field", Severity.ERROR, "x")

    twice = json.loads(codequality.render([at(2), at(5)]))
    moved = json.loads(codequality.render([at(3), at(9)]))
    assert twice[0]["fingerprint"] != twice[1]["fingerprint"]
    assert [i["fingerprint"] for i in twice] == [i["fingerprint"] for i in moved]
