"""The rule catalogue: every code portcheck can report, as typed constants.

Checks import the constant they report (``PORT_COLLISION.finding(...)``), so
mypy checks every use; ``portcheck rule`` and the reporters that list rules
(SARIF) read :data:`RULES`. Each rule's documentation (what it does, why it
matters, an example, what to do instead) is ``docs/<code>.md`` beside this
file, read only when asked for.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from importlib import resources

from portcheck.finding import Finding, Location, Severity, bounded


@dataclasses.dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str

    @property
    def docs(self) -> str:
        return _docs(self.code)

    def finding(self, at: Location, message: str, related: Iterable[Location] = ()) -> Finding:
        return Finding(
            path=at.path,
            line=at.line,
            column=at.column,
            code=self.code,
            name=self.name,
            severity=self.severity,
            message=bounded(message),
            related=tuple(related),
        )


@functools.cache
def _docs(code: str) -> str:
    return "\n" + resources.files(__package__).joinpath(f"docs/{code}.md").read_text("utf-8")


E, W = Severity.ERROR, Severity.WARNING

YAML_SYNTAX = Rule("PC100", "yaml-syntax", E, "The file is not valid YAML.")
YAML_DUPLICATE_KEY = Rule("PC101", "yaml-duplicate-key", E, "A mapping holds the same key twice.")
YAML_UNSAFE = Rule(
    "PC102", "yaml-unsafe", E, "YAML features or encodings that allocation files must not use."
)
BAD_FILE = Rule(
    "PC103",
    "bad-file",
    E,
    "A symlink, a non-regular file, a wrong extension or a bad id under ports/.",
)
MODELINE_UNRESOLVED = Rule(
    "PC104",
    "modeline-unresolved",
    W,
    "The `$schema=` modeline does not lead to schema/allocation.schema.json.",
)
SCHEMA = Rule("PC200", "schema", E, "The allocation does not match the allocation schema.")
UNKNOWN_FIELD = Rule(
    "PC201", "unknown-field", E, "The allocation has a key the schema does not know."
)
AMBIGUOUS_NUMBER = Rule("PC202", "ambiguous-number", E, "`port` is not a plain decimal integer.")
OUTSIDE_RANGE = Rule(
    "PC300",
    "outside-range",
    E,
    "The port is outside the ranges the policy allows for its protocol.",
)
RESERVED_RANGE = Rule(
    "PC301", "reserved-range", E, "The port falls in a block the policy reserves."
)
PROTOCOL_NOT_ALLOWED = Rule(
    "PC302", "protocol-not-allowed", E, "The protocol is not one the policy accepts."
)
UNKNOWN_SCOPE = Rule("PC303", "unknown-scope", E, "The scope is not listed in the policy.")
RANGE_TOO_LARGE = Rule(
    "PC304", "range-too-large", E, "The range is larger than the policy's max_range."
)
PORT_COLLISION = Rule(
    "PC400",
    "port-collision",
    E,
    "Two allocations claim the same port for the same protocol in overlapping scopes.",
)
DUPLICATE_ID = Rule("PC401", "duplicate-id", E, "Two files under ports/ have the same id.")
DANGLING_DEPENDENCY = Rule(
    "PC402", "dangling-dependency", E, "`depends_on` names an allocation that does not exist."
)
NOT_CODE_OWNED = Rule(
    "PC500", "not-code-owned", E, "No CODEOWNERS line with owners covers the allocation file."
)
OWNER_MISMATCH = Rule(
    "PC501", "owner-mismatch", E, "The `owner` field is not among the file's code owners."
)
CODEOWNERS_INVALID = Rule(
    "PC502",
    "codeowners-invalid",
    E,
    "CODEOWNERS has unsupported syntax, exists twice, or leaves a protected path unowned.",
)
REVIEW_OVERDUE = Rule("PC600", "review-overdue", W, "The allocation is past its review date.")
EXPIRED = Rule("PC601", "expired", W, "The allocation's `expires` date has passed.")
RECLAIMABLE = Rule(
    "PC602", "reclaimable", W, "A retired allocation's quarantine is over: delete the file."
)
RENUMBERED = Rule(
    "PC700", "renumbered", E, "An allocation stopped holding a port, protocol or scope it held."
)
RELEASED_WITHOUT_RETIRING = Rule(
    "PC701",
    "released-without-retiring",
    E,
    "An allocation was deleted without being retired and quarantined first.",
)
POLICY_AND_ALLOCATIONS_TOGETHER = Rule(
    "PC702",
    "policy-and-allocations-together",
    E,
    "One change edits both the policy and allocations.",
)
BACKDATED = Rule(
    "PC703", "backdated", E, "A change sets `retired_on` or `expires` before the change's date."
)
EXCEPTION_INVALID = Rule(
    "PC800",
    "exception-invalid",
    E,
    "An entry of schema/exceptions.yaml fails its schema or names no allocation.",
)
EXCEPTION_UNUSED = Rule("PC801", "exception-unused", W, "An exception matches no finding.")
EXCEPTION_EXPIRED = Rule("PC802", "exception-expired", W, "An exception is past its expiry date.")

RULES: tuple[Rule, ...] = (
    YAML_SYNTAX,
    YAML_DUPLICATE_KEY,
    YAML_UNSAFE,
    BAD_FILE,
    MODELINE_UNRESOLVED,
    SCHEMA,
    UNKNOWN_FIELD,
    AMBIGUOUS_NUMBER,
    OUTSIDE_RANGE,
    RESERVED_RANGE,
    PROTOCOL_NOT_ALLOWED,
    UNKNOWN_SCOPE,
    RANGE_TOO_LARGE,
    PORT_COLLISION,
    DUPLICATE_ID,
    DANGLING_DEPENDENCY,
    NOT_CODE_OWNED,
    OWNER_MISMATCH,
    CODEOWNERS_INVALID,
    REVIEW_OVERDUE,
    EXPIRED,
    RECLAIMABLE,
    RENUMBERED,
    RELEASED_WITHOUT_RETIRING,
    POLICY_AND_ALLOCATIONS_TOGETHER,
    BACKDATED,
    EXCEPTION_INVALID,
    EXCEPTION_UNUSED,
    EXCEPTION_EXPIRED,
)

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}


def find_rule(code_or_name: str) -> Rule | None:
    """The rule with this code (any case) or kebab-case name."""
    return BY_CODE.get(code_or_name.upper()) or _BY_NAME.get(code_or_name.lower())
