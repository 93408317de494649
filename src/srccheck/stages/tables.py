"""Stage outputs as Parquet files (pyarrow): written whole or not at all.

A stage writes its outputs as numbered part files in its own folder
(``collect/part-00003.parquet``). A part is written to a temporary name and
renamed, so a run killed while writing leaves either the whole part or none;
a re-run reads the parts that exist and redoes only the rest.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["PartWriter", "part_path", "read_parts", "write_part"]

_T = TypeVar("_T")


def part_path(folder: Path, number: int) -> Path:
    """The file of part ``number`` in a stage's ``folder``."""
    return folder / f"part-{number:05d}.parquet"


def write_part(path: Path, rows: Sequence[Any], schema: pa.Schema) -> None:
    """Write dataclass ``rows`` (fields named as ``schema``'s columns) to ``path`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = {name: [getattr(row, name) for row in rows] for name in schema.names}
    table = pa.table(columns, schema=schema)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    pq.write_table(table, partial)
    os.replace(partial, path)


@dataclass(slots=True)
class PartWriter:
    """Rows on their way to a stage's ``folder``: written as the next numbered part
    once ``limit`` rows are in, and by :meth:`flush` (call it when the stage ends or
    is interrupted). ``last`` is the number of the last part in the folder (-1: none)."""

    folder: Path
    schema: pa.Schema
    last: int
    limit: int
    rows: list[Any] = field(default_factory=list)

    def add(self, rows: Iterable[Any]) -> None:
        self.rows.extend(rows)
        if len(self.rows) >= self.limit:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.last += 1
            write_part(part_path(self.folder, self.last), self.rows, self.schema)
            self.rows.clear()


def read_parts(folder: Path, cls: type[_T]) -> Iterator[tuple[int, list[_T]]]:
    """Every part in ``folder`` as (part number, rows of dataclass ``cls``), in order."""
    if not folder.is_dir():
        return
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    for path in sorted(folder.glob("part-*.parquet")):
        number = int(path.stem.removeprefix("part-"))
        columns = pq.read_table(path).to_pydict()
        rows = [
            cls(**{name: columns[name][i] for name in names})
            for i in range(len(columns[names[0]]) if names else 0)
        ]
        yield number, rows

