"""Time PC400's pair enumeration on the generated register and on a pile-up.

Builds the claims of ``generate.py --files N --seed S`` in memory (no files are
written: the same protocols, spans and scopes, in path order, names interned
as the loader interns them), optionally copies ``--copies K`` of them to make
K collisions, or moves their ports over the whole range (``--scatter``), and
times consuming ``each_colliding_pair`` on that list, best of ``--repeat``. Then the same for
``--pile-up M`` claims of one port in one scope (M*(M-1)/2 pairs), with the
peak memory the enumeration allocates (tracemalloc, a separate run: tracing
slows it down). Standard library and this checkout only.

    python benchmarks/collisions.py                       # 100,000 claims, 3,000 piled up
    python benchmarks/collisions.py --files 10000 --copies 50 --pile-up 400
    python benchmarks/collisions.py --scatter --copies 10000    # no bands, many collisions
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.generate import Allocator, clean_entries
from portcheck.checks.collisions import Claim, each_colliding_pair
from portcheck.model import PortSpan


def register_claims(files: int, seed: int, copies: int, *, scatter: bool = False) -> list[Claim]:
    """The generated register's claims in path order (as the register lists them), plus
    ``copies`` duplicates of random ones; ``scatter`` moves every span to a port drawn
    from the whole range (no band per scope depth any more)."""
    generated = clean_entries(files, random.Random(seed), Allocator())
    entries = sorted(generated, key=lambda e: f"{e.team}/{e.ident}.yaml")
    claims = [
        claim(e.protocols, scattered(e.port) if scatter else e.port, e.scopes) for e in entries
    ]
    picker = random.Random(seed + 1)
    return claims + [picker.choice(claims) for _ in range(copies)]


def claim(protocols: Sequence[str], port: tuple[int, int], scopes: Sequence[str]) -> Claim:
    """A claim made of new objects, as loading creates them one file after another
    (where they lie in memory matters at this size); names interned, as the loader
    interns short values."""
    start, end = (int(str(number)) for number in port)
    return Claim(
        tuple(map(sys.intern, protocols)), PortSpan(start, end), tuple(map(sys.intern, scopes))
    )


def scattered(port: tuple[int, int]) -> tuple[int, int]:
    """The span moved by a fixed permutation of 1024-61023, its size kept."""
    start = (port[0] * 7919) % 60000 + 1024
    return start, start + port[1] - port[0]


def pile_up(count: int) -> list[Claim]:
    return [Claim(("tcp",), PortSpan(8080, 8080), ("global",))] * count


def pairs(claims: Sequence[Claim]) -> int:
    return sum(1 for _ in each_colliding_pair(claims))


def best_of(repeat: int, run: Callable[[], int]) -> tuple[float, int]:
    """The least wall time of ``repeat`` runs, and what the run returned."""
    times, result = [], 0
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def peak_memory(run: Callable[[], int]) -> int:
    """Bytes allocated at the peak of one traced run, above what existed before."""
    gc.collect()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    cli.add_argument("--files", type=int, default=100_000, help="generated allocations")
    cli.add_argument("--seed", type=int, default=0, help="generator seed")
    cli.add_argument("--copies", type=int, default=0, help="duplicated claims (collisions)")
    cli.add_argument("--scatter", action="store_true", help="ports from the whole range")
    cli.add_argument("--pile-up", type=int, default=3_000, help="claims of one port and scope")
    cli.add_argument("--repeat", type=int, default=3, help="runs; the best is shown")
    args = cli.parse_args()
    start = time.perf_counter()
    claims = register_claims(args.files, args.seed, args.copies, scatter=args.scatter)
    built = time.perf_counter() - start
    print(f"built {len(claims):,} claims in {built:.1f} s (not timed below)")
    print("| input | claims | pairs | best time | peak traced memory |")
    print("|---|--:|--:|--:|--:|")
    rows = [("generated register", claims), ("pile-up on one port", pile_up(args.pile_up))]
    for name, each in rows:
        seconds, found = best_of(args.repeat, lambda each=each: pairs(each))  # type: ignore[misc]
        peak = peak_memory(lambda each=each: pairs(each))  # type: ignore[misc]
        print(f"| {name} | {len(each):,} | {found:,} | {seconds:.3f} s | {peak / 2**20:.1f} MiB |")


if __name__ == "__main__":
    main()
