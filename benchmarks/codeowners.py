"""Time CODEOWNERS matching near GitHub's 3 MB limit against a large register.

Writes a CODEOWNERS of wildcard lines (anchored `/ports/team-N-*/`, floating
`*.extN` and `build-N-*/`) of about ``--bytes`` bytes, asks who owns each of
``--files`` allocation paths, and prints the time to read the file's bytes,
to parse it, and to match every path, with the matching time per path (it
must not grow with the number of rules).
Standard library and this checkout only.

    python benchmarks/codeowners.py                      # 3 MB x 10,000 files
    python benchmarks/codeowners.py --bytes 300000 --files 1000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from portcheck.codeowners.source import read


def codeowners_text(size: int) -> str:
    lines = ["* @acme/platform"]
    total, number = 0, 0
    shapes = ("/ports/team-{n}-*/ @acme/team-{n}", "*.ext{n} @acme/ext-{n}", "build-{n}-*/ @a/b{n}")
    while total < size:
        line = shapes[number % 3].format(n=number)
        lines.append(line)
        total += len(line) + 1
        number += 1
    return "\n".join(lines) + "\n"


def paths(count: int) -> list[str]:
    return [f"ports/team-{i % 997}-x/svc-{i}.yaml" for i in range(count)]


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    cli.add_argument("--bytes", type=int, default=2_990_000, help="CODEOWNERS size (< 3 MB)")
    cli.add_argument("--files", type=int, default=10_000, help="allocation paths to match")
    args = cli.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "CODEOWNERS"
        file.write_text(codeowners_text(args.bytes), encoding="utf-8")
        start = time.perf_counter()
        file.read_bytes()
        reading = time.perf_counter() - start
        start = time.perf_counter()
        ruleset, _, _ = read(file)
        parsing = time.perf_counter() - start
    start = time.perf_counter()
    for path in paths(args.files):
        ruleset.owners_of(path)
    matching = time.perf_counter() - start
    rules = len(ruleset.rules)
    print("| CODEOWNERS | rules | files | read | parse | match | per file |")
    print("|--:|--:|--:|--:|--:|--:|--:|")
    print(
        f"| {args.bytes:,} B | {rules:,} | {args.files:,} | {reading:.3f} s | {parsing:.2f} s "
        f"| {matching:.2f} s | {matching / args.files * 1e6:,.0f} µs |"
    )


if __name__ == "__main__":
    main()
