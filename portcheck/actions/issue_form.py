"""`claim --from-issue-form FILE`: the fields of a port request from a GitHub issue-form body.

GitHub renders an issue form (.github/ISSUE_TEMPLATE/port-request.yml) as
markdown: one ``### Label`` heading per field, then the answer, or
``_No response_`` for an optional field left empty. The body is untrusted
text from anyone who can open an issue, so it is parsed strictly: every
heading must be one of the form's, each answer one short line of printable
text, and every value is checked again by claim exactly like a command-line
option.
"""

from __future__ import annotations

import dataclasses
import re

from portcheck.errors import UsageError
from portcheck.finding import printable

MAX_BODY = 16 * 1024
MAX_VALUE = 200
NO_RESPONSE = "_No response_"
#: The form's labels (port-request.yml) and the claim field each fills.
LABELS = {
    "Service": "service",
    "Owner team": "owner",
    "Protocols": "protocols",
    "Scopes": "scopes",
    "Number of ports": "size",
    "Wished port": "port",
    "Description": "description",
    "Contact": "contact",
    "Reservation expiry": "expires",
}
REQUIRED = ("service", "owner", "protocols", "description")
_HEADING = re.compile(r"^### (.*)$", re.M)
_NUMBER = re.compile(r"[1-9][0-9]{0,4}")


@dataclasses.dataclass(frozen=True)
class PortRequest:
    service: str
    owner: str
    protocols: tuple[str, ...]
    description: str
    scopes: tuple[str, ...] = ()
    size: int = 1
    port: int | None = None
    contact: str | None = None
    expires: str | None = None  # YYYY-MM-DD, checked by claim


def parse(body: str) -> PortRequest:
    """The request in an issue-form body; UsageError naming the first bad field."""
    if len(body) > MAX_BODY:
        raise UsageError(f"the issue form is longer than {MAX_BODY // 1024} KiB")
    answers = _answers(body.replace("\r\n", "\n"))
    missing = [
        label for label, field in LABELS.items() if field in REQUIRED and field not in answers
    ]
    if missing:
        raise UsageError(f"the issue form has no answer for {missing[0]!r}")
    return PortRequest(
        service=answers["service"],
        owner=answers["owner"],
        protocols=_items(answers["protocols"]),
        description=answers["description"],
        scopes=_items(answers.get("scopes", "")),
        size=_number(answers.get("size"), "Number of ports") or 1,
        port=_number(answers.get("port"), "Wished port"),
        contact=answers.get("contact"),
        expires=answers.get("expires"),
    )


def _answers(body: str) -> dict[str, str]:
    parts = _HEADING.split(body)
    if parts[0].strip():
        raise UsageError("the issue form must start with a ### heading: edit the issue's body")
    answers: dict[str, str] = {}
    for label, text in zip(parts[1::2], parts[2::2], strict=True):
        field = LABELS.get(label.strip())
        if field is None:
            raise UsageError(f"the issue form has an unknown field {printable(label.strip())}")
        if field in answers:
            raise UsageError(f"the issue form has {label.strip()!r} twice")
        value = _value(label.strip(), text.strip())
        if value is not None:
            answers[field] = value
    return answers


def _value(label: str, text: str) -> str | None:
    if text in ("", NO_RESPONSE):
        return None
    if len(text) > MAX_VALUE:
        raise UsageError(f"{label!r} is longer than {MAX_VALUE} characters")
    if not text.isprintable():
        raise UsageError(f"{label!r} must be one line of printable text: {printable(text)}")
    return text


def _items(text: str) -> tuple[str, ...]:
    """A comma-separated answer (a multiple-choice dropdown, or a typed list)."""
    return tuple(item.strip() for item in text.split(",") if item.strip())


def _number(text: str | None, label: str) -> int | None:
    if text is None:
        return None
    if not _NUMBER.fullmatch(text):
        raise UsageError(f"{label!r} must be a whole number, not {printable(text)}")
    return int(text)
