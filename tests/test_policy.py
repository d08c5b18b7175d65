"""schema/policy.yaml: found, loaded, and refused with one located line when invalid."""

from __future__ import annotations

from pathlib import Path

import pytest

from portcheck.errors import UsageError
from portcheck.model import Policy, PortSpan
from portcheck.model.policy import load_policy, resolve_policy_dir
from tests.conftest import POLICY

REPO = Path(__file__).resolve().parents[1]

MINIMAL = """\
protocols: [tcp]
ranges:
  tcp: ["1024-29999"]
platform: "@acme/platform"
"""

DOCS_EXAMPLE = """\
protocols: [tcp, udp]                 # protocols this register accepts
ranges:                               # allocatable ranges per protocol
  tcp: ["1024-29999", "61000-64999"]
  udp: ["1024-29999"]
reserved:                             # never allocatable, whatever ranges say
  - {port: "0-1023", reason: "system ports, RFC 6335"}
  - {port: "30000-32767", protocol: tcp, reason: "Kubernetes NodePort range"}
  - {port: "32768-60999", reason: "Linux ephemeral range"}
scopes: [global, prod, prod/eu, prod/us, staging]   # known scopes; others are errors
review_days: 365                      # default review interval
quarantine_days: 90                   # a retired file may be deleted this long after retired_on
max_range: 64                         # largest range one allocation may take
platform: "@acme/platform"            # must own /CODEOWNERS, /.github/, /schema/, /portcheck/
"""


def folder_with(tmp_path: Path, text: str) -> Path:
    (tmp_path / "policy.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_spec_example_loads(tmp_path: Path) -> None:
    policy = load_policy(folder_with(tmp_path, DOCS_EXAMPLE))
    assert policy.allowed("tcp") == (PortSpan(1024, 29999), PortSpan(61000, 64999))
    assert policy.reserved[0].span == PortSpan(0, 1023)  # port 0 may be reserved
    assert policy.knows_scope("prod/eu")


@pytest.mark.parametrize("text", [MINIMAL, POLICY], ids=["minimal", "conftest"])
def test_valid_policies_load(tmp_path: Path, text: str) -> None:
    assert isinstance(load_policy(folder_with(tmp_path, text)), Policy)


def test_the_shipped_policy_loads() -> None:
    assert load_policy(REPO / "schema").platform.startswith("@")


def _replace(old: str, new: str) -> str:
    assert old in MINIMAL
    return MINIMAL.replace(old, new)


@pytest.mark.parametrize(
    ("text", "prefix"),
    [
        # Unknown keys, with a suggestion; a misspelt required key is one problem.
        pytest.param(_replace("protocols:", "protocls:"), "1:1", id="misspelt-required"),
        pytest.param(MINIMAL + "protocls: [udp]\n", "5:1", id="unknown-key"),
        pytest.param(
            MINIMAL + 'reserved:\n  - {port: "0-1023", reasn: x}\n', "6:22", id="unknown-nested"
        ),
        # Schema: types, enumerations, patterns, bounds, required fields.
        pytest.param(_replace("[tcp]", "[tcp, tcpp]"), "1:18", id="protocol-enum"),
        pytest.param(_replace("[tcp]", "[]"), "1:12", id="protocols-empty"),
        pytest.param(_replace("ranges:\n", "ranges:\n  tcpp: []\n"), "3:3", id="ranges-key"),
        pytest.param(_replace('  tcp: ["1024-29999"]', '  tcp: "1024"'), "3:8", id="ranges-type"),
        pytest.param(_replace('"1024-29999"', '"1024-"'), "3:9", id="range-pattern"),
        pytest.param(MINIMAL + 'reserved:\n  - {port: "0-1023"}\n', "6:5", id="reserved-reason"),
        pytest.param(MINIMAL + "scopes: [Prod]\n", "5:10", id="scope-pattern"),
        pytest.param(MINIMAL + "review_days: 0\n", "5:14", id="review-days-zero"),
        pytest.param(MINIMAL + 'review_days: "365"\n', "5:14", id="review-days-string"),
        pytest.param(MINIMAL + "review_days: 365.0\n", "5:14", id="review-days-float"),
        pytest.param(MINIMAL + "review_days:\n", "5:1", id="review-days-empty"),
        pytest.param(MINIMAL + "quarantine_days: -1\n", "5:18", id="quarantine-negative"),
        pytest.param(MINIMAL + "max_range: 70000\n", "5:12", id="max-range"),
        pytest.param(_replace('platform: "@acme/platform"\n', ""), "1:1", id="platform-missing"),
        pytest.param(_replace('"@acme/platform"', "acme"), "4:11", id="platform-pattern"),
        pytest.param(
            MINIMAL + 'reserved:\n  - {port: "0-1", reason: x, protocol: null}\n',
            "6:30",  # an empty value: at its key
            id="reserved-protocol-null",
        ),
        # Coherence the schema cannot express.
        pytest.param(_replace("[tcp]", "[tcp, tcp]"), "1:18", id="protocol-repeat"),
        pytest.param(_replace("  tcp:", "  udp:"), "3:3", id="ranges-unlisted-protocol"),
        pytest.param(_replace('"1024-29999"', '"2000-1024"'), "3:9", id="range-reversed"),
        pytest.param(_replace('"1024-29999"', '"0-1023"'), "3:9", id="range-from-zero"),
        pytest.param(_replace('"1024-29999"', '"1024-70000"'), "3:9", id="range-above"),
        pytest.param(_replace('"1024-29999"', "8080, 8080"), "3:15", id="range-repeat"),
        pytest.param(_replace('"1024-29999"', "08080"), "3:9", id="range-leading-zero"),
        pytest.param(_replace('"1024-29999"', '"8080"'), "3:9", id="range-quoted-number"),
        pytest.param(
            MINIMAL + 'reserved:\n  - port: "1023-0"\n    reason: x\n', "6:11", id="reserved-order"
        ),
        pytest.param(
            MINIMAL + 'reserved:\n  - {port: "1-2", reason: x, protocol: []}\n',
            "6:40",
            id="reserved-protocol-empty",
        ),
        pytest.param(MINIMAL + "scopes: [prod, prod]\n", "5:16", id="scope-repeat"),
        # Loading problems are located the same way.
        pytest.param("protocols: [tcp\n", "1:16", id="yaml-syntax"),  # end of file: last line
        pytest.param("- tcp\n", "1:1", id="not-a-mapping"),
        pytest.param(MINIMAL + "ranges: {}\n", "5:1", id="duplicate-key"),
        # The first problem in file order is the one reported.
        pytest.param(_replace("[tcp]", "[tcpp]") + "max_range: 0\n", "1:13", id="first-of-several"),
    ],
)
def test_invalid_policy(tmp_path: Path, text: str, prefix: str) -> None:
    with pytest.raises(UsageError) as raised:
        load_policy(folder_with(tmp_path, text))
    message = raised.value.message
    assert message.startswith(f"schema/policy.yaml:{prefix}: invalid policy: ")
    assert "\n" not in message


def test_did_you_mean(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"did you mean 'protocols'\?"):
        load_policy(folder_with(tmp_path, _replace("protocols:", "protocls:")))


def test_display_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"^base/schema/policy.yaml:1:12: "):
        load_policy(folder_with(tmp_path, _replace("[tcp]", "[]")), "base/schema/policy.yaml")


