"""CODEOWNERS read exactly as GitHub reads it: where the file is, which lines count,
and who owns a path (README, CODEOWNERS as the approval step;
rules PC500-PC502).

Pipeline: ``source`` finds and reads the file, ``parse`` turns lines into rules
and problems, ``pattern`` compiles each pattern, ``ruleset`` answers "who owns
this path", and ``block`` keeps the generated `# BEGIN portcheck` block.
"""

from __future__ import annotations

from portcheck.codeowners.parse import LineProblem, OwnersLine, parse
from portcheck.codeowners.pattern import Pattern, compile_pattern
from portcheck.codeowners.ruleset import Ruleset
from portcheck.codeowners.source import LOCATIONS, Codeowners, load_codeowners

__all__ = [
    "LOCATIONS",
    "Codeowners",
    "LineProblem",
    "OwnersLine",
    "Pattern",
    "Ruleset",
    "compile_pattern",
    "load_codeowners",
    "parse",
]
