"""`portcheck codeowners`: CODEOWNERS as the approval step."""

from __future__ import annotations