def test_missing_policy(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"^schema/policy.yaml: cannot read the policy: "):
        load_policy(tmp_path)


def test_policy_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "policy.yaml").mkdir()
    with pytest.raises(UsageError, match=r"^schema/policy.yaml: cannot read the policy: "):
        load_policy(tmp_path)


def test_resolve_default_is_the_roots_schema_folder(tmp_path: Path) -> None:
    assert resolve_policy_dir(tmp_path, None) == tmp_path / "schema"


def test_resolve_a_copy_of_schema(tmp_path: Path) -> None:
    folder_with(tmp_path, MINIMAL)
    assert resolve_policy_dir(Path("/elsewhere"), tmp_path) == tmp_path


def test_resolve_a_checkout_root(tmp_path: Path) -> None:
    (tmp_path / "schema").mkdir()
    folder_with(tmp_path / "schema", MINIMAL)
    assert resolve_policy_dir(Path("/elsewhere"), tmp_path) == tmp_path / "schema"


def test_resolve_prefers_the_folder_itself(tmp_path: Path) -> None:
    (tmp_path / "schema").mkdir()
    folder_with(tmp_path / "schema", MINIMAL)
    folder_with(tmp_path, MINIMAL)
    assert resolve_policy_dir(Path("/elsewhere"), tmp_path) == tmp_path


def test_resolve_names_what_it_looked_for(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as raised:
        resolve_policy_dir(Path("/elsewhere"), tmp_path)
    assert str(tmp_path / "policy.yaml") in raised.value.message
    assert str(tmp_path / "schema" / "policy.yaml") in raised.value.message
