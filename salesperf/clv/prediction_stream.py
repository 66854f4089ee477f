"""fct_customer_clv_predictions as a stream of Arrow record batches, one snapshot date at a time.

The dbt model returns a DuckDB relation over a ``pyarrow.RecordBatchReader``: dbt-duckdb's
``create table ... as select`` pulls the batches while :func:`iter_predict_snapshots` computes
the next snapshot date, so no frame of every snapshot date is ever built (at 1 M customers and 12
month ends that frame alone was 10.6 M rows, ~2.8 GB, twice while put together). Column types
are those the model always had: the frame of a date is cast to ``PREDICTION_DTYPES`` as the
whole frame was, then the *_date columns become DATE in the relation.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Iterator
from typing import Any

import pandas as pd
import pyarrow as pa

from salesperf.clv.reuse import PREDICTION_KEY_COLUMN
from salesperf.clv.segments import ClvSettings, iter_predict_snapshots, prediction_keys

log = logging.getLogger(__name__)

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
    "prediction_input_key": "string",
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
    skip: Collection = (),
) -> pa.RecordBatchReader:
    """The predictions of every snapshot date (but ``skip``) as a reader of record batches (computed as read)."""
    schema = prediction_schema()
    frames = iter_predict_snapshots(purchases, segments, fits, settings, snapshot_dates, skip)
    return pa.RecordBatchReader.from_batches(schema, prediction_batches(frames, schema))


def predictions_relation(con: Any, reader: pa.RecordBatchReader) -> Any:
    """A DuckDB relation over ``reader`` with the model's columns (pandas has no date type: the
    *_date columns become DATE here, as the model always returned them)."""
    return con.from_arrow(reader).project(
        ", ".join(f"cast({c} as date) as {c}" if c.endswith("_date") else c for c in PREDICTION_COLUMNS)
    )


def stored_prediction_keys(con: Any, table: str) -> dict[pd.Timestamp, str]:
    """{snapshot date: its prediction_input_key} of a stored fct_customer_clv_predictions (a date whose
    rows carry more than one key, or none, is left out: it is scored again)."""
    rows = con.execute(
        f"select as_of_date, min({PREDICTION_KEY_COLUMN}) from {table} group by as_of_date"
        f" having count(distinct {PREDICTION_KEY_COLUMN}) = 1 and count({PREDICTION_KEY_COLUMN}) = count(*)"
    ).fetchall()
    return {pd.Timestamp(day): key for day, key in rows}


def kept_dates(
    con: Any,
    table: str | None,
    purchases: pd.DataFrame,
    segments: pd.DataFrame | None,
    fits: pd.DataFrame,
    settings: ClvSettings,
    snapshot_dates: Iterable,
) -> list[pd.Timestamp]:
    """The snapshot dates whose rows the stored ``table`` (the model's own, from the previous build;
    None: none) already has from the same input (salesperf.clv.reuse): they need no scoring."""
    if table is None:
        return []
    stored = stored_prediction_keys(con, table)
    if not stored:
        return []
    keys = prediction_keys(purchases, segments, fits, settings, [pd.Timestamp(d) for d in snapshot_dates])
    return sorted(d for d, key in keys.items() if key is not None and stored.get(d) == key)


def predictions_to_store(
    con: Any,
    table: str | None,
    purchases: pd.DataFrame,
    segments: pd.DataFrame | None,
    fits: pd.DataFrame,
    settings: ClvSettings,
    snapshot_dates: Iterable,
) -> Any:
    """The predictions relation of every snapshot date but those the stored ``table`` (the model's own,
    from the previous build; None: none) already has from the same input (:func:`kept_dates`): what
    the dbt model returns, for a new table (no ``table``) or for strategy replace_dates to put in
    place of the dates scored again (:func:`replace_dates` outside dbt)."""
    dates = [pd.Timestamp(d) for d in snapshot_dates]
    kept = kept_dates(con, table, purchases, segments, fits, settings, dates)
    log.info("CLV predictions: %d of %d snapshot dates kept from the stored table (same input)", len(kept), len(dates))
    return predictions_relation(con, predictions_reader(purchases, segments, fits, settings, dates, skip=kept))


def replace_dates(con: Any, table: str, scored: Any, snapshot_dates: Iterable) -> None:
    """The statements of macros/incremental_replace_dates.sql (the model's incremental strategy) for
    runs outside dbt (benchmarks/clv_scale.py, tests): the rows of the dates in ``scored`` and of the
    dates no longer in ``snapshot_dates`` deleted from ``table``, the ``scored`` rows inserted."""
    con.register("replace_dates_scored", scored)
    try:
        con.execute("create temporary table replace_dates_rows as select * from replace_dates_scored")
        # the dates as a relation, as the macro reads them from its dates model: no dates deletes every row
        wanted = [pd.Timestamp(d).date() for d in snapshot_dates]
        con.execute(
            "create temporary table replace_dates_wanted as select unnest(?::date[]) as snapshot_date", [wanted]
        )
        con.execute(
            f"delete from {table} where as_of_date in (select as_of_date from replace_dates_rows)"
            " or as_of_date not in (select snapshot_date from replace_dates_wanted) or as_of_date is null"
        )
        con.execute(f"insert into {table} select * from replace_dates_rows")
        con.execute("drop table replace_dates_rows; drop table replace_dates_wanted")
    finally:
        con.unregister("replace_dates_scored")
