"""The one application exception: a usage or configuration error (exit 2, SPEC §5)."""

from __future__ import annotations


class ConfigError(Exception):
    """Bad option, unreadable root, invalid policy: reported in one line, exit code 2.

    ``message`` should start with a location (``schema/policy.yaml:3:5: ...``)
    when there is one.
    """

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
