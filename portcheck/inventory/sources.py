"""Source files to items: the reader named by ``--from``/FORMAT, or the one content suggests."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from portcheck.errors import UsageError
from portcheck.inventory import Item, Skip, read_text
from portcheck.inventory.detect import READERS, detect
from portcheck.inventory.table import FIELDS, ColumnError, read_table


def parse_columns(pairs: Sequence[str]) -> dict[str, str]:
    """``--column FIELD=HEADER`` options as FIELD -> HEADER."""
    columns: dict[str, str] = {}
    for pair in pairs:
        field, sep, header = pair.partition("=")
        if not sep or field not in FIELDS:
            fields = ", ".join(FIELDS)
            raise UsageError(f"--column {pair}: expected FIELD=HEADER, FIELD one of {fields}")
        columns[field] = header
    return columns


def read_sources(
    files: Sequence[Path], kind: str | None, columns: Mapping[str, str] | None = None
) -> Iterator[Item]:
    """Every item of every file; ``kind`` None: recognised from each file's content."""
    for path in files:
        text = read_text(path)
        if isinstance(text, Skip):
            yield text
            continue
        found = kind or detect(text)
        if found is None:
            raise UsageError(f"{path}: cannot tell what kind of source it is; give --from KIND")
        if found == "csv":
            try:
                yield from read_table(text, str(path), columns)
            except ColumnError as error:
                raise UsageError(f"{path}: {error}") from None
        else:
            yield from READERS[found](text, str(path))
