"""fct_customer_clv_predictions as a stream of Arrow record batches, one snapshot date at a time.

The dbt model returns a DuckDB relation over a ``pyarrow.RecordBatchReader``: dbt-duckdb's
``create table ... as select`` pulls the batches while :func:`iter_predict_snapshots` computes
the next snapshot date, so no frame of every snapshot date is ever built (at 1 M customers and 12
month ends that frame alone was 10.6 M rows, ~2.8 GB, twice while put together). Column types
are those the model always had: the frame of a date is cast to ``PREDICTION_DTYPES`` as the
whole frame was, then the *_date columns become DATE in the relation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pandas as pd
import pyarrow as pa

from salesperf.clv.segments import ClvSettings, iter_predict_snapshots

PREDICTION_DTYPES: dict[str, str] = {
    "as_of_date": "datetime64[s]",
    "customer_id": "string",
    "segment": "string",
    "fit_as_of_date": "datetime64[s]",
    "first_purchase_date": "datetime64[s]",
    "last_purchase_date": "datetime64[s]",
    "n_purchases": "int64",
    "frequency": "float64",
    "recency": "float64",
    "age": "float64",
    "recency_days": "float64",
    "age_days": "float64",
    "days_since_last_purchase": "float64",
    "mean_interpurchase_days": "float64",
    "total_spend": "float64",
    "monetary": "float64",
    "margin_rate": "float64",
    "margin_rate_used": "float64",
    "margin_rate_source": "string",
    "p_alive": "float64",
    "expected_purchases": "float64",
    "expected_spend_per_purchase": "float64",
    "expected_margin_per_purchase": "float64",
    "clv_predicted": "float64",
    "clv_predicted_low": "float64",
    "clv_predicted_high": "float64",
    "p_alive_low": "float64",
    "p_alive_high": "float64",
    "clv_model": "string",
}
PREDICTION_COLUMNS = list(PREDICTION_DTYPES)


def _typed(frame: pd.DataFrame) -> pa.Table:
    """One snapshot date's frame with the model's column types, as an Arrow table (no index)."""
    return pa.Table.from_pandas(frame[PREDICTION_COLUMNS].astype(PREDICTION_DTYPES), preserve_index=False)


def prediction_schema() -> pa.Schema:
    """The Arrow schema of every batch (that of an empty frame of the model's types)."""
    empty = pd.DataFrame({c: pd.Series(dtype=t) for c, t in PREDICTION_DTYPES.items()})
    return _typed(empty).schema.remove_metadata()


def prediction_batches(frames: Iterable[pd.DataFrame], schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """The record batches of each frame, cast to ``schema``; a frame is released before the next is made."""
    for frame in frames:
        table = _typed(frame).cast(schema)
        del frame
        yield from table.to_batches()
        del table


def predictions_reader(
    purchases: pd.DataFrame,
    segments: pd.DataFrame | None,
    fits: pd.DataFrame,
    settings: ClvSettings,
    snapshot_dates: Iterable | None = None,
) -> pa.RecordBatchReader:
    """The predictions of every snapshot date as a reader of record batches (computed as read)."""
    schema = prediction_schema()
    frames = iter_predict_snapshots(purchases, segments, fits, settings, snapshot_dates)
    return pa.RecordBatchReader.from_batches(schema, prediction_batches(frames, schema))


def predictions_relation(con: Any, reader: pa.RecordBatchReader) -> Any:
    """A DuckDB relation over ``reader`` with the model's columns (pandas has no date type: the
    *_date columns become DATE here, as the model always returned them)."""
    return con.from_arrow(reader).project(
        ", ".join(f"cast({c} as date) as {c}" if c.endswith("_date") else c for c in PREDICTION_COLUMNS)
    )
