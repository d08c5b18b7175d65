"""Time portcheck against a plain read loop and check-jsonschema (benchmarks/README.md, Targets).

    python benchmarks/run.py [--files 10000] [--peer] [--touch K] [--keep DIR] [--json]

Every measurement runs in a fresh child process, timed from spawn to exit, with
its peak resident memory (``ru_maxrss``, which covers the child's own children).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import AS_OF, generate

REPO = Path(__file__).resolve().parent.parent
CACHE = ".portcheck-cache"
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
GIT += ["-c", "commit.gpgsign=false"]
# The baseline of the targets: the least any checker must do, read every file once.
READ_LOOP = """\
import os, sys
count = 0
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        with open(os.path.join(folder, name), "rb") as handle:
            handle.read()
        count += 1
print(count)
"""
# A child's ru_maxrss starts at its parent's size (fork and vfork count the
# parent's pages until exec), so measured commands are started by this small
# launcher rather than by run.py, whose heap holds the generated register.
LAUNCHER = """\
import os, resource, sys, time
start = time.perf_counter()
status = os.waitpid(os.spawnvp(os.P_NOWAIT, sys.argv[2], sys.argv[2:]), 0)[1]
seconds = time.perf_counter() - start
with open(sys.argv[1], "w") as report:
    report.write(f"{seconds} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_kib: int
    exit_code: int


@dataclass(frozen=True)
class Result:
    """The best of several runs: least wall time, most memory, last exit code."""

    name: str
    command: str
    runs: int
    seconds: float
    files_per_second: float
    peak_mib: float
    exit_code: int


def spawn(argv: Sequence[str], cwd: Path, env: dict[str, str]) -> Run:
    """Run one child to completion; its output goes to scratch files, not a pipe."""
    with tempfile.TemporaryDirectory() as scratch:
        report, out, err = (Path(scratch) / name for name in ("report", "out", "err"))
        launcher = [sys.executable, "-S", "-I", "-c", LAUNCHER, str(report), *argv]
        with out.open("wb") as stdout, err.open("wb") as stderr:
            done = subprocess.run(
                launcher, check=False, cwd=cwd, env=env, stdout=stdout, stderr=stderr
            )
        warn_if_broken(argv, done.returncode, err.read_bytes())
        if not report.is_file():
            sys.exit(f"run.py: the launcher failed for {shlex.join(argv[:4])}")
        seconds, peak = report.read_text().split()
    # ru_maxrss is KiB on Linux and bytes on macOS.
    kib = int(peak) // 1024 if sys.platform == "darwin" else int(peak)
    return Run(float(seconds), kib, done.returncode)


def warn_if_broken(argv: Sequence[str], exit_code: int, stderr: bytes) -> None:
    """Say so when a time measures a crash or a usage error (2) rather than a check."""
    if exit_code in (0, 1) and b"Traceback (most recent call last)" not in stderr:
        return
    tail = stderr.decode(errors="replace")[-2000:]
    print(f"run.py: {shlex.join(argv[:4])} ... exited {exit_code}\n{tail}", file=sys.stderr)


def summarise(name: str, argv: Sequence[str], runs: Sequence[Run], files: int) -> Result:
    best = min(run.seconds for run in runs)
    return Result(
        name=name,
        command=shlex.join(argv),
        runs=len(runs),
        seconds=round(best, 4),
        files_per_second=round(files / best, 1),
        peak_mib=round(max(run.peak_kib for run in runs) / 1024, 1),
        exit_code=runs[-1].exit_code,
    )


def batches(paths: Sequence[str], budget: int) -> Iterator[list[str]]:
    """Split an argument list so each command line stays under ``budget`` bytes."""
    batch: list[str] = []
    size = 0
    for path in paths:
        if batch and size + len(path) + 1 > budget:
            yield batch
            batch, size = [], 0
        batch.append(path)
        size += len(path) + 1
    if batch:
        yield batch


def register_files(root: Path) -> list[Path]:
    return sorted(path for path in (root / "ports").rglob("*") if path.is_file())


class Bench:
    """The register under test and how to run each contender on it."""

    def __init__(self, args: argparse.Namespace, root: Path) -> None:
        self.args, self.root = args, root
        self.files = register_files(root)
        self.env = dict(os.environ, PYTHONPATH=os.pathsep.join(_pythonpath()))
        self.check = [*shlex.split(args.portcheck), "check", "--root", str(root)]
        self.check += ["--as-of", args.as_of] if args.as_of else []

    def repeat(
        self, name: str, argv: Sequence[str], before: Iterator[None] | None = None
    ) -> Result:
        runs = []
        for _ in range(self.args.repeat):
            if before is not None:
                next(before)
            runs.append(spawn(argv, self.root, self.env))
        return summarise(name, argv, runs, len(self.files))

    def read_loop(self) -> Result:
        argv = [sys.executable, "-c", READ_LOOP, str(self.root / "ports")]
        return self.repeat("read loop", argv)

    def portcheck_cold(self) -> Result:
        return self.repeat("portcheck check", self.check, self._forget_cache())

    def portcheck_warm(self) -> Result:
        spawn(self.check, self.root, self.env)  # fill the cache
        return self.repeat("portcheck check (cache warm)", self.check)

    def portcheck_touched(self, count: int) -> Result:
        spawn(self.check, self.root, self.env)
        with edits(self.files, count) as rounds:
            return self.repeat(f"portcheck check ({count} touched)", self.check, rounds)

    def peer(self) -> Result:
        """check-jsonschema on the same files, in as few command lines as fit."""
        schema = self.root / "schema" / "allocation.schema.json"
        if not schema.is_file():
            shutil.copyfile(REPO / "schema" / "allocation.schema.json", schema)
        argv = [*shlex.split(self.args.peer_cmd), "--schemafile", str(schema)]
        paths = [str(path.relative_to(self.root)) for path in self.files]
        budget = os.sysconf("SC_ARG_MAX") // 4 - sum(len(arg) + 1 for arg in argv)
        runs = [spawn([*argv, *batch], self.root, self.env) for batch in batches(paths, budget)]
        total = Run(
            sum(run.seconds for run in runs),
            max(run.peak_kib for run in runs),
            max(run.exit_code for run in runs),
        )
        return summarise("check-jsonschema", [*argv, "FILES..."], [total], len(self.files))

    def _forget_cache(self) -> Iterator[None]:
        while True:
            shutil.rmtree(self.root / CACHE, ignore_errors=True)
            yield None


def _pythonpath() -> list[str]:
    """The repository first, so `python -m portcheck` runs this checkout's code."""
    existing = os.environ.get("PYTHONPATH", "")
    return [str(REPO), *([existing] if existing else [])]


@contextmanager
def edits(files: Sequence[Path], count: int) -> Iterator[Iterator[None]]:
    """Rounds of edits to ``count`` files (different files each round), undone on exit."""
    originals: dict[Path, bytes] = {}

    def rounds() -> Iterator[None]:
        step, number = max(len(files) // max(count, 1), 1), 0
        while True:
            for path in files[number % step :: step][:count]:
                text = originals.setdefault(path, path.read_bytes())
                edited = text.replace(
                    b"\ndescription: ", f"\ndescription: (rev {number}) ".encode(), 1
                )
                path.write_bytes(edited)
            number += 1
            yield None

    try:
        yield rounds()
    finally:
        for path, text in originals.items():
            path.write_bytes(text)


@dataclass(frozen=True)
class Target:
    name: str
    value: float
    unit: str
    wanted: str
    met: bool


def targets(results: dict[str, Result], files: int, touched: int) -> list[Target]:
    """The targets (benchmarks/README.md), each with its value and whether it is met."""
    results = {name: r for name, r in results.items() if r.exit_code in (0, 1)}  # not crashes
    check, read = results.get("portcheck check"), results.get("read loop")
    peer = results.get("check-jsonschema")
    touch = results.get(f"portcheck check ({touched} touched)")
    rows = []
    if check and read:
        rows.append(_target("portcheck / read loop", check.seconds / read.seconds, "x", "<=", 3))
    if check and peer:
        rows.append(
            _target("check-jsonschema / portcheck", peer.seconds / check.seconds, "x", ">=", 30)
        )
    if check and files == 10_000:
        rows.append(_target("portcheck wall, 10,000 files", check.seconds, "s", "<", 2))
    if touch:
        rows.append(_target(f"portcheck wall, {touched} touched", touch.seconds, "s", "<", 1))
    return rows


def _target(name: str, value: float, unit: str, relation: str, bound: float) -> Target:
    met = {"<=": value <= bound, ">=": value >= bound, "<": value < bound}[relation]
    return Target(name, round(value, 2), unit, f"{relation} {bound} {unit}", met)


def table(root: Path, files: int, results: Sequence[Result], goals: Sequence[Target]) -> str:
    head = f"{'measurement':<32}{'runs':>5}{'wall s':>10}{'files/s':>12}{'peak MiB':>10}{'exit':>6}"
    lines = [f"register: {root} ({files:,} files)", "", head]
    for r in results:
        numbers = f"{r.seconds:>10.3f}{r.files_per_second:>12,.0f}{r.peak_mib:>10.1f}"
        lines.append(f"{r.name:<32}{r.runs:>5}{numbers}{r.exit_code:>6}")
    lines += ["", f"{'target':<36}{'value':>10}  {'wanted':<10}  met"]
    for goal in goals:
        value = f"{goal.value:.2f} {goal.unit}"
        lines.append(
            f"{goal.name:<36}{value:>10}  {goal.wanted:<10}  {'yes' if goal.met else 'NO'}"
        )
    return "\n".join(lines)


def prepare(args: argparse.Namespace, root: Path) -> None:
    """Generate the register unless --keep names one that exists; optionally commit it."""
    if (root / "ports").is_dir():
        print(f"run.py: reusing the register in {root}", file=sys.stderr)
        return
    start = time.perf_counter()
    generate(root, args.files, args.seed, args.dirty)
    elapsed = time.perf_counter() - start
    print(
        f"run.py: generated {args.files:,}+{args.dirty} files in {elapsed:.1f} s", file=sys.stderr
    )
    if args.git:  # a repository of its own: the cache may key files by git blob id
        for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "register"]):
            subprocess.run([*GIT, "-C", str(root), *command], check=True)


