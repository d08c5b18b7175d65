"""The rule catalogue: every code portcheck can report, with its documentation.

Checks, `portcheck rule` and reporters that list rules (SARIF) all read this
one table; reporters never import the checks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from portcheck.finding import Finding, Location, Severity


@dataclasses.dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    docs: str

    def finding(self, at: Location, message: str, related: Iterable[Location] = ()) -> Finding:
        return Finding(
            path=at.path,
            line=at.line,
            column=at.column,
            code=self.code,
            name=self.name,
            severity=self.severity,
            message=message,
            related=tuple(related),
        )


E, W = Severity.ERROR, Severity.WARNING

RULES: tuple[Rule, ...] = (
    Rule(
        "PC100",
        "yaml-syntax",
        E,
        "The file is not valid YAML.",
        """
## What it does
Reports a file that a YAML 1.2 parser cannot read, at the position where
parsing stopped.

## Why is this bad?
An allocation nobody can parse is an allocation nobody can check: the port it
claims is invisible to collision detection.

## Example
```yaml
description: "unterminated
```

## Use instead
```yaml
description: "terminated"
```
""",
    ),
    Rule(
        "PC101",
        "yaml-duplicate-key",
        E,
        "A mapping holds the same key twice.",
        """
## What it does
Reports the second occurrence of a key in one mapping, pointing to the first.

## Why is this bad?
Many YAML loaders silently keep the last value, so a reviewer reading the first
`port:` line approves a different port than the one that takes effect.

## Example
```yaml
port: 8080
port: 9090
```

## Use instead
```yaml
port: 9090
```
""",
    ),
    Rule(
        "PC102",
        "yaml-unsafe",
        E,
        "YAML features or encodings that allocation files must not use.",
        """
## What it does
Reports anchors, aliases, merge keys, tags, `%` directives, several documents,
a top level that is not a mapping, non-scalar or quoted top-level keys, nesting
deeper than 32 levels, files over 64 KiB (checked before parsing), and text
that is not UTF-8 (UTF-16/32, NUL bytes, invalid byte sequences).

## Why is this bad?
Each of these either hides what a file means from a reviewer (an alias pulls a
value from elsewhere; `<<` merges keys nobody sees) or is a way to make a
parser slow or crash (alias bombs, deep nesting, huge files).

## Example
```yaml
%YAML 1.1
---
defaults: &d {owner: "@acme/platform"}
<<: *d
```

## Use instead
Write every key out, once, in one plain UTF-8 document:
```yaml
owner: "@acme/platform"
```
""",
    ),
    Rule(
        "PC103",
        "bad-file",
        E,
        "A symlink, a non-regular file, a wrong extension or a bad id under ports/.",
        """
## What it does
Reports anything under `ports/` that is not a plain file named `<id>.yaml`,
where the id matches `^[a-z0-9]+(-[a-z0-9]+)*$` and is at most 63 characters.
Only `.gitkeep` and `README.md` may sit beside allocations.

## Why is this bad?
A symlink can point outside the repository or at another allocation, so the
file a reviewer sees is not the file that counts; a `.yml` file would be
silently ignored by tools that look for `.yaml`.

## Example
`ports/Payments_API.yml`

## Use instead
`ports/payments-api.yaml`
""",
    ),
    Rule(
        "PC200",
        "schema",
        E,
        "The allocation does not match the allocation schema.",
        """
## What it does
Validates each allocation against `schema/allocation.schema.json`: required
fields, types, patterns, enumerations, and the rules the schema cannot say
alone: dates are real calendar dates in order (`review_by`, `expires` and
`retired_on` not before `allocated`), `retired_on` is set exactly when the
status is `retired`, `expires` is set when the status is `reserved`, and a
range is `start-end` with start < end.

## Why is this bad?
Every later check depends on these fields; a missing `owner` means nobody
answers for the port.

## Example
```yaml
service: payments-api
port: 8443
protocol: tcp
```

## Use instead
```yaml
service: payments-api
port: 8443
protocol: tcp
owner: "@acme/payments"
description: Public HTTPS API
allocated: 2026-03-14
```
""",
    ),
    Rule(
        "PC201",
        "unknown-field",
        E,
        "The allocation has a key the schema does not know.",
        """
## What it does
Reports keys that are not allocation fields, suggesting the closest known one.

## Why is this bad?
A typo such as `protcol:` would otherwise be ignored, and the allocation would
fall back to a default the author did not mean.

## Example
```yaml
protcol: udp
```

## Use instead
```yaml
protocol: udp
```
""",
    ),
    Rule(
        "PC202",
        "ambiguous-number",
        E,
        "`port` is not a plain decimal integer.",
        """
## What it does
Reports a `port` written as anything but a plain decimal integer or a
`start-end` range: leading zeros (`08080`), hex (`0x1F90`), octal (`0o17620`),
digit separators (`1_000`), signs (`+8080`), floats (`8080.0`), base-60
(`1:20`) or a quoted number (`"8080"`).

