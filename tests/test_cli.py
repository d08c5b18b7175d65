"""The command line, through typer's runner and as the installed console script."""

from __future__ import annotations

import json
import os
import pty
import subprocess
from pathlib import Path

import pytest

from portcheck.rules import RULES

from .conftest import POLICY, allocation, cli, console_script, write_register

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    return write_register(tmp_path, {"ports/a.yaml": allocation(service="a")})


@pytest.fixture
def colliding(tmp_path: Path) -> Path:
    return write_register(
        tmp_path,
        {
            "ports/a.yaml": allocation(service="a", scope="prod"),
            "ports/b.yaml": allocation(service="b", scope="prod/eu"),
            "ports/old.yaml": allocation(service="old", port=9000, review_by="2026-05-01"),
        },
    )


def test_clean_register_exits_0(clean: Path) -> None:
    code, out, err = cli("check", "--root", str(clean), "--as-of", "2026-11-27")
    assert (code, out) == (0, "")
    assert err == "All checks passed (1 file).\n"


def test_findings_are_one_line_each_and_exit_1(colliding: Path) -> None:
    code, out, err = cli("check", "--root", str(colliding), "--as-of", "2026-11-27")
    assert code == 1
    collision = "PC400 port-collision tcp/8080 (prod/eu) also claimed by"
    assert out.splitlines() == [
        f"ports/a.yaml:2:7: {collision} ports/b.yaml:2:7; nearest free: 8079",
        f"ports/b.yaml:2:7: {collision} ports/a.yaml:2:7; nearest free: 8079",
        "ports/old.yaml:7:12: PC600 review-overdue review was due on 2026-05-01",
    ]
    assert err == "Found 2 errors and 1 warning in 3 files.\n"


def test_paths_only_filter_what_is_shown(colliding: Path) -> None:
    code, out, _ = cli(
        "check", "--root", str(colliding), "--as-of", "2026-11-27", str(colliding / "ports/b.yaml")
    )
    assert code == 1
    assert [line.split(":")[0] for line in out.splitlines()] == ["ports/b.yaml"]


def test_warnings_pass_unless_strict(tmp_path: Path) -> None:
    write_register(tmp_path, {"ports/old.yaml": allocation(service="old", review_by="2026-05-01")})
    assert cli("check", "--root", str(tmp_path), "--as-of", "2026-11-27")[0] == 0
    assert cli("check", "--root", str(tmp_path), "--as-of", "2026-11-27", "--strict")[0] == 1


def test_as_of_decides_the_date(tmp_path: Path) -> None:
    write_register(tmp_path, {"ports/a.yaml": allocation(service="a", review_by="2027-01-01")})
    assert cli("check", "--root", str(tmp_path), "--as-of", "2027-01-01")[1] == ""
    out = cli("check", "--root", str(tmp_path), "--as-of", "2027-01-02")[1]
    assert " PC600 " in out


def test_json_format(colliding: Path) -> None:
    code, out, _ = cli(
        "check", "--root", str(colliding), "--as-of", "2026-11-27", "--format", "json"
    )
    report = json.loads(out)
    assert code == 1
    assert report["version"] == 1
    assert report["summary"] == {
        "files": 3,
        "errors": 2,
        "warnings": 1,
        "by_code": {"PC400": 2, "PC600": 1},
    }
    first = report["findings"][0]
    assert first == {
        "code": "PC400",
        "name": "port-collision",
        "severity": "error",
        "path": "ports/a.yaml",
        "line": 2,
        "column": 7,
        "message": first["message"],
        "related": [{"path": "ports/b.yaml", "line": 2, "column": 7}],
    }


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--frmat", "json"],
        ["check", "--format", "xml"],
        ["check", "--as-of", "2026-02-30"],
        ["check", "--root", "/nonexistent/register"],
        ["rule", "PC999"],
        ["schema", "ports"],
        ["no-such-command"],
    ],
)
def test_usage_errors_are_one_line_and_exit_2(args: list[str]) -> None:
    code, out, err = cli(*args)
    assert code == 2
    assert out == ""
    assert err.startswith("portcheck: error: ")
    assert err.count("\n") == 1


def test_a_folder_without_ports_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema/policy.yaml").write_text(POLICY)
    code, _, err = cli("check", "--root", str(tmp_path))
    assert code == 2
    assert "no ports/ folder" in err


def test_invalid_policy_is_a_located_usage_error(tmp_path: Path) -> None:
    write_register(tmp_path, {}, policy=POLICY.replace("max_range: 64", "max_range: lots"))
    code, _, err = cli("check", "--root", str(tmp_path))
    assert code == 2
    assert err.startswith("portcheck: error: schema/policy.yaml:14:12: ")