GROWTH_SIZES = (1_000, 10_000)


def growth(args: argparse.Namespace, bench: Bench) -> list[Result]:
    """Cold portcheck runs at 1,000 and 10,000 files (fresh registers, same seed)
    beside the register under test: files/s should not fall as the register grows."""
    results = []
    for size in GROWTH_SIZES:
        if size >= len(bench.files):
            continue
        with tempfile.TemporaryDirectory(prefix="portcheck-growth-") as scratch:
            generate(Path(scratch), size, args.seed, 0)
            sized = Bench(args, Path(scratch))
            cold = sized.portcheck_cold()
        results.append(replace(cold, name=f"portcheck check, {size:,} files"))
    return results


def growth_targets(results: Sequence[Result], cold: Result | None, files: int) -> list[Target]:
    """Files/s at the full size within 20% of 10,000 files; memory per added allocation."""
    ten = next((r for r in results if r.name == "portcheck check, 10,000 files"), None)
    if cold is None or ten is None:
        return []
    speed = _target(
        "files/s vs 10,000 files", cold.files_per_second / ten.files_per_second, "x", ">=", 0.8
    )
    per_file = (cold.peak_mib - ten.peak_mib) * 1024 / (files - 10_000)
    return [speed, _target("peak KiB per added allocation", per_file, "KiB", "<=", 1)]