## Why is this bad?
YAML 1.1 and 1.2 loaders disagree on these: `010` is 8 to one and 10 to the
other, `1:20` is 80 to some. The port a reviewer reads must be the port every
tool reads.

## Example
```yaml
port: 08080
```

## Use instead
```yaml
port: 8080
```
""",
    ),
    Rule(
        "PC300",
        "outside-range",
        E,
        "The port is outside the ranges the policy allows for its protocol.",
        """
## What it does
Reports an allocation whose ports are not all inside one of the policy's
`ranges` for each of its protocols.

## Why is this bad?
The ranges are how the platform team keeps blocks apart (for example services
below 30000, batch jobs above 61000); a port outside them bypasses that plan.

## Example
With `ranges: {tcp: ["1024-29999"]}`:
```yaml
port: 40000
protocol: tcp
```

## Use instead
```yaml
port: 8443
protocol: tcp
```
""",
    ),
    Rule(
        "PC301",
        "reserved-range",
        E,
        "The port falls in a block the policy reserves.",
        """
## What it does
Reports an allocation that touches a `reserved` block of the policy that
applies to its protocol, naming the reason the block is reserved.

## Why is this bad?
Reserved blocks are owned by something outside the register: system ports,
the Kubernetes NodePort range, the kernel's ephemeral ports. A service there
will collide with something portcheck cannot see.

## Example
```yaml
port: 30080      # Kubernetes NodePort range
protocol: tcp
```

## Use instead
Pick a port from `portcheck free --protocol tcp`.
""",
    ),
    Rule(
        "PC302",
        "protocol-not-allowed",
        E,
        "The protocol is not one the policy accepts.",
        """
## What it does
Reports a protocol missing from the policy's `protocols` list.

## Why is this bad?
A register that only accepts `tcp` and `udp` has no ranges for `sctp`; an
allocation there is unplanned.

## Example
```yaml
protocol: sctp
```

## Use instead
Use an accepted protocol, or ask the platform team to add it to
`schema/policy.yaml` (with ranges) in a separate pull request.
""",
    ),
    Rule(
        "PC303",
        "unknown-scope",
        E,
        "The scope is not listed in the policy.",
        """
## What it does
Reports a scope not listed in the policy's `scopes` (`global` is always known),
suggesting the closest known one.

## Why is this bad?
Collisions are decided by scope containment; a misspelt scope such as
`prod/ue` contains nothing and is contained by nothing but `global`, so real
collisions in `prod/eu` would go unnoticed.

## Example
```yaml
scope: prod/ue
```

## Use instead
```yaml
scope: prod/eu
```
""",
    ),
    Rule(
        "PC304",
        "range-too-large",
        E,
        "The range is larger than the policy's max_range.",
        """
## What it does
Reports a `start-end` range holding more ports than the policy's `max_range`.

## Why is this bad?
Large blocks drain the register quickly and are rarely all used.

## Example
With `max_range: 64`:
```yaml
port: "20000-20999"
```

## Use instead
```yaml
port: "20000-20015"
```
""",
    ),
    Rule(
        "PC400",
        "port-collision",
        E,
        "Two allocations claim the same port for the same protocol in overlapping scopes.",
        """
## What it does
Reports two allocations that share a protocol, whose port sets intersect, and
where one scope contains the other (equal, ancestor, or either is `global`).
Every status occupies its ports, `retired` included, until the file is
deleted. The finding appears on both files, each pointing at the other.

## Why is this bad?
Two services on one port is the outage portcheck exists to prevent; a retired
port handed out again breaks clients that still call the old service.

## Example
`ports/a.yaml` and `ports/b.yaml` both say:
```yaml
port: 8080
protocol: tcp
scope: prod
```

## Use instead
Give one of them a free port (`portcheck free --protocol tcp --scope prod`),
or put them in sibling scopes such as `prod/eu` and `prod/us`.
""",
    ),
    Rule(
        "PC401",
        "duplicate-id",
        E,
        "Two files under ports/ have the same id.",
        """
## What it does
Reports allocation files with the same file name (the id) in different folders.

## Why is this bad?
`depends_on`, `renew`, `retire` and `impact` name allocations by id; two files
with one id make every such reference ambiguous.

## Example
`ports/payments/api.yaml` and `ports/search/api.yaml`

## Use instead
`ports/payments/payments-api.yaml` and `ports/search/search-api.yaml`
""",
    ),
    Rule(
        "PC402",
        "dangling-dependency",
        E,
        "`depends_on` names an allocation that does not exist.",
        """
## What it does
Reports each `depends_on` entry that is not the id of an allocation file.

## Why is this bad?
Dependencies are how `portcheck impact` finds who breaks when a port is
retired; a dangling one hides that impact.

## Example
```yaml
depends_on: [ledger-dbb]
```

## Use instead
```yaml
depends_on: [ledger-db]
```
""",
    ),
    Rule(
        "PC500",
        "not-code-owned",
        E,
        "No CODEOWNERS line with owners covers the allocation file.",
        """
## What it does
Reports an allocation file that no CODEOWNERS rule with owners matches.

