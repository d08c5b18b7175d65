"""The JSON Schemas of allocation and policy files, generated from the models.

`portcheck.model` is the one source of truth; this module only tidies pydantic's
output for editors (yaml-language-server) and peers (check-jsonschema).
jsonschema is imported lazily: it costs ~80 ms and is needed only when a file
is already known to be invalid (portcheck.model.messages says what is wrong).
"""

from __future__ import annotations

import copy
import functools
import json
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from portcheck.model import (
    Allocation,
    Policy,
)
from portcheck.model.exceptions import ExceptionsFile

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

Kind = Literal["allocation", "policy", "exceptions"]
DIALECT = "https://json-schema.org/draft/2020-12/schema"
_MODELS: dict[Kind, type[BaseModel]] = {
    "allocation": Allocation,
    "policy": Policy,
    "exceptions": ExceptionsFile,
}
# Keys in the order a reader wants them; the rest follow alphabetically.
_KEY_ORDER: tuple[str, ...] = ("$schema", "title", "description", "type", "default", "enum")
_KEY_ORDER += ("required", "properties", "additionalProperties", "propertyNames", "items")
_KEY_ORDER += ("if", "then", "else")
# Maps of name -> schema whose order is the models' field order.
_NAMED = ("properties", "$defs")


def allocation_schema() -> dict[str, Any]:
    return copy.deepcopy(_schema("allocation"))


def policy_schema() -> dict[str, Any]:
    return copy.deepcopy(_schema("policy"))


def render(kind: Kind) -> str:
    """The schema as committed in schema/: stable JSON, indent 2, trailing newline."""
    return json.dumps(_schema(kind), indent=2) + "\n"


@functools.cache
def validator(kind: Kind) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    # Formats are checked, as check-jsonschema does, so "2026-02-30" fails here too.
    checker = Draft202012Validator.FORMAT_CHECKER
    return Draft202012Validator(_schema(kind), format_checker=checker)


@functools.cache
def _schema(kind: Kind) -> dict[str, Any]:
    tidy: dict[str, Any] = _tidy({"$schema": DIALECT, **_MODELS[kind].model_json_schema()})
    return tidy


def _tidy(node: Any) -> Any:
    """Drop ``null`` alternatives, give scalar lists ``uniqueItems``, order keys.

    An empty value (``review_by:``) is refused rather than read as "absent":
    it is almost always an unfinished edit, and ``retired_on: null`` would
    otherwise satisfy "retired_on is required when retired". Repeated list
    items (``protocol: [tcp, tcp]``) are always a slip.
    """
    if isinstance(node, list):
        return [_tidy(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {
        key: {name: _tidy(sub) for name, sub in value.items()} if key in _NAMED else _tidy(value)
        for key, value in node.items()
    }
    branches = [b for b in node.pop("anyOf", ()) if b != {"type": "null"}]
    if len(branches) == 1:
        node.update(branches[0])
    elif branches:
        node["anyOf"] = branches
    if "default" in node and node["default"] is None:
        del node["default"]  # an editor would otherwise offer to insert `key: null`
    if node.get("type") == "array" and "$ref" not in node.get("items", {}):
        node["uniqueItems"] = True
    return {key: node[key] for key in sorted(node, key=_key_rank)}


def _key_rank(key: str) -> tuple[int, str]:
    return (_KEY_ORDER.index(key), "") if key in _KEY_ORDER else (len(_KEY_ORDER), key)
