"""The inventory readers on hostile input and on saved socket tables."""

from __future__ import annotations

import contextlib

import pytest

from portcheck.inventory import Listener, Skip, read_text
from portcheck.inventory.detect import READERS, detect
from portcheck.inventory.table import ColumnError, read_table
from tests.conftest import require_corpus


def test_every_hostile_file_through_every_reader_is_items_never_an_exception() -> None:
    folder = require_corpus("hostile") / "files"
    for path in sorted(folder.glob("*.yaml")):
        text = read_text(path)
        if isinstance(text, Skip):
            assert text.reason == "not UTF-8", path.name
            continue
        for reader in READERS.values():
            assert all(isinstance(i, Listener | Skip) for i in reader(text, path.name))
        with contextlib.suppress(ColumnError):  # no port column: a usage error, not a crash
            list(read_table(text, path.name))


def test_deep_flow_nesting_is_skipped_before_parsing() -> None:
    text = "services: " + "[" * 5000 + "]" * 5000 + "\n"
    assert list(READERS["compose"](text, "deep.yaml")) == [
        Skip("deep.yaml", "too deeply nested", "more than 100 nested [ or {")
    ]


def test_k8s_gotchas() -> None:
    path = require_corpus("hostile") / "files/k8s_ports_gotchas.yaml"
    text = path.read_text(encoding="utf-8")
    found = [
        (i.source, i.start, i.protocol) if isinstance(i, Listener) else (i.source, i.reason)
        for i in READERS["k8s"](text, "g.yaml")
    ]
    assert found == [
        ("g.yaml:16", "bad port"),  # containerPort "8080" is a string
        ("g.yaml:18", 8080, "udp"),
        ("g.yaml:20", 9090, "tcp"),
        ("g.yaml:20", 9090, "tcp"),
        ("g.yaml:32", 80, "tcp"),
        ("g.yaml:32", 80, "tcp"),  # the named targetPort is skipped, nodePort 80 is read
        ("g.yaml:35", 81, "tcp"),
        ("g.yaml:35", 8080, "tcp"),
        ("g.yaml:35", 30080, "tcp"),
        ("g.yaml:38", 82, "tcp"),
        ("g.yaml:38", 8080, "tcp"),
        ("g.yaml:38", 30080, "tcp"),
    ]


SS = """\
Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process
udp   UNCONN 0      0      127.0.0.53%lo:53    0.0.0.0:*         users:(("resolved",pid=1,fd=3))
tcp   LISTEN 0      4096   [::]:8080           [::]:*            users:(("java",pid=2,fd=7))
tcp   LISTEN 0      128    *:ssh               *:*
"""
NETSTAT = """\
Active Internet connections (only servers)
Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name
tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN      812/sshd
tcp6       0      0 :::5432                 :::*                    LISTEN      -
udp        0      0 0.0.0.0:68              0.0.0.0:*                           530/dhclient
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            SS,
            [
                ("s:2", 53, "udp", "resolved"),
                ("s:3", 8080, "tcp", "java"),
                ("s:4", "bad port"),  # ss without -n names the port
            ],
        ),
        (
            NETSTAT,
            [
                ("s:3", 22, "tcp", "sshd"),
                ("s:4", 5432, "tcp", ""),
                ("s:5", 68, "udp", "dhclient"),
            ],
        ),
    ],
)
def test_saved_socket_tables(text: str, expected: list[tuple[object, ...]]) -> None:
    assert detect(text) == "sockets"
    found = [
        (i.source, i.start, i.protocol, i.service)
        if isinstance(i, Listener)
        else (i.source, i.reason)
        for i in READERS["sockets"](text, "s")
    ]
    assert found == expected


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("apiVersion: v1\nkind: Service\n", "k8s"),
        ("services:\n  web:\n    image: x\n", "compose"),
        ("http\t\t80/tcp\t\twww\n", "services"),
        ("just words\n", None),
    ],
)
def test_detect(text: str, kind: str | None) -> None:
    assert detect(text) == kind
