"""A two-protocol allocation that breaks one policy rule on one value gets one finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import allocation, located, run, write_register

RULE_CODES = {"PC300", "PC301", "PC302"}


def findings(tmp_path: Path, port: object, protocol: str) -> list[tuple[str, str]]:
    root = write_register(tmp_path, {"ports/a.yaml": allocation(port=port, protocol=protocol)})
    return [(f.code, f.message) for f in run(root) if f.code in RULE_CODES]


@pytest.mark.parametrize(
    ("port", "protocol", "expected"),
    [
        pytest.param(
            80, "[tcp, udp]",
            [("PC301", "tcp+udp/80 is in the reserved block 0-1023 ('system ports, RFC 6335')")],
            id="reserved-for-both",
        ),
        pytest.param(
            40000, "[tcp, udp]",
            [("PC301", "tcp+udp/40000 is in the reserved block 32768-60999 "
                       "('Linux ephemeral range')")],
            id="ephemeral-for-both",
        ),
        pytest.param(
            62000, "[tcp, udp]",
            [("PC300", "udp/62000 is outside the allowed udp ranges: 1024-29999")],
            id="outside-for-one-only",
        ),
        pytest.param(
            62000, "[udp, sctp]",
            [("PC300", "udp+sctp/62000 is outside the allowed udp/sctp ranges: 1024-29999")],
            id="outside-for-both-same-ranges",
        ),
        pytest.param(
            30000, "[tcp, udp]",
            [("PC300", "udp/30000 is outside the allowed udp ranges: 1024-29999"),
             ("PC301", "tcp/30000 is in the reserved block 30000-32767 "
                       "('Kubernetes NodePort range')")],
            id="different-rules-two-findings",
        ),
        pytest.param(
            5432, "[tcp, udp]",
            [("PC301", "tcp/5432 is in the reserved block 5432 ('shared PostgreSQL')")],
            id="reserved-for-one-protocol",
        ),
    ],
)  # fmt: skip
def test_one_finding_per_rule_naming_every_protocol(
    tmp_path: Path, port: object, protocol: str, expected: list[tuple[str, str]]
) -> None:
    assert findings(tmp_path, port, protocol) == expected


def test_the_one_finding_points_at_the_port(tmp_path: Path) -> None:
    root = write_register(tmp_path, {"ports/a.yaml": allocation(port=80, protocol="[tcp, udp]")})
    assert located(run(root)) == [("ports/a.yaml", 2, 7, "PC301")]
