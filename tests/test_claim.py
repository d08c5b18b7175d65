"""`portcheck claim`: which port it picks, what it refuses, and the file it writes.

The small policy (SMALL_POLICY in tests/conftest.py): tcp 2000-2009 and 3000-3004 minus
the reserved 2003-2004; udp 2000-2009; blocks of at most 8 ports.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import typer

from portcheck.actions.claim import ClaimRequest, plan, write
from portcheck.actions.free import Want
from portcheck.cli.options import protocol_name
from portcheck.errors import Refused
from portcheck.model import PROTOCOLS
from portcheck.register import build_register, read_policy
from tests.conftest import (
    AS_OF,
    OWNER,
    SMALL_POLICY,
    allocation,
    claim_args,
    cli,
    console_script,
    run,
    write_register,
)

NEW = "ports/new.yaml"
RETIRED_LONG_AGO = {"status": "retired", "retired_on": "2026-03-20"}  # reclaimable since June
EXPIRED = {"allocated": "2025-01-01", "status": "reserved", "expires": "2026-01-01"}
UDP_FULL = [
    {"port": '"2000-2007"', "protocol": "udp"},
    {"port": '"2008-2009"', "protocol": "udp"},
]


def passes(root: Path) -> bool:
    """No finding on the new file and no error anywhere (the held files may be stale)."""
    return [f for f in run(root) if f.path == NEW or f.severity == "error"] == []


def register(tmp_path: Path, *held: dict[str, object]) -> Path:
    """One file ports/held-N.yaml per dict of allocation fields."""
    files = {
        f"ports/held-{n}.yaml": allocation(service=f"held-{n}", **fields)
        for n, fields in enumerate(held)
    }
    return write_register(tmp_path, files, policy=SMALL_POLICY)


@pytest.mark.parametrize(
    ("held", "extra", "protocol", "expected"),
    [
        pytest.param([], [], "tcp", "2000", id="empty-register-lowest-port"),
        pytest.param([{"port": 2000}, {"port": 2001}], [], "tcp", "2002", id="after-taken"),
        pytest.param([{"port": 2000}, {"port": 2002}], [], "tcp", "2001", id="gap-between"),
        pytest.param(
            [{"port": 2000, "scope": "prod/eu"}], ["--scope", "prod/us"], "tcp", "2000",
            id="sibling-scopes-share",
        ),
        pytest.param(
            [{"port": 2000, "scope": "prod"}], ["--scope", "prod/eu"], "tcp", "2001",
            id="parent-scope-blocks",
        ),
        pytest.param(
            [{"port": 2000, "scope": "prod/eu"}], ["--scope", "prod"], "tcp", "2001",
            id="child-scope-blocks-parent",
        ),
        pytest.param([{"port": 2000}], ["--scope", "prod/eu"], "tcp", "2001", id="global-blocks"),
        pytest.param(
            [{"port": 2000, "scope": "staging"}], [], "tcp", "2001", id="global-claim-blocked"
        ),
        pytest.param(
            [{"port": 2000, "scope": "[prod/us, staging]"}], ["--scope", "prod/eu"], "tcp", "2000",
            id="scope-list-siblings",
        ),
        pytest.param([{"port": '"2000-2002"'}], [], "tcp", "2005", id="reserved-block-skipped"),
        pytest.param(
            [{"port": '"2000-2002"', "protocol": "udp"}], [], "udp", "2003",
            id="reserved-is-tcp-only",
        ),
        pytest.param([{"port": 2000, "protocol": "udp"}], [], "tcp", "2000", id="other-protocol"),
        pytest.param(
            [{"port": '"2000-2002"'}, {"port": '"2005-2009"'}], [], "tcp", "3000",
            id="range-end-skipped",
        ),
        pytest.param(
            [{"port": 2000, **RETIRED_LONG_AGO}], [], "tcp", "2001", id="retired-occupies"
        ),
        pytest.param(
            [{"port": 2000, **EXPIRED}], [], "tcp", "2001",
            id="expired-reservation-occupies",
        ),
        pytest.param(
            [{"port": 2000, "status": "deprecated"}], [], "tcp", "2001", id="deprecated-occupies"
        ),
        pytest.param(
            [{"port": 2000}, {"port": 2001, "protocol": "udp"}], ["--protocol", "udp"], "tcp",
            "2002", id="multi-protocol-free-in-both",
        ),
        pytest.param([{"port": 2001}], ["--size", "2"], "tcp", "2005-2006", id="block-no-straddle"),
        pytest.param(
            [{"port": 2000}], ["--size", "3"], "tcp", "2005-2007", id="block-skips-reserved"
        ),
        pytest.param(
            [{"port": '"2000-2002"'}, {"port": '"2005-2007"'}], ["--size", "3"], "tcp",
            "3000-3002", id="block-not-over-range-end",
        ),
        pytest.param([], ["--size", "8"], "udp", "2000-2007", id="block-of-max-range"),
        pytest.param([{"port": 2001}], ["--port", "2002"], "tcp", "2002", id="port-free"),
        pytest.param(
            [{"port": 2000, "scope": "prod/eu"}], ["--port", "2000", "--scope", "prod/us"], "tcp",
            "2000", id="port-free-in-sibling",
        ),
        pytest.param([], ["--port", "3001", "--size", "4"], "tcp", "3001-3004", id="port-block"),
    ],
)  # fmt: skip
def test_claim_picks(
    tmp_path: Path, held: list[dict[str, object]], extra: list[str], protocol: str, expected: str
) -> None:
    root = register(tmp_path, *held)
    code, out, err = cli(*claim_args("new", *extra, "--root", str(root), protocol=protocol))
    assert (code, out, err.splitlines()[-1:]) == (
        0,
        f"{NEW} {expected}\n",
        ["next: open a pull request with the change (or claim with --pr)"],
    )
    assert passes(root)  # the written file passes `portcheck check`


@pytest.mark.parametrize(
    ("held", "extra", "message"),
    [
        pytest.param(
            [{"port": 2000, "scope": "prod"}], ["--port", "2000", "--scope", "prod/eu"],
            "tcp/2000 is taken by ports/held-0.yaml (prod): PC400 port-collision; "
            "nearest free: 2001",
            id="taken-in-parent-scope",
        ),
        pytest.param(
            [{"port": 2000, **RETIRED_LONG_AGO}], ["--port", "2000"],
            "tcp/2000 is taken by ports/held-0.yaml (global): PC400 port-collision; "
            "nearest free: 2001",
            id="taken-by-retired",
        ),
        pytest.param(
            [], ["--port", "2003"],
            "tcp/2003 is reserved (2003-2004: legacy): PC301 reserved-range; nearest free: 2002",
            id="reserved-lower-on-tie-distance",
        ),
        pytest.param(
            [], ["--port", "2500"],
            "tcp/2500 is outside the allowed ranges (2000-2009, 3000-3004): PC300 outside-range; "
            "nearest free: 2009",
            id="outside-nearest-below",
        ),
        pytest.param(
            [], ["--port", "2008", "--size", "3"],
            "tcp/2008-2010 is outside the allowed ranges (2000-2009, 3000-3004): "
            "PC300 outside-range; nearest free: 2007-2009",
            id="block-over-range-end",
        ),
        pytest.param(
            [{"port": 2001}], ["--port", "2000", "--size", "2"],
            "tcp/2000-2001 is taken by ports/held-0.yaml (global): PC400 port-collision; "
            "nearest free: 2005-2006",
            id="block-over-allocation",
        ),
        pytest.param(
            UDP_FULL,
            ["--port", "2000", "--protocol", "udp"],
            "udp/2000 is taken by ports/held-0.yaml (global): PC400 port-collision; "
            "no port free at all",
            id="nothing-free",
        ),
        pytest.param(
            UDP_FULL,
            ["--protocol", "udp"], "no port free for tcp+udp in global", id="nothing-free-lowest",
        ),
        pytest.param(
            [], ["--size", "6"], "no block of 6 ports free for tcp in global", id="no-block-fits"
        ),
        pytest.param(
            [], ["--protocol", "sctp"], "the policy accepts tcp, udp, not sctp: PC302",
            id="protocol-not-accepted",
        ),
        pytest.param(
            [], ["--scope", "prod/asia"], "scope 'prod/asia' is not in the policy's scopes: PC303",
            id="unknown-scope",
        ),
        pytest.param(
            [], ["--size", "9"], "a block of 9 ports is more than the policy's max_range 8: PC304",
            id="size-over-max-range",
        ),
        pytest.param(
            [{}], ["--id", "held-0"],
            "id held-0 already exists (ports/held-0.yaml); try --id held-0-2",
            id="existing-id",
        ),
    ],
)  # fmt: skip
def test_claim_refuses_with_reason(
    tmp_path: Path, held: list[dict[str, object]], extra: list[str], message: str
) -> None:
    root = register(tmp_path, *held)
    before = sorted(root.rglob("*"))
    code, out, err = cli(*claim_args("new", *extra, "--root", str(root)))
    assert (code, out, err) == (1, "", f"portcheck: error: {message}\n")
    assert sorted(root.rglob("*")) == before


def test_written_file(tmp_path: Path) -> None:
    root = register(tmp_path)
    args = ["--scope", "prod/eu", "--scope", "prod/us", "--protocol", "udp", "--id", "svc-eu"]
    code, out, _ = cli(*claim_args("svc", *args, "--root", str(root)))
    assert (code, out) == (0, "ports/svc-eu.yaml 2000\n")
    assert (root / "ports/svc-eu.yaml").read_text(encoding="utf-8") == (
        "# yaml-language-server: $schema=../schema/allocation.schema.json\n"
        "service: svc\n"
        "port: 2000\n"
        "protocol: [tcp, udp]\n"
        "scope: [prod/eu, prod/us]\n"
        'owner: "@acme/team"\n'
        "description: A new service\n"
        "status: active\n"
        "allocated: 2026-11-27\n"
        "review_by: 2027-11-27\n"
    )
    assert run(root) == []


@pytest.mark.parametrize(
    ("service", "description", "written"),
    [
        ("true", "Plain text, (with) punctuation.", 'service: "true"\n'),
        ("svc", 'Quotes " and # and : here', 'description: "Quotes \\" and # and : here"\n'),
        ("svc", "@ starts an indicator", 'description: "@ starts an indicator"\n'),
        ("svc", "1234", 'description: "1234"\n'),
        (
            "svc",
            "Plain text, (with) punctuation.",
            "description: Plain text, (with) punctuation.\n",
        ),
    ],
)
def test_values_are_quoted_when_yaml_would_misread_them(
    tmp_path: Path, service: str, description: str, written: str
) -> None:
    root = register(tmp_path)
    args = [a if a != "A new service" else description for a in claim_args(service)]
    code, _, err = cli(*args, "--root", str(root), "--size", "2")
    assert (code, err.count("error")) == (0, 0)
    text = (root / f"ports/{service}.yaml").read_text(encoding="utf-8")
    assert written in text
    assert 'port: "2000-2001"\n' in text
    assert run(root) == []


def test_exclusive_create_never_overwrites(tmp_path: Path) -> None:
    """A file that appears between choosing and writing (a concurrent claim) wins."""
    root = register(tmp_path)
    policy = read_policy(root, None)
    loaded, _ = build_register(root, policy, AS_OF)
    request = ClaimRequest("new", "new", Want(("tcp",)), OWNER, "A new service")
    claimed = plan(loaded, request)
    (root / NEW).write_text("theirs\n", encoding="utf-8")
    with pytest.raises(Refused, match=r"ports/new\.yaml already exists; claim never overwrites"):
        write(root, claimed)
    assert (root / NEW).read_text(encoding="utf-8") == "theirs\n"
    assert sorted(p.name for p in (root / "ports").iterdir()) == ["new.yaml"]  # no temporaries


def test_existing_id_in_a_team_folder_is_refused(tmp_path: Path) -> None:
    root = write_register(
        tmp_path, {"ports/team/new.yaml": allocation(service="new")}, policy=SMALL_POLICY
    )
    code, _, err = cli(*claim_args("new", "--root", str(root)))
    assert (code, err) == (
        1,
        "portcheck: error: id new already exists (ports/team/new.yaml); try --id new-2\n",
    )
    assert not (root / NEW).exists()


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    root = register(tmp_path, {"port": 2000})
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    code, out, err = cli(*claim_args("new", "--dry-run", "--root", str(root)))
    assert code == 0
    assert out.splitlines()[:3] == [
        f"{NEW} 2001",
        "# yaml-language-server: $schema=../schema/allocation.schema.json",
        "service: new",
    ]
    assert err == f"portcheck: warning: dry run: {NEW} not written\n"
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--id", "Bad_Id"], "'Bad_Id' is not a valid id"),
        (["--id", "../escape"], "'../escape' is not a valid id"),
        (["--owner", "acme"], "the new file would not pass: PC200"),
        (["--description", "two\nlines"], "the description must be one line of printable text"),
        (["--protocol", "icmp"], "Invalid value for '--protocol'"),
        (["--port", "0"], "Invalid value for '--port'"),
        (["--size", "0"], "Invalid value for '--size'"),
        (["--as-of", "2026-13-01"], "Invalid value for --as-of"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    root = register(tmp_path)
    code, out, err = cli(*claim_args("new", "--root", str(root)), *args)
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert err.startswith(f"portcheck: error: {message}")
    assert sorted(p.name for p in (root / "ports").iterdir()) == []


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (
            ["a"],
            "ports/a.yaml does not load, so the ports it holds are unknown; "
            "fix it first (portcheck check)",
        ),
        (
            ["a", "b"],
            "ports/a.yaml and 1 other file do not load, so the ports they hold are unknown; "
            "fix them first (portcheck check)",
        ),
        (
            ["a", "b", "c"],
            "ports/a.yaml and 2 other files do not load, so the ports they hold are unknown; "
            "fix them first (portcheck check)",
        ),
    ],
)
def test_broken_file_makes_ports_unknown(tmp_path: Path, broken: list[str], message: str) -> None:
    files = {f"ports/{name}.yaml": "port: [\n" for name in broken}
    root = write_register(tmp_path, files, policy=SMALL_POLICY)
    code, _, err = cli(*claim_args("new", "--root", str(root)))
    assert (code, err) == (1, f"portcheck: error: {message}\n")


def test_protocol_option_takes_exactly_the_models_protocols() -> None:
    assert [protocol_name(p) for p in PROTOCOLS] == list(PROTOCOLS)
    with pytest.raises(typer.BadParameter):
        protocol_name("icmp")


def test_console_script_claims(tmp_path: Path) -> None:
    root = register(tmp_path, {"port": 2000})
    script = console_script()
    done = subprocess.run(
        [script, *claim_args("new"), "--root", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, f"{NEW} 2001\n")
    assert run(root) == []


def test_concurrent_claims_of_one_id_write_one_file(tmp_path: Path) -> None:
    root = register(tmp_path)
    script = console_script()
    command = [script, *claim_args("new"), "--root", str(root)]
    racing = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = sorted((process.wait(), process.communicate()[0]) for process in racing)
    assert outputs == [(0, f"{NEW} 2000\n"), (1, ""), (1, ""), (1, "")]
    assert sorted(p.name for p in (root / "ports").iterdir()) == ["new.yaml"]
    assert passes(root)
