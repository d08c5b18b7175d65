"""Hostile and invalid input: a located finding for each file, never a traceback,
in bounded time and memory."""

from __future__ import annotations

import json
import re
import resource
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped]  # no stubs in the dev extras

from .conftest import CORPORA, console_script, require_corpus, write_register

MEMORY_LIMIT = 2 * 1024**3  # bytes of address space for the whole run
TIME_LIMIT = 120  # seconds


def _safe_id(prefix: str, name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower().removesuffix(".yaml")).strip("-")
    return f"{prefix}-{slug}"[:63].rstrip("-")


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A register holding every hostile file and every YAML-test-suite case, and symlinks."""
    hostile = require_corpus("hostile") / "files"
    suite = require_corpus("yaml-test-suite")
    root = write_register(tmp_path_factory.mktemp("hostile"), {})
    copied: dict[str, str] = {}
    sources = [("hostile", p) for p in sorted(hostile.glob("*.yaml"))]
    sources += [("yts", p) for p in sorted((suite / "error").glob("*.yaml"))]
    sources += [("valid", p) for p in sorted((suite / "valid").glob("*.yaml"))]
    for prefix, source in sources:
        relative = f"ports/{_safe_id(prefix, source.name)}.yaml"
        assert relative not in copied
        shutil.copyfile(source, root / relative)
        copied[relative] = f"{prefix}:{source.name}"
    (root / "ports/link-outside.yaml").symlink_to("/etc/passwd")
    (root / "ports/link-dangling.yaml").symlink_to(root / "nowhere.yaml")
    return root, copied


def _check(root: Path, *options: str) -> subprocess.CompletedProcess[str]:
    command = [console_script(), "check", "--root", str(root), "--as-of", "2026-11-27"]
    return subprocess.run(
        [*command, *options],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        preexec_fn=_limit_memory,
        check=False,
    )


def test_every_hostile_and_invalid_file_gets_a_located_error(
    hostile: tuple[Path, dict[str, str]],
) -> None:
    root, copied = hostile
    result = _check(root, "--format", "json")
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    errors: dict[str, list[dict[str, object]]] = {}
    for finding in report["findings"]:
        assert finding["line"] >= 1
        assert finding["column"] >= 1
        if finding["severity"] == "error":
            errors.setdefault(str(finding["path"]), []).append(finding)
    # Only one of these is a valid allocation that collides with nothing: a range
    # written as a plain string. The valid YAML-suite cases are not allocations, and
    # the other valid hostile files all claim tcp/8080 and so collide.
    missing = sorted(copied[path] for path in copied if path not in errors)
    assert missing == ["hostile:port_range_string.yaml"]
    assert [f["code"] for f in errors["ports/link-outside.yaml"]] == ["PC103"]
    assert [f["code"] for f in errors["ports/link-dangling.yaml"]] == ["PC103"]
    codes = {f["code"] for found in errors.values() for f in found}
    assert {"PC100", "PC101", "PC102", "PC103", "PC200", "PC201", "PC202"} <= codes


@pytest.mark.parametrize("output", ["text", "github", "sarif", "junit", "markdown", "codequality"])
def test_every_format_survives_hostile_input(
    hostile: tuple[Path, dict[str, str]], output: str, tmp_path: Path
) -> None:
    root, _ = hostile
    summary = tmp_path / "summary.md"
    result = _check(root, "--format", output, "--summary", str(summary))
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 1
    assert summary.stat().st_size > 0
    if output == "sarif":
        import jsonschema

        schema = json.loads((CORPORA / "formats/sarif-schema-2.1.0.json").read_text())
        jsonschema.Draft4Validator(schema).validate(json.loads(result.stdout))
    elif output == "junit":
        xsd = etree.XMLSchema(etree.parse(CORPORA / "formats/junit-jenkins-xunit.xsd"))
        assert xsd.validate(etree.fromstring(result.stdout.encode()))
    elif output == "codequality":
        issues = json.loads(result.stdout)
        assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    elif output == "github":
        # every line is one workflow command of ours: nothing from a file starts another
        assert all(
            line.startswith(("::error ", "::warning ", "::notice "))
            for line in result.stdout.splitlines()
        )