def measure(args: argparse.Namespace, root: Path) -> None:
    prepare(args, root)
    bench = Bench(args, root)
    results = [bench.read_loop(), bench.portcheck_cold(), bench.portcheck_warm()]
    results += [bench.portcheck_touched(args.touch)] if args.touch else []
    results += [bench.peer()] if args.peer else []
    sized = growth(args, bench) if args.growth else []
    goals = targets({result.name: result for result in results}, len(bench.files), args.touch)
    cold = next((r for r in results if r.name == "portcheck check"), None)
    goals += growth_targets(sized, cold, len(bench.files))
    results += sized
    if not args.json:
        print(table(root, len(bench.files), results, goals))
        return
    report = {
        "register": str(root),
        "files": len(bench.files),
        "as_of": args.as_of,
        "results": [asdict(result) for result in results],
        "targets": [asdict(goal) for goal in goals],
    }
    print(json.dumps(report, indent=2))


def parser() -> argparse.ArgumentParser:
    default_peer = Path(sys.executable).with_name("check-jsonschema")
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    cli.add_argument("--files", type=int, default=10_000, help="clean files to generate")
    cli.add_argument("--seed", type=int, default=0)
    cli.add_argument("--dirty", type=int, default=0, help="extra files that each break a rule")
    cli.add_argument("--keep", type=Path, help="generate into (or reuse) this folder and keep it")
    cli.add_argument("--repeat", type=int, default=3, help="runs per fast measurement (best wins)")
    cli.add_argument(
        "--touch", type=int, default=0, metavar="K", help="also time a run after editing K files"
    )
    cli.add_argument(
        "--peer", action="store_true", help="also time check-jsonschema (slow: one run)"
    )
    cli.add_argument(
        "--git", action="store_true", help="commit the generated register in its own git repository"
    )
    cli.add_argument(
        "--growth", action="store_true", help="also time cold runs at 1,000 and 10,000 files"
    )
    cli.add_argument("--json", action="store_true", help="print machine-readable results")
    cli.add_argument(
        "--as-of", default=AS_OF.isoformat(), help="passed to portcheck (empty: today)"
    )
    cli.add_argument(
        "--portcheck",
        default=f"{shlex.quote(sys.executable)} -m portcheck",
        help="command that runs portcheck (default: this checkout via python -m)",
    )
    cli.add_argument(
        "--peer-cmd",
        default=shlex.quote(str(default_peer)) if default_peer.exists() else "check-jsonschema",
        help="command that runs check-jsonschema",
    )
    return cli


def main(argv: Sequence[str] | None = None) -> None:
    cli = parser()
    args = cli.parse_args(argv)
    if min(args.files, args.dirty, args.touch) < 0 or args.repeat < 1:
        cli.error("counts must not be negative, and --repeat at least 1")
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        measure(args, args.keep.resolve())
        return
    with tempfile.TemporaryDirectory(prefix="portcheck-bench-") as scratch:
        measure(args, Path(scratch))


if __name__ == "__main__":
    main()