def test_policy_dir_replaces_the_register_policy(tmp_path: Path) -> None:
    # The head's own policy dropped the reserved 5432 block; the trusted copy still has it.
    loosened = POLICY.replace('  - {port: 5432, protocol: tcp, reason: "shared PostgreSQL"}\n', "")
    files = {"ports/pg.yaml": allocation(service="pg", port=5432)}
    root = write_register(tmp_path / "head", files, policy=loosened)
    trusted = write_register(tmp_path / "base", {})
    assert cli("check", "--root", str(root), "--as-of", "2026-11-27")[0] == 0
    for policy_dir in (trusted, trusted / "schema"):
        code, out, _ = cli(
            "check", "--root", str(root), "--as-of", "2026-11-27", "--policy", str(policy_dir)
        )
        assert (code, out.split()[1]) == (1, "PC301")


def test_schema_prints_the_committed_files() -> None:
    for kind in ("allocation", "policy", "exceptions"):
        code, out, _ = cli("schema", kind)
        assert code == 0
        assert out == (REPO / "schema" / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert cli("schema")[1] == cli("schema", "allocation")[1]


def test_rule_lists_and_explains_every_code() -> None:
    code, out, _ = cli("rule")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == [rule.code for rule in RULES]
    for rule in RULES:
        code, out, _ = cli("rule", rule.code.lower())
        assert code == 0
        assert out.startswith(f"# {rule.code} {rule.name} ({rule.severity})")
        for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
            assert heading in out


def test_installed_console_script(colliding: Path) -> None:
    result = subprocess.run(
        [console_script(), "check", "--as-of", "2026-11-27", "--format", "json"],
        # --root defaults to the nearest folder holding ports/ and schema/policy.yaml
        cwd=colliding / "ports",
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 1, result.stderr  # found without git
    subprocess.run(["git", "init", "-q", str(colliding)], check=True)
    result = subprocess.run(
        [console_script(), "check", "--as-of", "2026-11-27", "--format", "json"],
        cwd=colliding / "ports",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["summary"]["errors"] == 2


def _on_a_terminal(root: Path, env: dict[str, str]) -> str:
    primary, secondary = pty.openpty()
    process = subprocess.run(
        [console_script(), "check", "--root", str(root), "--as-of", "2026-11-27"],
        stdout=secondary,
        stderr=subprocess.DEVNULL,
        env=env,
        check=False,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    assert process.returncode == 1
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_terminal_output_has_excerpt_caret_and_color(colliding: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    colored = _on_a_terminal(colliding, env)
    assert "\033[" in colored
    plain = _on_a_terminal(colliding, {**env, "NO_COLOR": "1"})
    assert "\033[" not in plain
    assert "  |\n2 | port: 8080\n  |       ^\n" in plain


def test_version_is_the_installed_distributions() -> None:
    from importlib.metadata import version

    expected = (0, f"portcheck {version('portcheck')}\n", "")
    assert cli("--version") == expected
    done = subprocess.run(
        [console_script(), "--version"], check=False, capture_output=True, text=True
    )
    assert (done.returncode, done.stdout, done.stderr) == expected


def test_a_check_path_outside_the_root_is_one_usage_line(tmp_path: Path) -> None:
    root = write_register(tmp_path / "register", {"ports/a.yaml": allocation(service="a")})
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text(allocation(service="x"), encoding="utf-8")
    code, out, err = cli("check", "--root", str(root), str(elsewhere))
    assert (code, out) == (2, "")
    assert err == (
        f"portcheck: error: Invalid value: {elsewhere} is outside the register root {root}\n"
    )


def test_codeowners_who_outside_the_root_is_one_usage_line(tmp_path: Path) -> None:
    root = write_register(tmp_path / "register", {"ports/a.yaml": allocation(service="a")})
    elsewhere = tmp_path / "elsewhere.yaml"
    code, out, err = cli("codeowners", "--root", str(root), "--who", str(elsewhere))
    assert (code, out) == (2, "")
    assert err == f"portcheck: error: Invalid value: {elsewhere} is outside the root {root}\n"


def test_an_abort_is_one_line_and_exit_code_1(capsys: pytest.CaptureFixture[str]) -> None:
    """typer raises Abort when input ends in the middle of a command (EOF at a prompt);
    portcheck's command group reports it like every other error."""
    import typer

    from portcheck.cli import _Group

    app = typer.Typer(cls=_Group)

    @app.command()
    def stop() -> None:
        raise typer.Abort()

    @app.command()
    def other() -> None:
        """A second command, so that typer keeps the group."""

    with pytest.raises(SystemExit) as exited:
        app(["stop"], prog_name="portcheck")
    assert exited.value.code == 1
    assert capsys.readouterr() == ("", "portcheck: error: aborted\n")
