"""Model choice for the predictions (issue 13: "per segment, the model with the best holdout fit is used").

At a refit date where a model selection's holdout ends, a segment's predictions (p_alive, expected
purchases, clv_predicted and their intervals) use the model the selection chose for it, fitted on
the history up to that date and stored in fct_clv_model_fits.clv_model_parameters; elsewhere
BG/NBD, with the reason stored; var clv_model pins one model. The checks recompute customers'
P(alive) and conditional expected purchases with the stored parameters of the model named in
clv_model (1e-9) and show that the other models' parameters would give other figures, so a
prediction made with the wrong model fails them.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from test_clv_intervals import cdnow_purchases

from salesperf.clv import ClvSettings, bgnbd, fit_snapshots, mbgnbd, paretonbd, predict_snapshots, settings_from_vars
from salesperf.clv.choice import chosen_at, ranked_at
from salesperf.clv.diagnostics import MODELS
from salesperf.clv.timeunits import months_to_units

SETTINGS = ClvSettings(time_unit="weeks", horizon_months=12)
EARLY, LATE = pd.Timestamp("1997-06-30"), pd.Timestamp("1997-09-30")
ORDER = {"bgnbd": ("r", "alpha", "a", "b"), "mbgnbd": mbgnbd.NAMES, "paretonbd": paretonbd.NAMES}


def _selection(chosen: str, holdout_end: pd.Timestamp = LATE) -> pd.DataFrame:
    """The columns of fct_clv_model_selection the choice reads: a selection whose holdout ends at
    ``holdout_end`` and which chose ``chosen`` for the pooled segment."""
    return pd.DataFrame(
        {
            "calibration_end_date": holdout_end - pd.DateOffset(months=3),
            "holdout_end_date": holdout_end,
            "segment": "pooled",
            "model": list(MODELS),
            "converged": True,
            "is_chosen": [model == chosen for model in MODELS],
        }
    )


def _recompute(model: str, params: dict, rows: pd.DataFrame, horizon_months: int) -> tuple[np.ndarray, np.ndarray]:
    """(P(alive), expected purchases over the horizon) of ``rows`` under ``model`` with ``params``."""
    values = [float(params[k]) for k in ORDER[model]]
    args = tuple(rows[c].to_numpy(float) for c in ("frequency", "recency", "age"))
    t = months_to_units(float(horizon_months), "weeks")
    if model == "bgnbd":
        p = bgnbd.BGNBDParams(*values)
        return bgnbd.probability_alive(p, *args), bgnbd.expected_purchases(p, t, *args)
    module = mbgnbd if model == "mbgnbd" else paretonbd
    return module.probability_alive(values, *args), module.expected_purchases(values, t, *args)


@pytest.fixture(scope="module")
def purchases() -> pd.DataFrame:
    return cdnow_purchases(LATE)


@pytest.mark.parametrize("chosen", ["paretonbd", "mbgnbd"])
def test_predictions_use_the_model_chosen_at_the_refit_date(purchases: pd.DataFrame, chosen: str) -> None:
    fits = fit_snapshots(purchases, None, [EARLY, LATE], SETTINGS, _selection(chosen))
    by_date = fits.set_index(["as_of_date", "segment"])
    late, early = by_date.loc[(LATE, "pooled")], by_date.loc[(EARLY, "pooled")]
    assert late["clv_model"] == chosen and "chosen by the model selection" in late["clv_model_reason"]
    assert early["clv_model"] == "bgnbd" and "no model selection" in early["clv_model_reason"]
    # BG/NBD stays stored at every date whatever the choice
    assert np.isfinite(late[["r", "alpha", "a", "b"]].astype(float)).all()
    predictions = predict_snapshots(purchases, None, fits, SETTINGS)
    for date, row in ((LATE, late), (EARLY, early)):
        part = predictions[pd.to_datetime(predictions["as_of_date"]) == date]
        assert (part["clv_model"] == row["clv_model"]).all()
        sample = part.sort_values("customer_id").iloc[::97]  # a few dozen customers, light and heavy
        sample = pd.concat([sample, part.nlargest(5, "frequency")])
        params = json.loads(row["clv_model_parameters"])
        alive, expected = _recompute(row["clv_model"], params, sample, SETTINGS.horizon_months)
        np.testing.assert_allclose(sample["p_alive"], alive, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(sample["expected_purchases"], expected, rtol=1e-9, atol=1e-12)
        # the other models' parameters give other figures: a prediction with the wrong model fails above
        for other in {"bgnbd", chosen} - {row["clv_model"]}:
            other_params = (
                dict(zip(("r", "alpha", "a", "b"), row[["r", "alpha", "a", "b"]].astype(float), strict=True))
                if other == "bgnbd"
                else json.loads(by_date.loc[(LATE, "pooled"), "clv_model_parameters"])
            )
            wrong = _recompute(other, other_params, sample, SETTINGS.horizon_months)[1]
            assert np.max(np.abs(wrong / sample["expected_purchases"].to_numpy() - 1)) > 1e-3
    # the intervals follow the chosen model: they hold its point prediction
    chosen_rows = predictions[pd.to_datetime(predictions["as_of_date"]) == LATE].dropna(subset=["clv_predicted_low"])
    assert len(chosen_rows) > 0
    assert (chosen_rows["clv_predicted_low"] <= chosen_rows["clv_predicted"] * (1 + 1e-12)).all()
    assert (chosen_rows["clv_predicted"] <= chosen_rows["clv_predicted_high"] * (1 + 1e-12)).all()


def test_the_var_pins_one_model_at_every_date(purchases: pd.DataFrame) -> None:
    pinned = ClvSettings(time_unit="weeks", horizon_months=12, model="mbgnbd")
    fits = fit_snapshots(purchases, None, [EARLY, LATE], pinned, _selection("paretonbd"))
    assert (fits["clv_model"] == "mbgnbd").all()
    assert fits["clv_model_reason"].str.endswith("pinned by var clv_model").all()
    predictions = predict_snapshots(purchases, None, fits, pinned)
    assert (predictions["clv_model"] == "mbgnbd").all()
    with pytest.raises(ValueError, match="clv_model must be one of"):
        ClvSettings(time_unit="weeks", model="lifetimes")
    meta = {
        "clv_time_unit": "weeks",
        "clv_horizon_months": 36,
        "clv_monthly_discount_rate": 0.01,
        "clv_min_customers_per_segment": 100,
        "clv_min_repeat_buyers": 20,
    }
    assert settings_from_vars(meta).model == "auto"
    assert settings_from_vars({**meta, "clv_model": "ParetoNBD".lower()}).model == "paretonbd"


def test_chosen_at_reads_the_selection_of_that_date() -> None:
    selection = _selection("paretonbd")
    assert chosen_at(selection, LATE) == {"pooled": "paretonbd"}
    assert chosen_at(selection, EARLY) is None
    assert chosen_at(None, LATE) is None
    nothing = selection.assign(is_chosen=False)
    assert chosen_at(nothing, LATE) == {"pooled": None}
    # the fallback order when the chosen model's own fit is unusable: by holdout error, BG/NBD first on a tie
    ranked = selection.assign(holdout_error=[0.05, 0.05, 0.01])
    assert ranked_at(ranked, LATE) == {"pooled": ["paretonbd", "bgnbd", "mbgnbd"]}
    assert ranked_at(ranked.assign(converged=[True, False, True]), LATE) == {"pooled": ["paretonbd", "bgnbd"]}
    assert ranked_at(ranked, EARLY) is None


@pytest.mark.slow
def test_demo_predictions_use_the_chosen_model(demo_build) -> None:
    """Through the warehouse: at the as-of date each segment's clv_model is the model flagged
    is_chosen in fct_clv_model_selection, and customers' figures are that model's (1e-9)."""
    selection = demo_build.query("select * from main.fct_clv_model_selection where is_chosen")
    fits = demo_build.query("select * from main.fct_clv_model_fits")
    as_of = pd.Timestamp(selection["holdout_end_date"].iloc[0])
    at = fits[pd.to_datetime(fits["as_of_date"]) == as_of].set_index("segment")
    own = at[at["bgnbd_source"] == "segment_fit"].index.union(["pooled"])
    chosen = selection.set_index("segment")["model"]
    everything = demo_build.query("select * from main.fct_clv_model_selection where converged")
    for segment in own:
        used, reason = at.loc[segment, "clv_model"], at.loc[segment, "clv_model_reason"]
        assert reason.startswith("chosen by the model selection"), reason
        if used != chosen[segment]:
            # the chosen model's own fit at the date was unusable (no convergence, a ridge): the
            # reason names it and the model used is the next of the segment's selection by holdout error
            assert chosen[segment] in reason and "next in the selection" in reason, reason
            ranked = everything[everything["segment"] == segment].sort_values("holdout_error")["model"].tolist()
            assert ranked.index(used) > ranked.index(chosen[segment]), (segment, used, ranked)
    earlier = fits[pd.to_datetime(fits["as_of_date"]) < as_of]
    assert set(earlier["clv_model"]) <= {"bgnbd", "naive_rate"}
    horizon = int(at["horizon_months"].iloc[0])
    predictions = demo_build.query(
        "select * from main.fct_customer_clv_predictions where as_of_date = ? order by customer_id", [as_of.date()]
    )
    for segment, part in predictions.groupby("segment"):
        row = at.loc[segment]
        assert (part["clv_model"] == row["clv_model"]).all()
        sample = pd.concat([part.iloc[::50], part.nlargest(3, "frequency")])
        alive, expected = _recompute(row["clv_model"], json.loads(row["clv_model_parameters"]), sample, horizon)
        np.testing.assert_allclose(sample["p_alive"], alive, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(sample["expected_purchases"], expected, rtol=1e-9, atol=1e-12)
    snapshots = demo_build.query(
        "select distinct segment, clv_model from main.fct_customer_clv_snapshots where as_of_date = ?", [as_of.date()]
    )
    assert dict(zip(snapshots["segment"], snapshots["clv_model"], strict=True)) == {
        s: at.loc[s, "clv_model"] for s in snapshots["segment"]
    }
