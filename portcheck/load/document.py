"""A parsed YAML file: plain data plus where each key and value sits.

Both parsers (the fast subset parser and the strict ruamel.yaml one) produce
this, so everything after loading is independent of how a file was read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Literal, NamedTuple

from portcheck.finding import Location
from portcheck.load.modeline import Modeline

#: A path into the data: mapping keys and sequence indexes, as in a jsonschema error.
NodePath = tuple[str | int, ...]

#: How a scalar was written: plain, 'single', "double", | literal or > folded.
ScalarStyle = Literal["plain", "single", "double", "literal", "folded"]


class Scalar(NamedTuple):
    """The source form of a scalar value, for rules that care how it was written (PC202).

    A NamedTuple rather than a frozen dataclass: one is made per value of every
    file, and tuples are several times cheaper to create."""

    style: ScalarStyle
    text: str


@dataclasses.dataclass
class Document:
    """One YAML file whose top level is a mapping with string keys.

    ``data`` holds values resolved with the YAML 1.2 core schema (str, int,
    float, bool, None, list, dict). Positions are 1-based (line, column).
    """

    path: str
    data: dict[str, object]
    key_at: dict[NodePath, tuple[int, int]] = dataclasses.field(default_factory=dict)
    value_at: dict[NodePath, tuple[int, int]] = dataclasses.field(default_factory=dict)
    scalars: dict[NodePath, Scalar] = dataclasses.field(default_factory=dict)
    #: The yaml-language-server modeline, when the file has one (PC104).
    modeline: Modeline | None = None
    #: Reads the file again when its positions were dropped (forget_positions).
    reread: Callable[[], object] | None = dataclasses.field(default=None, repr=False, compare=False)

    def forget_positions(self, reread: Callable[[], object]) -> None:
        """Drop positions and source forms to save memory (they are half of a
        document, and only files with findings need them); ``reread`` parses the
        file again to recover them on the first locate."""
        self.key_at, self.value_at, self.scalars = {}, {}, {}
        self.reread = reread

    def _recover(self) -> None:
        again, self.reread = self.reread() if self.reread else None, None
        # A file changed since it was read keeps no positions (its findings point at 1:1).
        if isinstance(again, Document) and again.data == self.data:
            self.key_at, self.value_at, self.scalars = again.key_at, again.value_at, again.scalars

    def locate(self, node: NodePath) -> Location:
        """The value at ``node``, or the nearest enclosing value (a missing key
        points at its parent mapping, the top level at 1:1)."""
        if self.reread is not None:
            self._recover()
        for depth in range(len(node), 0, -1):
            position = self.value_at.get(node[:depth])
            if position is not None:
                return Location(self.path, *position)
        return Location(self.path, 1, 1)

    def locate_key(self, node: NodePath) -> Location:
        """The key of ``node`` (falling back to its value, then to its parent)."""
        if self.reread is not None:
            self._recover()
        position = self.key_at.get(node)
        if position is not None:
            return Location(self.path, *position)
        return self.locate(node)
