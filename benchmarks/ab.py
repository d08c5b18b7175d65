"""Warm pull-request runs of two checkouts, interleaved, so drift hits both alike.

    python benchmarks/ab.py REGISTER ROUNDS CHECKOUT_A CHECKOUT_B

REGISTER is a committed register (run.py --keep DIR --git). Both checkouts must
write the same cache format: they share the register's cache. Each round edits
five files (run.py's edits) before each checkout's run; the medians compare.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.run import edits, register_files


def main(root: Path, rounds: int, checkouts: list[str]) -> None:
    argv = [sys.executable, "-m", "portcheck", "check", "--root", str(root)]
    argv += ["--as-of", "2026-11-27"]

    def run(checkout: str) -> float:
        # cwd is the register: `python -m` would find a portcheck in the cwd first.
        env = dict(os.environ, PYTHONPATH=checkout)
        start = time.perf_counter()
        subprocess.run(argv, env=env, cwd=root, stdout=subprocess.DEVNULL, check=True)
        return time.perf_counter() - start

    for checkout in checkouts:
        run(checkout)  # each reads (or writes) the cache once first
    times: dict[str, list[float]] = {checkout: [] for checkout in checkouts}
    with edits(register_files(root), 5) as edited:
        for _ in range(rounds):
            for checkout in checkouts:
                next(edited)
                times[checkout].append(run(checkout))
    for checkout, taken in times.items():
        print(f"{checkout}: best {min(taken):.3f} s, median {statistics.median(taken):.3f} s")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), int(sys.argv[2]), sys.argv[3:])
