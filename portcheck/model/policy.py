"""schema/policy.yaml: find it, read it, validate it, or stop with exit code 2 (docs/policy.md).

An invalid policy is a configuration error, not a finding: no allocation can
be judged without it. The first problem (in file order) is reported as one
located line. Beyond its JSON Schema, a policy must be coherent:

- a range is ``start-end`` with start <= end; allocatable ``ranges`` lie in
  1-65535, while ``reserved`` blocks may start at port 0 (``"0-1023"``, the
  system ports: nothing can be allocated there, so reserving it is harmless);
- every key of ``ranges`` is listed in ``protocols`` (ranges for a protocol the
  register refuses can only be a slip);
- a reserved block's ``protocol`` list is not empty (leave it out to mean all);
- no list repeats an item, and ports are plain decimal integers (PC202's rule).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from portcheck.errors import UsageError
from portcheck.finding import Finding
from portcheck.load import parse_document
from portcheck.load.document import Document
from portcheck.model import PORT_MAX, PROTOCOLS, Policy
from portcheck.model.ambiguous import ambiguous_number
from portcheck.model.consistency import duplicate_items, range_bounds
from portcheck.model.messages import Problem, field_name, show
from portcheck.model.validate import holds_null, locate, model_or_errors, schema_stage_problems

POLICY_FILE = "policy.yaml"


def resolve_policy_dir(root: Path, option: Path | None) -> Path:
    """The folder holding policy.yaml: ``root/schema`` by default; given a
    folder, that folder itself (a trusted copy of schema/) or its schema/ (a checkout root)."""
    if option is None:
        return root / "schema"
    for candidate in (option, option / "schema"):
        if (candidate / POLICY_FILE).exists():
            return candidate
    raise UsageError(
        f"{option}: found neither {option / POLICY_FILE} nor {option / 'schema' / POLICY_FILE}"
    )


def load_policy(policy_dir: Path, display: str = "schema/policy.yaml") -> Policy:
    """Read and validate ``policy_dir/policy.yaml``; ``display`` names it in messages."""
    path = policy_dir / POLICY_FILE
    try:
        if path.exists() and not path.is_file():
            raise UsageError(f"{display}: cannot read the policy: not a regular file")
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise UsageError(f"{display}: cannot read the policy: {reason}") from None
    doc = parse_document(data, display)
    if isinstance(doc, Finding):
        raise UsageError(f"{doc.location}: invalid policy: {doc.message}")
    return validate_policy(doc)


def validate_policy(doc: Document) -> Policy:
    """The policy in ``doc``, or UsageError located at its first problem."""
    policy, errors = model_or_errors(Policy, doc.data)
    ambiguous = list(_ambiguous_ports(doc))
    problems = ambiguous + _coherence(doc.data)
    if policy is None or holds_null(doc.data):
        settled = {problem.path for problem in ambiguous}  # one problem, one message
        found = schema_stage_problems("policy", doc.data, errors)
        problems += [problem for problem in found if problem.path not in settled]
    if policy is not None and not problems:
        return policy
    first = min(problems, key=lambda p: _position(doc, p), default=None)
    line, column = _position(doc, first) if first else (1, 1)
    message = first.message if first else "does not match the policy schema"
    raise UsageError(f"{doc.path}:{line}:{column}: invalid policy: {message}")


def _position(doc: Document, problem: Problem) -> tuple[int, int]:
    at = locate(doc, problem)
    return at.line, at.column


def _port_values(data: dict[str, object]) -> Iterator[tuple[tuple[str | int, ...], object, int]]:
    """Every port or range in the policy, with its path and lowest allowed port."""
    ranges = data.get("ranges")
    if isinstance(ranges, dict):
        for protocol, specs in ranges.items():
            for index, spec in enumerate(specs if isinstance(specs, list) else ()):
                yield ("ranges", protocol, index), spec, 1
    reserved = data.get("reserved")
    for index, block in enumerate(reserved if isinstance(reserved, list) else ()):
        if isinstance(block, dict) and "port" in block:
            yield ("reserved", index, "port"), block["port"], 0


def _ambiguous_ports(doc: Document) -> Iterator[Problem]:
    for path, value, _ in _port_values(doc.data):
        problem = ambiguous_number(path, value, doc.scalars.get(path))
        if problem is not None:
            yield problem


def _coherence(data: dict[str, object]) -> list[Problem]:
    """What the policy schema cannot say (see the module docstring)."""
    checks = (_range_order, _unlisted_protocols, _empty_protocols, duplicate_items)
    return [problem for check in checks for problem in check(data)]


def _range_order(data: dict[str, object]) -> Iterator[Problem]:
    for path, value, lowest in _port_values(data):
        bounds = range_bounds(value)
        if bounds is not None and not lowest <= bounds[0] <= bounds[1] <= PORT_MAX:
            limits = f"{lowest} <= start <= end <= {PORT_MAX}"
            yield Problem(path, f"{field_name(path)} {show(value)} must be start-end with {limits}")


def _unlisted_protocols(data: dict[str, object]) -> Iterator[Problem]:
    ranges, protocols = data.get("ranges"), data.get("protocols")
    if not isinstance(ranges, dict) or not isinstance(protocols, list):
        return
    for protocol in ranges:
        if protocol in PROTOCOLS and protocol not in protocols:
            message = f"ranges has {show(protocol)}, which protocols does not list"
            yield Problem(("ranges", protocol), message, True)


def _empty_protocols(data: dict[str, object]) -> Iterator[Problem]:
    reserved = data.get("reserved")
    for index, block in enumerate(reserved if isinstance(reserved, list) else ()):
        if isinstance(block, dict) and block.get("protocol") == []:
            path = ("reserved", index, "protocol")
            yield Problem(path, f"{field_name(path)} is empty: leave it out to mean all protocols")
