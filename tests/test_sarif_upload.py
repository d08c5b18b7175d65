"""SARIF as GitHub code scanning reads it: embedded links, fingerprints, and its limits.

The OASIS schema and the golden file are in test_formats.py; here the rules
GitHub documents for uploads, checked by the SARIF multitool's GitHub rule set
(npm @microsoft/sarif-multitool, installed by .ci/run) and by hand.
"""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

from portcheck.finding import Finding, Location, Severity
from portcheck.report import sarif

from .conftest import allocation, cli, require_npm_tool, write_register


def finding(number: int, code: str = "PC400", related: int = 0) -> Finding:
    return Finding(
        f"ports/s{number:05}.yaml",
        2,
        7,
        code,
        "port-collision",
        Severity.ERROR,
        f"tcp/8080 (global) also claimed by [x] ports/r0.yaml:2:7 #{number}",
        tuple(Location(f"ports/r{n}.yaml", 2, 7) for n in range(related)),
    )


def results(text: str) -> list[dict[str, object]]:
    found: list[dict[str, object]] = json.loads(text)["runs"][0]["results"]
    return found


def notes(text: str) -> list[str]:
    invocations = json.loads(text)["runs"][0].get("invocations", [])
    return [n["message"]["text"] for i in invocations for n in i["toolExecutionNotifications"]]


def test_related_locations_are_linked_from_the_message_and_brackets_escaped() -> None:
    (result,) = results(sarif.render([finding(1, related=2)]))
    assert result["message"] == {
        "text": "tcp/8080 (global) also claimed by \\[x\\] [ports/r0.yaml:2:7](1) #1"
    }
    assert [r["id"] for r in result["relatedLocations"]] == [1, 2]  # type: ignore[attr-defined]


def test_a_message_naming_no_related_location_links_them_all() -> None:
    lone = Finding("CODEOWNERS", 3, 1, "PC500", "n", Severity.ERROR, "no owner", (Location("a"),))
    (result,) = results(sarif.render([lone]))
    assert result["message"] == {"text": "no owner (see [a:1:1](1))"}


def test_the_documented_limits() -> None:
    assert (sarif.MAX_RESULTS, sarif.MAX_RELATED, sarif.MAX_GZIPPED) == (25_000, 1_000, 10**7)


def test_results_over_the_cap_are_left_out_with_a_note_errors_kept() -> None:
    findings = [finding(n, "PC600") for n in range(30)] + [finding(99)]
    text = sarif.render(findings, max_results=10)
    assert len(results(text)) == 10
    assert "ports/s00099.yaml" in {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]  # type: ignore[index]
        for r in results(text)
    }
    assert notes(text) == [
        "21 of 31 findings are left out to stay within code scanning's limits "
        "(25,000 results, 10 MB gzipped); the text and JSON formats list all"
    ]


def test_related_locations_are_capped_at_1000_with_a_note() -> None:
    text = sarif.render([finding(1, related=1500)])
    (result,) = results(text)
    assert len(result["relatedLocations"]) == 1000  # type: ignore[arg-type]
    assert notes(text) == [
        "1 results list only their first 1000 related locations "
        "(code scanning's limit); the JSON format lists all"
    ]


def test_the_gzipped_log_stays_under_its_cap() -> None:
    findings = [finding(n, related=20) for n in range(200)]
    whole = sarif.render(findings)
    limit = len(gzip.compress(whole.encode(), 6)) // 3
    text = sarif.render(findings, max_gzipped=limit)
    assert len(gzip.compress(text.encode(), 6)) <= limit
    assert 0 < len(results(text)) < 200
    assert notes(text)[0].endswith(
        "of 200 findings are left out to stay within code "
        "scanning's limits (25,000 results, 10 MB gzipped); "
        "the text and JSON formats list all"
    )


def test_many_files_on_one_port_stay_one_result_each(tmp_path: Path) -> None:
    names = [f"s{n:03}" for n in range(161)]
    root = write_register(tmp_path, {f"ports/{n}.yaml": allocation(service=n) for n in names})
    code, out, _ = cli("check", "--root", str(root), "--format", "sarif", "--as-of", "2026-11-27")
    assert code == 1
    found = results(out)
    assert len(found) == 161
    # The first 100 others by path (checks/collisions.RELATED_MAX); the message counts all.
    assert len(found[0]["relatedLocations"]) == 100  # type: ignore[arg-type]
    code, out, _ = cli("check", "--root", str(root), "--format", "json", "--as-of", "2026-11-27")
    first = json.loads(out)["findings"][0]
    assert len(first["related"]) == 100
    assert "and 157 more" in first["message"]


def test_the_multitool_github_rules_find_nothing(tmp_path: Path) -> None:
    tool = require_npm_tool("PORTCHECK_SARIF_MULTITOOL", "@microsoft/sarif-multitool")
    root = write_register(
        tmp_path / "repo",
        {
            "ports/a.yaml": allocation(service="a"),
            "ports/b.yaml": allocation(service="b"),
            "ports/c.yaml": allocation(service="c", port=9000, review_by="2026-01-01"),
            "ports/d.yaml": "service: [\n",
        },
    )
    code, out, _ = cli("check", "--root", str(root), "--format", "sarif", "--as-of", "2026-11-27")
    assert code == 1
    assert len(results(out)) == 4
    log = tmp_path / "portcheck.sarif"
    log.write_text(out, encoding="utf-8")
    report = tmp_path / "validation.sarif"
    done = subprocess.run(
        [str(tool), "validate", "--rule-kind", "Gh;Sarif", "--output", str(report), str(log)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    found = results(report.read_text(encoding="utf-8"))
    assert [r["message"] for r in found] == [], done.stdout
