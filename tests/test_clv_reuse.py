"""A later build keeps the CLV fits of the refit dates whose input is unchanged (salesperf.clv.reuse).

The stored fit table goes through DuckDB as the dbt model stores and reads it. A kept date is told by
a marker planted in the stored rows' message (a refit writes its own message); the fits with kept
dates must be exactly those of fitting every date again, and any change of a date's input (an order,
a customer's segment, a setting, the previous date's fits) must refit that date and every later one.
tests/test_incremental_build.py checks the same through two dbt builds of the demo.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from salesperf.clv import ClvSettings, bgnbd, fit_snapshots
from salesperf.clv.prediction_stream import predictions_to_store, replace_dates
from salesperf.clv.reuse import KEY_COLUMN, PREDICTION_KEY_COLUMN, prediction_input_key, purchase_digests
from salesperf.clv.segments import prediction_keys, segment_labels
from salesperf.clv.summary import sort_purchases

SETTINGS = ClvSettings(time_unit="weeks", min_customers_per_segment=50, min_repeat_buyers=10)
DATES = [pd.Timestamp(d) for d in ("2025-09-30", "2025-10-31", "2025-11-30", "2025-12-31")]
MARK = " [stored]"


def _purchases(n: int = 1200, seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Purchase days of ``n`` customers of two segments (BG/NBD buying, first purchases over two years)."""
    rng = np.random.default_rng(seed)
    start, end = pd.Timestamp("2024-01-01"), pd.Timestamp("2025-12-31")
    first = rng.integers(0, (end - start).days, n)
    x, t_x, _ = bgnbd.simulate(bgnbd.BGNBDParams(0.8, 30.0, 0.9, 5.0), ((end - start).days - first).astype(float), rng)
    counts = x.astype(int)
    owner = np.repeat(np.arange(n), counts)
    offsets = np.floor(rng.random(owner.size) * np.repeat(t_x, counts)).astype(int)
    customer = np.r_[np.arange(n), owner]
    day = np.r_[first, first[owner] + offsets]
    frame = pd.DataFrame({"customer": customer, "day": day}).drop_duplicates().sort_values(["customer", "day"])
    spend = rng.gamma(3.0, 40.0, len(frame))
    ids = np.array([f"C{i:05d}" for i in range(n)])
    purchases = pd.DataFrame(
        {
            "customer_id": ids[frame["customer"].to_numpy()],
            "purchase_date": start + pd.to_timedelta(frame["day"].to_numpy(), unit="D"),
            "spend": spend,
            "gross_profit_with_cost": spend * 0.25,
            "net_sales_with_cost": spend,
        }
    )
    segments = pd.DataFrame({"customer_id": ids, "segment": np.where(np.arange(n) % 3 == 0, "B2B", "B2C")})
    return purchases, segments


def _stored(fits: pd.DataFrame, mark: bool = True) -> pd.DataFrame:
    """``fits`` written to DuckDB and read back as the dbt model reads its table (message marked)."""
    con = duckdb.connect()
    con.register("given", fits.assign(message=fits["message"] + MARK) if mark else fits)
    con.execute("create table fits as select * replace (cast(as_of_date as date) as as_of_date) from given")
    return con.sql("select * from fits").df()


def _kept(fits: pd.DataFrame) -> list[pd.Timestamp]:
    marked = fits[fits["message"].str.endswith(MARK)]
    dates = sorted(pd.to_datetime(marked["as_of_date"]).unique())
    for day in dates:  # a date is kept whole or refitted whole
        assert fits[pd.to_datetime(fits["as_of_date"]) == day]["message"].str.endswith(MARK).all()
    return [pd.Timestamp(d) for d in dates]


def _unmarked(fits: pd.DataFrame) -> pd.DataFrame:
    return fits.assign(message=fits["message"].str.removesuffix(MARK))


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    return _purchases()


def test_a_new_month_keeps_every_earlier_fit_and_equals_fitting_everything(data) -> None:
    purchases, segments = data
    earlier = purchases[purchases["purchase_date"] <= DATES[2]]  # the landing a month ago
    before = fit_snapshots(earlier, segments, DATES[:3], SETTINGS)
    assert before[KEY_COLUMN].notna().all() and before.groupby("as_of_date")[KEY_COLUMN].nunique().eq(1).all()
    assert before[KEY_COLUMN].nunique() == 3
    cold = fit_snapshots(purchases, segments, DATES, SETTINGS)
    assert (cold["bgnbd_source"] == "segment_fit").any()  # segments fitted on their own: warm starts per segment
    pd.testing.assert_frame_equal(cold[cold["as_of_date"] <= DATES[2]], before, check_exact=True)

    again = fit_snapshots(purchases, segments, DATES, SETTINGS, stored=_stored(before))
    assert _kept(again) == DATES[:3]
    pd.testing.assert_frame_equal(_unmarked(again), cold, check_exact=True)


