"""The one application exception family, mapped to an exit code in portcheck.cli alone."""

from __future__ import annotations


class PortcheckError(Exception):
    """An error reported as one line on stderr; ``exit_code`` is what the process exits with.

    ``message`` starts with a location (``schema/policy.yaml:3:5: ...``) when there
    is one.
    """

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(PortcheckError):
    """A bad option, an unreadable root, an invalid policy: exit code 2."""

    exit_code = 2


class Refused(PortcheckError):
    """A well-formed request the register or its policy refuses (an existing id, a taken
    port, an unknown id): exit code 1, like a check that found errors."""

    exit_code = 1
