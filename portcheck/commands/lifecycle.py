"""claim, free, renew, retire, stale, reclaim, impact: the allocation lifecycle."""

from __future__ import annotations
