"""Model choice and holdout diagnostics (issue 13): fct_clv_model_selection, fct_clv_calibration_holdout,
fct_clv_tracking and the functions behind them (salesperf.clv.diagnostics).

On CDNOW (calibration 1997-01-01 .. 1997-09-30, holdout to 1998-06-30, the literature's split) the
three models are fitted with their published log-likelihoods, scored on the same holdout
purchases, and exactly one is chosen per segment: the smallest error by frequency class. The
calibration/holdout table and the tracking agree with each other and with a direct computation.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from test_clv_intervals import CALIBRATION_END, SETTINGS, cdnow_purchases

from salesperf.clv import expected_purchases, fit_models, models_to_frame, summarize
from salesperf.clv.diagnostics import class_error, default_calibration_end, diagnostics, frequency_class, select_models

HOLDOUT_END = pd.Timestamp("1998-06-30")


@pytest.fixture(scope="module")
def purchases() -> pd.DataFrame:
    return cdnow_purchases(HOLDOUT_END)


def test_class_error_by_hand() -> None:
    frequency = [0, 0, 1, 3, 9, 12]
    expected = [0.5, 0.5, 1.0, 2.0, 4.0, 6.0]
    actual = [0, 2, 1, 1, 5, 6]
    # classes 0: E 1.0 A 2 | 1: 1 vs 1 | 3: 2 vs 1 | 7+: 10 vs 11 -> (1 + 0 + 1 + 1) / 15
    assert class_error(frequency, expected, actual) == pytest.approx(3 / 15)
    assert list(frequency_class(frequency)) == [0, 0, 1, 3, 7, 7]
    assert np.isnan(class_error([0], [1.0], [0]))


def test_selection_on_cdnow(purchases: pd.DataFrame) -> None:
    selection = select_models(purchases, None, CALIBRATION_END, HOLDOUT_END, SETTINGS)
    # all CDNOW customers are in 'unknown' here (no segments): the pooled fits only
    assert list(selection["segment"]) == ["pooled"] * 3
    by_model = selection.set_index("model")
    published = {"bgnbd": -9582.4, "mbgnbd": -9582.1, "paretonbd": -9595.0}
    for model, ll in published.items():
        assert round(by_model.loc[model, "calibration_log_likelihood"], 1) == ll, model
    # the same holdout for every model: the calibration customers' purchase days after 1997-09-30
    dates = pd.to_datetime(purchases["purchase_date"])
    actual = int(((dates > CALIBRATION_END) & (dates <= HOLDOUT_END)).sum())
    assert (selection["holdout_actual_purchases"] == actual).all() and (selection["n_customers"] == 2357).all()
    assert selection["is_chosen"].sum() == 1
    chosen = selection[selection["is_chosen"]].iloc[0]
    assert chosen["holdout_error"] == selection["holdout_error"].min()
    total = by_model.loc["bgnbd", "holdout_expected_purchases"]
    assert by_model.loc["bgnbd", "holdout_total_error"] == pytest.approx(total / actual - 1)
    print(f"\nCDNOW holdout ({actual} purchases):\n{selection[['model', 'holdout_error', 'holdout_total_error']]}")


def test_calibration_holdout_and_tracking_agree(purchases: pd.DataFrame) -> None:
    summary = summarize(purchases, CALIBRATION_END, time_unit="weeks").assign(segment="unknown")
    fits = models_to_frame(fit_models(summary, SETTINGS), CALIBRATION_END, SETTINGS)
    table, tracking = diagnostics(purchases, None, fits, HOLDOUT_END, SETTINGS)
    assert set(table["segment"]) == {"pooled", "unknown"}  # the unknown segment uses the pooled fit
    pooled = table[table["segment"] == "pooled"]
    assert list(pooled["frequency_class"]) == list(range(8)) and pooled["n_customers"].sum() == 2357
    # the table's expectations are the model's, for 39 weeks + 2 days of holdout
    t = (HOLDOUT_END - CALIBRATION_END).days / 7.0
    params = fit_models(summary, SETTINGS)["pooled"].bgnbd
    e = expected_purchases(params, t, summary["frequency"], summary["recency"], summary["age"])
    assert pooled["expected_holdout_purchases"].sum() == pytest.approx(float(e.sum()), rel=1e-12)
    track = tracking[tracking["segment"] == "pooled"]
    assert list(track["period_end_date"])[-1] == HOLDOUT_END and len(track) == 9
    assert track["months_after"].tolist() == list(range(1, 10))
    assert (np.diff(track["actual_cumulative_purchases"]) >= 0).all()
    assert (np.diff(track["expected_cumulative_purchases"]) > 0).all()
    last = track.iloc[-1]
    assert last["actual_cumulative_purchases"] == pooled["actual_holdout_purchases"].sum()
    assert last["expected_cumulative_purchases"] == pytest.approx(pooled["expected_holdout_purchases"].sum())
    verdict = pooled["holdout_error"].iloc[0]
    assert verdict == pytest.approx(abs(float(e.sum()) / last["actual_cumulative_purchases"] - 1))
    print(f"\nCDNOW BG/NBD holdout error {verdict:.1%}")


def test_actual_holdout_purchases_by_a_direct_count(purchases: pd.DataFrame) -> None:
    """The table's actual holdout purchases (per segment and frequency class) and the tracking's actual
    cumulative purchases are the purchase days in the holdout of the customers known at the refit date,
    counted here directly from the rows: a customer whose first purchase falls in the holdout and a
    purchase without a customer id count for nobody; segments split the customers."""
    extra = purchases.iloc[:2].copy()
    extra["purchase_date"] = pd.Timestamp("1998-01-15")
    extra["customer_id"] = ["first-in-holdout", None]
    data = pd.concat([purchases, extra], ignore_index=True)
    ids = sorted(purchases["customer_id"].unique())
    segments = pd.DataFrame({"customer_id": ids, "segment": ["odd" if i % 2 else "even" for i in range(len(ids))]})
    summary = summarize(data, CALIBRATION_END, time_unit="weeks")
    summary = summary.merge(segments, on="customer_id", how="left").fillna({"segment": "unknown"})
    settings = replace(SETTINGS, min_customers_per_segment=10, min_repeat_buyers=5)
    fits = models_to_frame(fit_models(summary, settings), CALIBRATION_END, settings)
    table, tracking = diagnostics(data, segments, fits, HOLDOUT_END, settings)
    days = pd.to_datetime(data["purchase_date"])
    holdout = data[(days > CALIBRATION_END) & (days <= HOLDOUT_END)].groupby("customer_id").size()
    known = summary.assign(
        actual=summary["customer_id"].map(holdout).fillna(0).astype(int), k=frequency_class(summary["frequency"])
    )
    for segment in ("pooled", "even", "odd"):
        part = known if segment == "pooled" else known[known["segment"] == segment]
        direct = part.groupby("k")["actual"].sum().reindex(range(8), fill_value=0)
        rows = table[table["segment"] == segment].set_index("frequency_class")["actual_holdout_purchases"]
        assert rows.to_dict() == direct.to_dict(), segment
        month_ends = [*pd.date_range(CALIBRATION_END + pd.Timedelta(days=1), HOLDOUT_END, freq="ME")]
        in_part = data[data["customer_id"].isin(part["customer_id"])]
        part_days = pd.to_datetime(in_part["purchase_date"])
        cumulative = [int(((part_days > CALIBRATION_END) & (part_days <= end)).sum()) for end in month_ends]
        track = tracking[tracking["segment"] == segment]["actual_cumulative_purchases"].tolist()
        assert track == cumulative, segment
    assert int(known["actual"].sum()) == int(table[table["segment"] == "pooled"]["actual_holdout_purchases"].sum())


def test_default_calibration_end() -> None:
    assert default_calibration_end("2026-10-31", 6) == pd.Timestamp("2026-04-30")
    assert default_calibration_end("2026-10-31", 6, "2026-01-31") == pd.Timestamp("2026-01-31")
    with pytest.raises(ValueError, match="before the holdout end"):
        select_models(pd.DataFrame(), None, "2026-10-31", "2026-10-31", SETTINGS)


@pytest.mark.slow
def test_demo_marts(demo_build) -> None:
    selection = demo_build.query("select * from main.fct_clv_model_selection")
    assert set(selection["model"]) == {"bgnbd", "mbgnbd", "paretonbd"}
    assert (selection.groupby("segment")["is_chosen"].sum() == 1).all()
    table = demo_build.query("select * from main.fct_clv_calibration_holdout")
    tracking = demo_build.query("select * from main.fct_clv_tracking")
    fits = demo_build.query("select as_of_date, segment from main.fct_clv_model_fits where r is not null")
    as_of = demo_build.query("select max(snapshot_date) as d from main.dim_clv_snapshot_dates")["d"].iloc[0]
    assert set(map(tuple, table[["as_of_date", "segment"]].drop_duplicates().to_numpy())) == set(
        map(tuple, fits[fits["as_of_date"] < as_of].to_numpy())
    )
    last = tracking.sort_values("months_after").groupby(["as_of_date", "segment"]).last()
    sums = table.groupby(["as_of_date", "segment"])[["actual_holdout_purchases", "expected_holdout_purchases"]].sum()
    joined = last.join(sums)
    assert (joined["actual_cumulative_purchases"] == joined["actual_holdout_purchases"]).all()
    np.testing.assert_allclose(joined["expected_cumulative_purchases"], joined["expected_holdout_purchases"], rtol=1e-9)
