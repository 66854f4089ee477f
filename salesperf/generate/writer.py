"""Write contract tables as Parquet or CSV, in one piece or appended block by block.

Columns are converted from the generator's arrays to the storage type of their contract type:
ids/text/enums/timestamps as strings, dates as date32, booleans, int64 (nullable), money rounded
to cents and numbers as float64. Files are byte-for-byte reproducible: no wall-clock metadata.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from salesperf.contract import TABLES, TABLES_BY_NAME, Column, Table
from salesperf.generate.timeutil import ts_strings

ARROW_TYPES: dict[str, pa.DataType] = {
    "id": pa.string(),
    "text": pa.string(),
    "enum": pa.string(),
    "timestamp": pa.string(),
    "date": pa.date32(),
    "bool": pa.bool_(),
    "int": pa.int64(),
    "money": pa.float64(),
    "number": pa.float64(),
}
ROW_GROUP_SIZE = 1_000_000
# columns with few distinct values are dictionary-encoded; unique ids and free text are not (faster writes)
_SMALL_TABLES = ("crm_regions.", "crm_teams.", "crm_sales_reps.", "erp_products.")
_LOW_CARDINALITY_TEXT = {
    "currency",
    "category",
    "product_line",
    "industry",
    "lead_source",
    "acquisition_channel",
    "stage",
    "course_id",
}


def dictionary_columns(table: Table) -> list[str]:
    return [
        c.name
        for c in table.columns
        if c.type in ("enum", "bool")
        or c.name in _LOW_CARDINALITY_TEXT
        or (c.references or "").startswith(_SMALL_TABLES)
    ]


def arrow_schema(table: Table) -> pa.Schema:
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.type], nullable=c.nullable) for c in table.columns])


def to_arrow(col: Column, values: Any) -> pa.Array:
    """Convert one column. NaN means NULL in numeric, date and timestamp arrays."""
    target = ARROW_TYPES[col.type]
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values if values.type == target else values.cast(target)
    arr = np.asarray(values)
    if col.type == "timestamp":
        return ts_strings(arr)
    if col.type == "date":
        f = arr.astype(np.float64)
        null = np.isnan(f)
        return pa.array(np.where(null, 0, f).astype(np.int32), type=pa.int32(), mask=null).cast(pa.date32())
    if col.type in ("money", "number"):
        f = arr.astype(np.float64)
        if col.type == "money":
            f = np.round(f, 2)
        return pa.array(f, type=pa.float64(), mask=np.isnan(f))
    if col.type == "int":
        f = arr.astype(np.float64)
        null = np.isnan(f)
        return pa.array(np.where(null, 0, f).astype(np.int64), type=pa.int64(), mask=null)
    if col.type == "bool":
        if arr.dtype == bool:
            return pa.array(arr, type=pa.bool_())
        f = arr.astype(np.float64)
        null = np.isnan(f)
        return pa.array(np.where(null, 0, f).astype(bool), type=pa.bool_(), mask=null)
    if arr.dtype.kind == "U":
        return pa.array(arr, type=pa.string())
    return pa.array(arr.tolist(), type=pa.string())  # object arrays (None = NULL)


def to_table(table: Table, columns: Mapping[str, Any]) -> pa.Table:
    expected = table.column_names
    if list(columns) != expected:
        raise ValueError(f"{table.name}: columns {list(columns)} differ from the contract {expected}")
    arrays = [to_arrow(c, columns[c.name]) for c in table.columns]
    lengths = {len(a) for a in arrays}
    if len(lengths) > 1:
        raise ValueError(f"{table.name}: columns of different lengths {sorted(lengths)}")
    return pa.Table.from_arrays(arrays, schema=arrow_schema(table))


class TableSink:
    """One output file; ``write`` may be called many times (chunked tables)."""

    def __init__(self, table: Table, out_dir: Path, fmt: str) -> None:
        self.table = table
        self.schema = arrow_schema(table)
        self.path = out_dir / f"{table.name}.{fmt}"
        self.rows = 0
        self._fmt = fmt
        self._tmp = self.path.with_name(self.path.name + ".tmp")
        if fmt == "parquet":
            self._writer: Any = pq.ParquetWriter(
                self._tmp,
                self.schema,
                compression="zstd",
                compression_level=1,
                use_dictionary=dictionary_columns(table),
                write_statistics=True,
                version="2.6",
            )
        else:
            options = pacsv.WriteOptions(include_header=True, delimiter=",", quoting_style="needed")
            self._writer = pacsv.CSVWriter(self._tmp, self.schema, write_options=options)

    def write(self, columns: Mapping[str, Any]) -> None:
        data = to_table(self.table, columns)
        if data.num_rows == 0:
            return
        if self._fmt == "parquet":
            self._writer.write_table(data, row_group_size=ROW_GROUP_SIZE)
        else:
            self._writer.write_table(data)
        self.rows += data.num_rows

    def close(self) -> int:
        if self._fmt == "csv" and self.rows == 0:
            self._writer.write_table(self.schema.empty_table())
        self._writer.close()
        self._tmp.replace(self.path)
        return self.rows

    def discard(self) -> None:
        """Close and delete the unfinished file (after an error)."""
        try:
            self._writer.close()
        finally:
            self._tmp.unlink(missing_ok=True)


class Sinks:
    """Every table's sink, opened lazily; reports each table as it is closed."""

    def __init__(self, out_dir: Path, fmt: str, report: Callable[[str, int, float], None] | None = None) -> None:
        self.out_dir = out_dir
        self.fmt = fmt
        self._open: dict[str, TableSink] = {}
        self.counts: dict[str, int] = {}
        self._report = report
        self._t0 = time.perf_counter()

    def sink(self, name: str) -> TableSink:
        if name in self.counts:
            raise ValueError(f"{name} was already written")
        if name not in self._open:
            self._open[name] = TableSink(TABLES_BY_NAME[name], self.out_dir, self.fmt)
        return self._open[name]

    def write(self, name: str, columns: Mapping[str, Any]) -> None:
        self.sink(name).write(columns)

    def close(self, *names: str) -> None:
        for name in names:
            rows = self.sink(name).close()
            del self._open[name]
            self.counts[name] = rows
            if self._report:
                self._report(name, rows, time.perf_counter() - self._t0)

    def close_all(self) -> dict[str, int]:
        for name in list(self._open):
            self.close(name)
        missing = [t.name for t in TABLES if t.name not in self.counts]
        if missing:
            raise RuntimeError(f"tables never written: {missing}")
        return {t.name: self.counts[t.name] for t in TABLES}

    def abort(self) -> None:
        for s in self._open.values():
            s.discard()
        self._open.clear()
