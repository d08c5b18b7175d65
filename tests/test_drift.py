"""portcheck drift: manifests and saved socket tables against a register that knows part."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import allocation, cli, require_corpus, write_register

COMPOSE = """\
services:
  web:
    ports: ["8080:80", "127.0.0.1:8443:443"]
  cache:
    ports:
      - 6379:6379
"""
K8S = """\
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  ports: [{port: 9000, targetPort: 9000}]
"""
SS = """\
Netid State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process
tcp   LISTEN 0      4096   0.0.0.0:2049       0.0.0.0:*         users:(("nfsd",pid=9,fd=3))
udp   UNCONN 0      0      127.0.0.1:5353     0.0.0.0:*         users:(("avahi",pid=7,fd=4))
"""
REGISTER = {
    "ports/web.yaml": allocation(service="web", port=8080),
    "ports/api.yaml": allocation(service="billing", port=9000),  # 9000 runs "api"
    "ports/old.yaml": allocation(service="old", port=7000),  # nothing uses it
    "ports/mdns.yaml": allocation(service="avahi", port=5353, protocol="udp"),
}


def _sources(tmp_path: Path) -> list[str]:
    files = {"compose.yaml": COMPOSE, "api.yaml": K8S, "host.txt": SS}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return [str(tmp_path / name) for name in files]


def test_three_lists_exactly(tmp_path: Path) -> None:
    root = write_register(tmp_path / "reg", REGISTER)
    sources = _sources(tmp_path)
    code, out, err = cli("drift", *sources, "--format", "json", "--root", str(root))
    assert code == 1, err
    report = json.loads(out)
    assert [(x["protocol"], x["port"], x["service"]) for x in report["unregistered"]] == [
        ("tcp", "8443", "web"),
        ("tcp", "6379", "cache"),
        ("tcp", "2049", "nfsd"),
    ]
    assert [
        (x["port"], x["service"], [r["id"] for r in x["registered"]]) for x in report["mismatched"]
    ] == [
        ("9000", "api", ["api"]),
    ]
    assert [x["id"] for x in report["unused"]] == ["old"]
    assert report["unregistered"][2]["source"] == f"{sources[2]}:2"


def test_text_and_markdown(tmp_path: Path) -> None:
    root = write_register(tmp_path / "reg", REGISTER)
    sources = _sources(tmp_path)
    code, out, _ = cli("drift", *sources, "--root", str(root))
    assert code == 1
    assert out.splitlines()[0] == "unregistered (3):"
    assert f"  tcp/9000 api {sources[1]}:5 registered to billing (ports/api.yaml)" in out
    code, out, _ = cli("drift", *sources, "--format", "markdown", "--root", str(root))
    assert "### Registered but unused (1)" in out


def test_clean_when_everything_is_registered(tmp_path: Path) -> None:
    root = write_register(
        tmp_path / "reg", {"ports/web.yaml": allocation(service="web", port=8080)}
    )
    source = tmp_path / "c.yaml"
    source.write_text('services:\n  web:\n    ports: ["8080:80"]\n', encoding="utf-8")
    code, out, _ = cli("drift", str(source), "--from", "compose", "--root", str(root))
    assert (code, out.splitlines()) == (0, ["unregistered (0):", "mismatched (0):", "unused (0):"])


def test_unknown_source_kind_is_a_usage_error(tmp_path: Path) -> None:
    root = write_register(tmp_path / "reg", {})
    source = tmp_path / "notes.txt"
    source.write_text("hello\n", encoding="utf-8")
    code, _, err = cli("drift", str(source), "--root", str(root))
    assert code == 2
    assert "cannot tell what kind of source it is; give --from KIND" in err


def test_real_manifest_set_against_a_register_that_knows_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = require_corpus("manifests") / "GoogleCloudPlatform__microservices-demo"
    root = write_register(
        tmp_path,
        {
            "ports/adservice.yaml": allocation(service="adservice", port=9555),
            "ports/carts.yaml": allocation(service="carts", port=7070),  # runs as cartservice
            "ports/legacy-api.yaml": allocation(service="legacy-api", port=4000),
        },
    )
    monkeypatch.chdir(demo)
    sources = sorted(str(p.relative_to(demo)) for p in demo.glob("kubernetes-manifests/*.yaml"))
    code, out, err = cli("drift", *sources, "--format", "json", "--root", str(root))
    assert code == 1, err
    report = json.loads(out)
    folder = "kubernetes-manifests/"
    assert [(x["port"], x["service"], x["source"]) for x in report["unregistered"]] == [
        ("6379", "redis-cart", folder + "cartservice.yaml:120"),
        ("5050", "checkoutservice", folder + "checkoutservice.yaml:47"),
        ("7000", "currencyservice", folder + "currencyservice.yaml:48"),
        ("8080", "emailservice", folder + "emailservice.yaml:48"),
        ("5000", "emailservice", folder + "emailservice.yaml:81"),
        ("8080", "frontend", folder + "frontend.yaml:49"),
        ("80", "frontend", folder + "frontend.yaml:119"),
        ("80", "frontend-external", folder + "frontend.yaml:134"),
        ("8080", "frontend-external", folder + "frontend.yaml:134"),
        ("50051", "paymentservice", folder + "paymentservice.yaml:48"),
        ("3550", "productcatalogservice", folder + "productcatalogservice.yaml:48"),
        ("8080", "recommendationservice", folder + "recommendationservice.yaml:48"),
        ("50051", "shippingservice", folder + "shippingservice.yaml:47"),
    ]
    assert [
        (x["port"], x["service"], x["registered"][0]["path"]) for x in report["mismatched"]
    ] == [("7070", "cartservice", "ports/carts.yaml")]
    assert [x["path"] for x in report["unused"]] == ["ports/legacy-api.yaml"]
    assert "kustomization.yaml" not in err  # a kustomization declares no ports: no skip either
