"""A lifecycle command that says no: an existing id, a taken port, an unknown id.

The request was well formed but the register or its policy refuses it, so it
exits 1 like a check that found errors; a malformed request stays a
:class:`ConfigError` (exit 2). Subclassing keeps the mapping from exception to
exit code in one place, the command group in ``portcheck.cli``.
"""

from __future__ import annotations

from portcheck.errors import ConfigError


class Refused(ConfigError):
    """The register or its policy refuses the request: one line on stderr, exit code 1."""

    exit_code = 1
