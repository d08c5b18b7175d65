"""Performance measurement for portcheck (benchmarks/README.md): a register generator
and a runner."""