## Why is this bad?
Code-owner review is the approval step; an unowned file can be merged without
anybody who answers for the port approving it.

## Example
A CODEOWNERS file whose last rule for `ports/` is `/ports/legacy/` with no owners.

## Use instead
Run `portcheck codeowners --write` to map each allocation to its `owner`.
""",
    ),
    Rule(
        "PC501",
        "owner-mismatch",
        E,
        "The `owner` field is not among the file's code owners.",
        """
## What it does
Reports an allocation whose `owner` (compared case-insensitively, as GitHub
does) is not one of the code owners GitHub would request for the file.

## Why is this bad?
The approval would come from someone other than the team that claims to own
the port.

## Example
`owner: "@acme/payments"` in a file CODEOWNERS gives to `@acme/search`.

## Use instead
Fix the `owner` field, or run `portcheck codeowners --write`.
""",
    ),
    Rule(
        "PC502",
        "codeowners-invalid",
        E,
        "CODEOWNERS has unsupported syntax, exists twice, or leaves a protected path unowned.",
        """
## What it does
Reports CODEOWNERS lines GitHub does not support (`!` negation, `[ ]` ranges,
`\\#` escapes, GitLab `[Section]` headers, malformed owners), more than one
CODEOWNERS file among `.github/`, the root and `docs/`, a CODEOWNERS file of
3 MB or more (GitHub ignores it), and protected paths (`/CODEOWNERS` or the
file's own location, `/.github/`, `/schema/`, `/portcheck/`) not owned by the
policy's `platform` owner.

## Why is this bad?
GitHub skips lines it cannot read, so the approval they were meant to require
silently disappears; whoever owns `schema/` decides the rules for everyone.

## Example
```
!ports/legacy/ @acme/platform
```

## Use instead
```
/ports/legacy/ @acme/platform
```
""",
    ),
    Rule(
        "PC600",
        "review-overdue",
        W,
        "The allocation is past its review date.",
        """
## What it does
Warns when the check date (`--as-of`, default today) is after `review_by`
(default: `allocated` plus the policy's `review_days`). Retired allocations
are not reviewed.

## Why is this bad?
Registers rot: a port nobody has confirmed for a year may belong to a service
that no longer exists.

## Example
```yaml
allocated: 2024-01-10
review_by: 2025-01-10
```

## Use instead
Confirm the allocation is still needed and run `portcheck renew <id>`, or
`portcheck retire <id>` if it is not.
""",
    ),
    Rule(
        "PC601",
        "expired",
        W,
        "The allocation's `expires` date has passed.",
        """
## What it does
Warns when the check date is after `expires` on an allocation that is not
retired (reservations must have one).

## Why is this bad?
A reservation that outlives its purpose blocks the port for everyone else.

## Example
```yaml
status: reserved
expires: 2026-06-30
```

## Use instead
Turn the reservation into an `active` allocation, extend `expires`, or retire it.
""",
    ),
    Rule(
        "PC602",
        "reclaimable",
        W,
        "A retired allocation's quarantine is over: delete the file.",
        """
## What it does
Warns when a retired allocation's `retired_on` plus the policy's
`quarantine_days` is on or before the check date.

## Why is this bad?
A retired file keeps its ports occupied; once the quarantine has passed, the
port should go back to the pool.

## Example
```yaml
status: retired
retired_on: 2025-01-01
```

## Use instead
Run `portcheck reclaim` (it deletes exactly these files) and open a pull request.
""",
    ),
    Rule(
        "PC700",
        "renumbered",
        E,
        "An existing allocation changed its port or protocol.",
        """
## What it does
With `--base REF`, reports an allocation file that exists on the base and whose
`port` or `protocol` changed.

## Why is this bad?
Clients of the old port break. Renumbering is a new allocation plus the
retirement of the old one.

## Example
A pull request that edits `port: 8080` to `port: 8081`.

## Use instead
Claim the new port in a new file and `portcheck retire` the old one.
""",
    ),
    Rule(
        "PC701",
        "released-without-retiring",
        E,
        "An allocation was deleted without being retired and quarantined first.",
        """
## What it does
With `--base REF`, reports an active, deprecated or reserved allocation that
was deleted, or a retired one deleted before its quarantine ended.

## Why is this bad?
Deleting the file frees the port at once, while old clients may still call it.

## Example
`git rm ports/payments-api.yaml` while its status is `active`.

## Use instead
`portcheck retire payments-api`, and delete the file with `portcheck reclaim`
once the quarantine is over.
""",
    ),
    Rule(
        "PC702",
        "policy-and-allocations-together",
        E,
        "One change edits both the policy and allocations.",
        """
## What it does
With `--base REF`, reports a change that touches `schema/` and `ports/` at once.

## Why is this bad?
A pull request could loosen the rules and use the loosened rules in one go;
keeping them apart means each is reviewed on its own.

## Example
One pull request adding `40000-40999` to the tcp ranges and claiming port 40000.

## Use instead
Merge the policy change first, then claim the port.
""",
    ),
)

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


def rule(code: str) -> Rule:
    return BY_CODE[code]
