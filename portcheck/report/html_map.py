"""`portcheck export --format html`: one self-contained page with a port map and a table.

Nothing is fetched: styles and the script are inline, so the page works from
``file://`` and from GitHub Pages. The register travels as JSON in a
``<script type="application/json">`` block with ``<``, ``>`` and ``&`` escaped,
the script builds the DOM with ``textContent`` only, and a Content-Security-Policy
allows exactly that one script (by hash): a description holding ``<script>``
stays text.
"""

from __future__ import annotations

import base64
import hashlib
import json
from importlib import resources

from portcheck.model import PORT_MAX, Policy, PortSpan
from portcheck.register import Register
from portcheck.report.export import allocation_record, ordered


def export_html(register: Register) -> str:
    template = resources.files("portcheck.report").joinpath("port_map.html").read_text("utf-8")
    script = resources.files("portcheck.report").joinpath("port_map.js").read_text("utf-8")
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    return (
        template.replace("@DIGEST@", digest)
        .replace("@DATA@", _data(register))
        .replace("@SCRIPT@", script)
    )


def _closed(policy: Policy, protocol: str) -> list[PortSpan]:
    """The ports outside the policy's allocatable ranges: never free, though not reserved."""
    closed: list[PortSpan] = []
    start = 0
    for span in policy.allowed(protocol):  # sorted and merged
        if span.start > start:
            closed.append(PortSpan(start, span.start - 1))
        start = span.end + 1
    if start <= PORT_MAX:
        closed.append(PortSpan(start, PORT_MAX))
    return closed


def _data(register: Register) -> str:
    policy = register.policy
    reserved = [
        {
            "port": str(block.span),
            "protocol": [p for p in policy.protocols if block.applies_to(p)],
            "reason": block.reason,
        }
        for block in policy.reserved
    ]
    document = {
        "protocols": list(policy.protocols),
        "closed": {p: [str(span) for span in _closed(policy, p)] for p in policy.protocols},
        "scopes": sorted({"global", *policy.scopes}),
        "reserved": reserved,
        "allocations": [allocation_record(entry) for entry in ordered(register)],
    }
    text = json.dumps(document, ensure_ascii=True, separators=(",", ":"))
    # Inside <script> only "</" and "<!--" end or confuse the block; escaping every
    # <, > and & as JSON \\u escapes covers both and keeps the JSON equal.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