def test_a_changed_order_refits_its_date_and_every_later_one(data) -> None:
    purchases, segments = data
    stored = _stored(fit_snapshots(purchases, segments, DATES, SETTINGS))
    changed = purchases.copy()
    late = changed.index[(changed["purchase_date"] > DATES[0]) & (changed["purchase_date"] <= DATES[1])][0]
    changed.loc[late, "spend"] += 1.0  # one purchase of October: 30 September keeps its input
    again = fit_snapshots(changed, segments, DATES, SETTINGS, stored=stored)
    assert _kept(again) == DATES[:1]
    pd.testing.assert_frame_equal(_unmarked(again), fit_snapshots(changed, segments, DATES, SETTINGS), check_exact=True)


@pytest.mark.parametrize("change", ["segment", "setting", "selection", "no key", "reuse off"])
def test_other_inputs_refit_every_date(data, change: str) -> None:
    purchases, segments = data
    fits = fit_snapshots(purchases, segments, DATES, SETTINGS)
    stored, settings, selection = _stored(fits), SETTINGS, None
    if change == "segment":
        segments = segments.assign(segment=np.where(segments.index == 3, "B2C", segments["segment"]))
    elif change == "setting":
        settings = ClvSettings(time_unit="weeks", min_customers_per_segment=50, min_repeat_buyers=11)
    elif change == "selection":  # the model selection chose BG/NBD at the first date: another input there
        selection = pd.DataFrame(
            {
                "holdout_end_date": [DATES[0].date()],
                "segment": ["pooled"],
                "model": ["bgnbd"],
                "converged": [True],
                "holdout_error": [0.1],
                "is_chosen": [True],
                "rank": [1],
            }
        )
    elif change == "no key":
        stored = stored.drop(columns=[KEY_COLUMN])  # a table of a build before the key
    else:
        stored = None
    again = fit_snapshots(purchases, segments, DATES, settings, selection, stored)
    assert _kept(again) == []
    if change in ("no key", "reuse off"):
        pd.testing.assert_frame_equal(again, fits, check_exact=True)


def _predictions(con, table: str | None, purchases, segments, fits, dates, into: str) -> pd.DataFrame:
    """fct_customer_clv_predictions as the dbt model makes it: a new table ``into`` (no stored ``table``),
    or the incremental run's rows put in place in ``table`` = ``into`` (strategy replace_dates)."""
    relation = predictions_to_store(con, table, purchases, segments, fits, SETTINGS, dates)
    if table is None:
        con.register("computed", relation)
        con.execute(f"create table {into} as select * from computed")
        con.unregister("computed")
    else:
        replace_dates(con, table, relation, dates)
    return con.sql(f"select * from {into} order by as_of_date, customer_id").df()


def test_predictions_of_unchanged_dates_are_kept_and_equal_scoring_everything(data) -> None:
    purchases, segments = data
    con = duckdb.connect()
    earlier = purchases[purchases["purchase_date"] <= DATES[2]]
    before_fits = fit_snapshots(earlier, segments, DATES[:3], SETTINGS)
    _predictions(con, None, earlier, segments, before_fits, DATES[:3], "stored")
    con.execute("update stored set clv_model = clv_model || ?", [MARK])

    changed = purchases.copy()  # a new month, and a changed order of November: 30 November is scored again
    late = changed.index[(changed["purchase_date"] > DATES[1]) & (changed["purchase_date"] <= DATES[2])][0]
    changed.loc[late, "spend"] += 1.0
    fits = fit_snapshots(changed, segments, DATES, SETTINGS, stored=_stored(before_fits))
    assert _kept(fits) == DATES[:2]
    fits = _unmarked(fits)
    again = _predictions(con, "stored", changed, segments, fits, DATES, "stored")
    kept = again.groupby("as_of_date")["clv_model"].agg(lambda v: v.str.endswith(MARK).mean())
    assert kept.tolist() == [1.0, 1.0, 0.0, 0.0]  # whole dates kept or scored again
    assert again.groupby("as_of_date")[PREDICTION_KEY_COLUMN].nunique().eq(1).all()
    cold = _predictions(con, None, changed, segments, fits, DATES, "cold")
    pd.testing.assert_frame_equal(
        again.assign(clv_model=again["clv_model"].str.removesuffix(MARK)), cold, check_exact=True
    )
    keys = prediction_keys(changed, segments, fits, SETTINGS, DATES)
    assert [keys[d] for d in DATES] == cold.groupby("as_of_date")[PREDICTION_KEY_COLUMN].first().tolist()


