"""The committed JSON Schemas: generated, valid, and in agreement with the schema stage."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from portcheck.load import parse_document
from portcheck.load.document import Document
from portcheck.model import Allocation
from portcheck.model.schema import Kind, allocation_schema, policy_schema, render, validator
from portcheck.model.validate import validate_allocation
from tests.conftest import allocation

REPO = Path(__file__).resolve().parents[1]

DOCS_EXAMPLE = """\
# yaml-language-server: $schema=../schema/allocation.schema.json
service: payments-api            # required; the service that listens (same id rules)
port: 8443                       # required; integer 1-65535, or "30000-30009" (inclusive range)
protocol: tcp                    # required; tcp | udp | sctp | dccp, or a list of them
scope: prod/eu                   # optional, default "global"; a scope path, or a list of them
owner: "@acme/payments"          # required; @user or @org/team, a code owner of this file
contact: payments@acme.example   # optional
description: Public HTTPS API    # required, 1-200 characters
status: active                   # optional, default active
allocated: 2026-03-14            # required date (YYYY-MM-DD)
review_by: 2027-03-14            # optional date; default allocated + policy review_days
depends_on: [ledger-db]          # optional list of allocation ids this one talks to
links: [https://tickets.acme.example/NET-123]   # optional list of URLs
"""


def document(text: str) -> Document:
    doc = parse_document(text.encode(), "ports/a.yaml")
    assert isinstance(doc, Document), doc
    return doc


@pytest.mark.parametrize("kind", ["allocation", "policy", "exceptions"])
def test_committed_schema_is_generated(kind: Kind) -> None:
    """`portcheck schema KIND` output and schema/KIND.schema.json are the same bytes."""
    committed = (REPO / "schema" / f"{kind}.schema.json").read_bytes()
    assert committed == render(kind).encode()


@pytest.mark.parametrize("schema", [allocation_schema(), policy_schema()], ids=["alloc", "policy"])
def test_schema_is_valid_draft_2020_12(schema: dict[str, object]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_render_is_stable_json() -> None:
    text = render("allocation")
    assert text.endswith("}\n")
    assert json.loads(text) == allocation_schema()
    assert render("allocation") == text


def test_schema_copies_are_independent() -> None:
    allocation_schema()["title"] = "changed"
    assert allocation_schema()["title"] == "portcheck allocation"


def test_spec_example_passes_both() -> None:
    doc = document(DOCS_EXAMPLE)
    assert list(validator("allocation").iter_errors(doc.data)) == []
    assert isinstance(validate_allocation(doc), Allocation)


def test_shipped_policy_passes_the_policy_schema() -> None:
    doc = parse_document((REPO / "schema" / "policy.yaml").read_bytes(), "schema/policy.yaml")
    assert isinstance(doc, Document)
    assert list(validator("policy").iter_errors(doc.data)) == []


# Allocations the published schema and the schema stage must judge alike.
AGREEMENT = [
    ({}, True),
    ({"port": '"30000-30009"', "protocol": "[tcp, udp]", "scope": "[prod, staging]"}, True),
    ({"status": "retired", "retired_on": "2026-09-01"}, True),
    ({"status": "reserved", "expires": "2026-06-30"}, True),
    ({"status": "deprecated"}, True),
    ({"contact": "ops@acme.example", "links": "[https://a.example/x]"}, True),
    ({"owner": None}, False),
    ({"protcol": "tcp"}, False),
    ({"port": "70000"}, False),
    ({"port": "0"}, False),
    ({"port": "true"}, False),
    ({"port": "abc"}, False),
    ({"protocol": "tcpp"}, False),
    ({"protocol": "[]"}, False),
    ({"protocol": "[tcp, tcp]"}, False),
    ({"scope": "Prod"}, False),
    ({"depends_on": "[a, a]"}, False),
    ({"description": "''"}, False),
    ({"allocated": "2026-02-30"}, False),
    ({"allocated": "2026/03/14"}, False),
    ({"review_by": ""}, False),
    ({"status": "retired"}, False),
    ({"status": "retired", "retired_on": ""}, False),
    ({"retired_on": "2026-09-01"}, False),
    ({"status": "active", "retired_on": "2026-09-01"}, False),
    ({"status": "reserved"}, False),
    ({"status": "reserved", "retired_on": "2026-09-01", "expires": "2026-09-01"}, False),
    ({"status": "retird"}, False),
]


@pytest.mark.parametrize(("fields", "valid"), AGREEMENT)
def test_schema_and_stage_agree(fields: dict[str, str | None], valid: bool) -> None:
    doc = document(allocation(**fields))
    assert (list(validator("allocation").iter_errors(doc.data)) == []) is valid
    assert isinstance(validate_allocation(doc), Allocation) is valid


# What JSON Schema cannot say: the stage refuses these, an editor does not.
STAGE_ONLY = [
    {"port": "08080"},  # PC202: the schema sees the integer 8080
    {"port": "8080.0"},  # an integer to JSON Schema
    {"port": '"30009-30000"'},  # a range out of order
    {"review_by": "2026-01-01"},  # dates out of order
]


@pytest.mark.parametrize("fields", STAGE_ONLY)
def test_stage_is_stricter_than_the_schema_only_where_documented(fields: dict[str, str]) -> None:
    doc = document(allocation(**fields))
    assert list(validator("allocation").iter_errors(doc.data)) == []
    assert isinstance(validate_allocation(doc), list)


def test_valid_files_do_not_import_jsonschema() -> None:
    """jsonschema costs ~80 ms to import: only a file with problems may pay it."""
    code = (
        "import sys\n"
        "from portcheck.load import parse_document\n"
        "from portcheck.model.validate import validate_allocation\n"
        f"doc = parse_document({DOCS_EXAMPLE.encode()!r}, 'ports/a.yaml')\n"
        "validate_allocation(doc)\n"
        "assert 'jsonschema' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
