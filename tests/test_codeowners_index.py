"""The wildcard index finds exactly the rule that trying every rule would find."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from portcheck.codeowners.parse import OwnersLine
from portcheck.codeowners.pattern import compile_pattern
from portcheck.codeowners.ruleset import Ruleset

SEGMENT = st.sampled_from(["a", "b", "ab", "a.yaml", "b.yml", "docs", "x-1", "x-12"])
PATH = st.lists(SEGMENT, min_size=1, max_size=4).map("/".join)
PIECE = st.sampled_from(["a", "b", ".yaml", "x-", "1", "docs", "*", "**", "?", "\\*"])
PATTERN_SEGMENT = st.lists(PIECE, min_size=1, max_size=3).map("".join)
PATTERN = st.builds(
    lambda lead, parts, trail: lead + "/".join(parts) + trail,
    st.sampled_from(["", "/", "**/"]),
    st.lists(PATTERN_SEGMENT, min_size=1, max_size=3),
    st.sampled_from(["", "/"]),
)


def rules(patterns: list[str]) -> list[OwnersLine]:
    return [
        OwnersLine(number, 1, compile_pattern(text), (f"@o{number}",), text)
        for number, text in enumerate(patterns, 1)
    ]


def brute_force(lines: list[OwnersLine], path: str) -> OwnersLine | None:
    return next((line for line in reversed(lines) if line.pattern.matches(path)), None)


@settings(max_examples=200, deadline=None)
@given(st.lists(PATTERN, min_size=1, max_size=12), st.lists(PATH, min_size=1, max_size=6))
def test_the_index_agrees_with_trying_every_rule(patterns: list[str], paths: list[str]) -> None:
    lines = rules(patterns)
    ruleset = Ruleset(lines)
    for path in paths:
        assert ruleset.owners_of(path) == brute_force(lines, path), (patterns, path)


def test_wildcard_rules_are_tried_only_where_their_literal_text_is() -> None:
    lines = rules([f"/ports/team-{i}-*/" for i in range(1000)] + ["*.yml", "docs/"])
    ruleset = Ruleset(lines)
    tried = list(ruleset._index.candidates("ports/team-7-x/svc.yaml"))
    assert tried == [7]
    assert ruleset.owners_of("ports/team-7-x/svc.yaml") == lines[7]
    assert ruleset.owners_of("a/docs/b.yaml") == lines[1001]
    assert ruleset.owners_of("ports/other/b.yml") == lines[1000]