def test_the_purchase_digests_are_of_the_values_up_to_each_date(data) -> None:
    """A date's digest covers its purchases and their customers' segments, not their types (Spark's
    Parquet gives microsecond days and object ids) nor anything after the date."""
    purchases, segments = data

    def digests(given: pd.DataFrame, given_segments: pd.DataFrame) -> list[str]:
        presorted = sort_purchases(given)
        found = purchase_digests(presorted, segment_labels(presorted, given_segments), DATES)
        return [found[d] for d in DATES]

    reference = digests(purchases, segments)
    assert len(set(reference)) == len(DATES)
    retyped = purchases.astype({"customer_id": object, "purchase_date": "datetime64[us]"})
    assert digests(retyped.sample(frac=1.0, random_state=2), segments.astype({"segment": object})) == reference
    # a new customer (its id sorts first: every other customer's code moves) buying after the last date
    newcomer = purchases.iloc[:1].assign(customer_id="A0", purchase_date=DATES[-1] + pd.Timedelta(days=1))
    assert digests(pd.concat([purchases, newcomer]), segments) == reference
    changed = purchases.copy()
    november = changed.index[(changed["purchase_date"] > DATES[1]) & (changed["purchase_date"] <= DATES[2])][0]
    changed.loc[november, "gross_profit_with_cost"] = np.nextafter(changed.loc[november, "gross_profit_with_cost"], 0)
    assert [a == b for a, b in zip(digests(changed, segments), reference, strict=True)] == [True, True, False, False]
    buyer = purchases.loc[purchases["purchase_date"] <= DATES[0], "customer_id"].iloc[0]
    moved = segments.assign(segment=np.where(segments["customer_id"] == buyer, "B2X", segments["segment"]))
    assert all(a != b for a, b in zip(digests(purchases, moved), reference, strict=True))
    assert prediction_input_key(reference[0], SETTINGS, DATES[0], DATES[0], "f") != prediction_input_key(
        reference[0], SETTINGS, DATES[0], DATES[0], "g"
    )
    assert prediction_input_key(reference[0], SETTINGS, DATES[0], DATES[0], None) is None


def test_an_incremental_run_replaces_only_the_dates_scored_again(data) -> None:
    """The dbt model's incremental run returns the rows of the dates it scores; strategy replace_dates
    (the statements of macros/incremental_replace_dates.sql) swaps those dates and drops the
    dates no longer wanted: the table equals scoring every date, and the kept dates' rows never moved."""
    purchases, segments = data
    con = duckdb.connect()
    earlier = purchases[purchases["purchase_date"] <= DATES[2]]
    as_of = DATES[2] - pd.Timedelta(days=3)  # a former as-of date: a snapshot date no more
    before_fits = fit_snapshots(earlier, segments, [*DATES[:2], as_of, DATES[2]], SETTINGS)
    _predictions(con, None, earlier, segments, before_fits, [*DATES[:2], as_of, DATES[2]], "target")
    con.execute("update target set clv_model = clv_model || ?", [MARK])
    fits = _unmarked(fit_snapshots(purchases, segments, DATES, SETTINGS, stored=_stored(before_fits)))
    # what the model returns on the incremental run: the rows of the dates to score again only
    con.register("scored_rows", predictions_to_store(con, "target", purchases, segments, fits, SETTINGS, DATES))
    con.execute("create temporary table scored as select * from scored_rows")
    # 31 December is new; 30 November was warm-started from the former as-of date before: its fit is redone
    assert sorted(pd.to_datetime(con.sql("select distinct as_of_date from scored").df()["as_of_date"])) == DATES[2:]
    replace_dates(con, "target", con.sql("select * from scored"), DATES)
    got = con.sql("select * from target order by as_of_date, customer_id").df()
    marked = got.groupby("as_of_date")["clv_model"].agg(lambda v: v.str.endswith(MARK).all())
    assert marked.tolist() == [True, True, False, False]
    cold = _predictions(con, None, purchases, segments, fits, DATES, "cold")
    pd.testing.assert_frame_equal(got.assign(clv_model=got["clv_model"].str.removesuffix(MARK)), cold, check_exact=True)


def test_replace_dates_without_snapshot_dates_deletes_every_row() -> None:
    """As the macro does (``not in (select ... from <empty dates model>)`` is true for every row): no snapshot
    date left deletes every stored date; the scored rows are inserted and other rows' dates are kept only if wanted."""
    con = duckdb.connect()
    con.execute(
        "create table t as select * from (values (date '2024-01-31', 1), (date '2024-02-29', 2)) v(as_of_date, n)"
    )
    replace_dates(con, "t", con.sql("select date '2024-03-31' as as_of_date, 3 as n"), [])
    assert con.execute("select as_of_date, n from t").fetchall() == [(pd.Timestamp("2024-03-31").date(), 3)]
    replace_dates(con, "t", con.sql("select date '2024-04-30' as as_of_date, 4 as n"), ["2024-04-30"])
    assert con.execute("select as_of_date, n from t").fetchall() == [(pd.Timestamp("2024-04-30").date(), 4)]
