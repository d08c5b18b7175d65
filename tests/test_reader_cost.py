"""Both YAML readers take time linear in a line's length, whatever the line holds.

Untrusted files reach the readers before any other check, so a line that makes
a regex backtrack quadratically turns one 64 KiB file into minutes of CI.
Timing is relative, never wall time: each reader's cost on a worst-case line
is compared with the cost of reading and splitting the same bytes, and with
its own cost on a line a sixteenth as long (linear: about 16x; quadratic: 256x).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from portcheck.load.fast import parse_fast
from portcheck.load.strict import parse_strict

LINE = 64 * 1024 - 64  # the longest line a file under the 64 KiB limit can hold

#: Lines that end a long run of characters in a way a backtracking regex tries
#: every split of: spaces before a final ``:`` (issue: 0.7 s -> 29 s), runs of
#: quotes, colons and comment markers, an unclosed flow list.
WORST: dict[str, Callable[[int], str]] = {
    "value, spaces, colon": lambda n: "description: a" + " " * n + ":\n",
    "item, spaces, colon": lambda n: "scope:\n- a" + " " * n + ":\n",
    "key, spaces, text": lambda n: "description:" + " " * n + "x:\n",
    "spaces and hashes": lambda n: "description: a" + " #" * (n // 2) + "\n",
    "doubled quotes": lambda n: "description: '" + "''" * (n // 2) + "\n",
    "colons": lambda n: "description: a" + ":" * n + " \n",
    "unclosed flow list": lambda n: "scope: [" + "abcdefg," * (n // 8) + "\n",
    "spaces after item dash": lambda n: "scope:\n-" + " " * n + "x #\n",
}
READERS = {"fast": parse_fast, "strict": parse_strict}
#: Linear work in Python costs up to a thousand times memchr-speed splitting for
#: the fast reader, and up to ~75,000 times for ruamel.yaml's token-per-item
#: scanner (an unclosed flow list of 32,000 one-letter items); the quadratic lines this
#: guards against cost the fast reader 90,000-600,000 times reading them.
MAX_RATIO_TO_READING = {"fast": 20_000, "strict": 250_000}
#: Sixteen times the input may cost at most 100 times the time (linear: ~16,
#: quadratic: 256; the slack absorbs timer noise on a busy machine).
SHORTER = 16
MAX_GROWTH = 100.0


def best_of(runs: int, action: Callable[[], object]) -> float:
    """The least time of ``runs`` calls, with the cyclic collector paused (its
    pauses land on whichever call happens to trigger them)."""
    best = float("inf")
    gc.disable()
    try:
        for _ in range(runs):
            start = time.perf_counter()
            action()
            best = min(best, time.perf_counter() - start)
    finally:
        gc.enable()
    return best


def reading(path: Path) -> float:
    return best_of(5, lambda: path.read_bytes().decode("utf-8").split("\n"))


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("case", WORST)
def test_a_worst_case_line_costs_linear_time(tmp_path: Path, reader: str, case: str) -> None:
    parse = READERS[reader]
    long, short = WORST[case](LINE), WORST[case](LINE // SHORTER)
    path = tmp_path / "worst.yaml"
    path.write_text(long, encoding="utf-8")
    cost = best_of(5, lambda: parse(long, "worst.yaml"))
    ratio = cost / reading(path)
    assert ratio < MAX_RATIO_TO_READING[reader], f"{reader} on {case}: {ratio:,.0f}x reading"
    growth = cost / best_of(9, lambda: parse(short, "worst.yaml"))
    assert growth < MAX_GROWTH, f"{reader} on {case}: {SHORTER}x the line, {growth:.1f}x the time"
