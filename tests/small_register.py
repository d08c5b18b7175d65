"""A policy small enough to fill by hand, for the lifecycle commands' tests.

tcp may use 2000-2009 and 3000-3004 except the reserved 2003-2004; udp may use
2000-2009 (the reserved block is tcp only); the largest block is 8 ports.
"""

from __future__ import annotations

from tests.conftest import cli

__all__ = ["OWNER", "SMALL_POLICY", "claim_args", "cli"]

SMALL_POLICY = """\
protocols: [tcp, udp]
ranges:
  tcp: ["2000-2009", "3000-3004"]
  udp: ["2000-2009"]
reserved:
  - {port: "0-1023", reason: "system ports"}
  - {port: "2003-2004", protocol: tcp, reason: "legacy"}
scopes: [global, prod, prod/eu, prod/us, staging]
review_days: 365
quarantine_days: 90
max_range: 8
platform: "@acme/platform"
"""

OWNER = "@acme/team"


def claim_args(service: str = "new", *extra: str, protocol: str = "tcp") -> list[str]:
    return [
        "claim",
        service,
        "--protocol",
        protocol,
        "--owner",
        OWNER,
        "--description",
        "A new service",
        "--as-of",
        "2026-11-27",
        *extra,
    ]
