"""Performance measurement for portcheck (SPEC §8): a register generator and a runner."""
