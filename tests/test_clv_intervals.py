"""Per-customer intervals of clv_predicted and p_alive (issue 13, parameter uncertainty).

The fits store the covariance of their parameters (inverse observed information); the interval of
a customer is the delta method on log scales (salesperf.clv.intervals). Checked on the CDNOW 1/10
sample (tests/fixtures/cdnow, calibration period up to 1997-09-30) without a warehouse build:

* the delta-method interval agrees with a parametric bootstrap (parameters drawn from the normal
  approximation of the log-parameters, the customer's prediction recomputed per draw, 5 % and
  95 % quantiles): each end within 15 % of the interval's width (measured: <= 8 % for CLV, <= 7 %
  for P(alive) with 2,000 draws; the bootstrap's own Monte Carlo error is a few %);
* the point prediction lies inside its interval;
* the interval narrows as the sample grows (25 %, 50 %, 100 % of the customers).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import PROJECT_DIR

from salesperf.clv import (
    ClvSettings,
    attach_segments,
    fit_models,
    models_from_frame,
    models_to_frame,
    predict,
    purchases_from_lines,
    summarize,
)
from salesperf.clv.bgnbd import BGNBDParams, probability_alive
from salesperf.clv.gamma_gamma import GammaGammaParams, conditional_expected_spend
from salesperf.clv.intervals import discounted_purchases, log_covariance, z_value

SOURCE = PROJECT_DIR / "tests" / "fixtures" / "cdnow" / "CDNOW_sample.txt"
CALIBRATION_END = pd.Timestamp("1997-09-30")
SETTINGS = ClvSettings(time_unit="weeks")
BOOTSTRAP_DRAWS = 2000
TOLERANCE = 0.15  # of the interval's width


def cdnow_purchases(until: pd.Timestamp = CALIBRATION_END) -> pd.DataFrame:
    """The purchase days of the CDNOW sample up to ``until`` (salesperf.clv.purchases_from_lines)."""
    return purchases_from_lines(_cdnow_lines(until))


def cdnow_summary(share: float = 1.0, seed: int = 0) -> pd.DataFrame:
    """The BTYD summary of the CDNOW calibration period (a random share of its customers)."""
    raw = _cdnow_lines(CALIBRATION_END)
    if share < 1.0:
        ids = raw["customer_id"].drop_duplicates().sample(frac=share, random_state=seed)
        raw = raw[raw["customer_id"].isin(ids)]
    return attach_segments(summarize(purchases_from_lines(raw), CALIBRATION_END, time_unit="weeks"), None)


def _cdnow_lines(until: pd.Timestamp) -> pd.DataFrame:
    raw = pd.read_csv(
        SOURCE,
        sep=r"\s+",
        header=None,
        names=["customer_id", "id2", "date", "n", "amount"],
        dtype={"customer_id": str, "date": str},
    )
    raw = raw.assign(
        order_date=pd.to_datetime(raw["date"]),
        order_id=np.arange(len(raw)).astype(str),
        net_sales=raw["amount"],
        gross_profit=raw["amount"] * 0.3,
    )
    return raw[raw["order_date"] <= until]


@pytest.fixture(scope="module")
def scored() -> tuple[dict, pd.DataFrame]:
    summary = cdnow_summary()
    models = fit_models(summary, SETTINGS)
    return models, predict(summary, models, SETTINGS)


def test_the_fit_stores_its_covariance_and_the_standard_errors_are_its_diagonal(scored) -> None:
    models, _ = scored
    pooled = models["pooled"]
    cov = np.array(pooled.bgnbd_covariance)
    assert cov.shape == (4, 4) and np.allclose(cov, cov.T)
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), pooled.bgnbd_std_errors.as_array(), rtol=1e-12)
    assert np.all(np.linalg.eigvalsh(cov) > 0)
    gg_cov = np.array(pooled.gg_covariance)
    np.testing.assert_allclose(np.sqrt(np.diag(gg_cov)), pooled.gg_std_errors.as_array(), rtol=1e-12)
    # stored as JSON in fct_clv_model_fits and read back unchanged (17 significant digits)
    frame = models_to_frame(models, CALIBRATION_END, SETTINGS)
    assert json.loads(frame.loc[frame["segment"] == "pooled", "bgnbd_covariance"].iloc[0])[1][1] == cov[1, 1]
    back = models_from_frame(frame)["pooled"]
    assert back.bgnbd_covariance == pooled.bgnbd_covariance and back.gg_covariance == pooled.gg_covariance


def test_point_predictions_lie_inside_their_intervals(scored) -> None:
    _, pred = scored
    assert pred[["clv_predicted_low", "clv_predicted_high", "p_alive_low", "p_alive_high"]].notna().all().all()
    assert (pred["clv_predicted_low"] <= pred["clv_predicted"]).all()
    assert (pred["clv_predicted"] <= pred["clv_predicted_high"]).all()
    assert (pred["clv_predicted_low"] < pred["clv_predicted_high"]).all()
    assert (pred["p_alive_low"] <= pred["p_alive"]).all() and (pred["p_alive"] <= pred["p_alive_high"]).all()
    repeat = pred["frequency"] > 0
    assert (pred.loc[repeat, "p_alive_low"] < pred.loc[repeat, "p_alive_high"]).all()
    # without a repeat purchase P(alive) is 1 whatever the parameters
    assert (pred.loc[~repeat, ["p_alive_low", "p_alive_high"]] == 1.0).all().all()


def test_delta_method_agrees_with_a_parametric_bootstrap(scored) -> None:
    models, pred = scored
    model = models["pooled"]
    sample = pred.sample(60, random_state=1)
    x, t_x, age = (sample[c].to_numpy(float) for c in ("frequency", "recency", "age"))
    monetary, margin = sample["monetary"].to_numpy(float), sample["margin_rate_used"].to_numpy(float)
    rng = np.random.default_rng(0)
    theta_bg, theta_gg = np.log(model.bgnbd.as_array()), np.log(model.gg.as_array())
    cov_bg = log_covariance(model.bgnbd.as_array(), model.bgnbd_covariance)
    cov_gg = log_covariance(model.gg.as_array(), model.gg_covariance)
    clv = np.zeros((BOOTSTRAP_DRAWS, len(sample)))
    alive = np.zeros_like(clv)
    for k in range(BOOTSTRAP_DRAWS):
        bg = BGNBDParams(*np.exp(rng.multivariate_normal(theta_bg, cov_bg)))
        gg = GammaGammaParams(*np.exp(rng.multivariate_normal(theta_gg, cov_gg)))
        spend = conditional_expected_spend(gg, x, monetary)
        d = discounted_purchases(bg, x, t_x, age, time_unit="weeks", horizon_months=36, monthly_discount_rate=0.01)
        clv[k] = d * spend * margin
        alive[k] = probability_alive(bg, x, t_x, age)
    low, high = np.quantile(clv, [0.05, 0.95], axis=0)
    width = sample["clv_predicted_high"].to_numpy() - sample["clv_predicted_low"].to_numpy()
    assert np.max(np.abs(low - sample["clv_predicted_low"].to_numpy()) / width) < TOLERANCE
    assert np.max(np.abs(high - sample["clv_predicted_high"].to_numpy()) / width) < TOLERANCE
    repeat = x > 0
    p_low, p_high = np.quantile(alive[:, repeat], [0.05, 0.95], axis=0)
    p_width = (sample["p_alive_high"] - sample["p_alive_low"]).to_numpy()[repeat]
    assert np.max(np.abs(p_low - sample["p_alive_low"].to_numpy()[repeat]) / p_width) < TOLERANCE
    assert np.max(np.abs(p_high - sample["p_alive_high"].to_numpy()[repeat]) / p_width) < TOLERANCE


def test_intervals_narrow_as_the_sample_grows() -> None:
    widths = []
    for share in (0.25, 0.5, 1.0):
        summary = cdnow_summary(share, seed=3)
        pred = predict(summary, fit_models(summary, SETTINGS), SETTINGS)
        repeat = pred[pred["frequency"] > 0]
        relative = (repeat["clv_predicted_high"] - repeat["clv_predicted_low"]) / repeat["clv_predicted"]
        widths.append(float(relative.median()))
    print(f"\nmedian relative width of the 90 % CLV interval at 25/50/100 % of CDNOW: {widths}")
    assert widths[0] > widths[1] > widths[2]
    # ~ 1 / sqrt(n): halving the sample widens the interval by about sqrt(2)
    assert 1.1 < widths[1] / widths[2] < 2.0


def test_the_level_sets_the_width(scored) -> None:
    models, pred = scored
    summary = pred[list(cdnow_summary().columns)]
    wide = predict(summary, models, ClvSettings(time_unit="weeks", interval_level=0.99))
    log_half = np.log(pred["clv_predicted_high"] / pred["clv_predicted"])
    log_half_wide = np.log(wide["clv_predicted_high"] / wide["clv_predicted"])
    np.testing.assert_allclose(log_half_wide / log_half, z_value(0.99) / z_value(0.9), rtol=1e-9)
    # the point figures do not depend on the level
    assert (wide["clv_predicted"] == pred["clv_predicted"]).all()
    with pytest.raises(ValueError, match="between 0 and 1"):
        ClvSettings(time_unit="weeks", interval_level=1.0)


def test_no_interval_without_a_covariance() -> None:
    """A fallback without a covariance (naive rate) gives unknown intervals, never zero-width ones."""
    summary = cdnow_summary(0.05, seed=1)
    summary = summary.assign(frequency=0.0, recency=0.0, monetary=np.nan)  # nobody bought twice
    pred = predict(summary, fit_models(summary, SETTINGS), SETTINGS)
    assert pred[["clv_predicted_low", "clv_predicted_high", "p_alive_low", "p_alive_high"]].isna().all().all()


@pytest.mark.slow
def test_the_demo_build_stores_covariances_and_intervals(demo_build) -> None:
    """Through the warehouse: every fit with standard errors has its covariance, and every customer
    at the as-of date has an interval around its point figures."""
    fits = demo_build.query("select * from main.fct_clv_model_fits where bgnbd_source != 'naive_rate'")
    with_se = fits[fits["r_se"].notna()]
    assert len(with_se) > 0 and with_se["bgnbd_covariance"].notna().all()
    for row in with_se.itertuples():
        cov = np.array(json.loads(row.bgnbd_covariance))
        np.testing.assert_allclose(np.sqrt(np.diag(cov)), [row.r_se, row.alpha_se, row.a_se, row.b_se], rtol=1e-9)
    assert (fits["bgnbd_covariance"].isna() == fits["r_se"].isna()).all()
    latest = demo_build.query(
        "select snapshots.*, fits.clv_model_covariance is not null as has_covariance "
        "from main.fct_customer_clv_snapshots as snapshots "
        "inner join main.fct_clv_model_fits as fits "
        "on snapshots.fit_as_of_date = fits.as_of_date and snapshots.segment = fits.segment "
        "where snapshots.is_as_of_date and snapshots.clv_predicted is not null"
    )
    # the intervals come from the covariance of the model the customer is predicted with (clv_model,
    # issue 13 model choice): a fit on a ridge (no covariance) gives unknown intervals, never zero-width
    assert latest["has_covariance"].any()
    unknown = latest[~latest["has_covariance"]]
    assert unknown[["clv_predicted_low", "p_alive_low"]].isna().all().all()
    latest = latest[latest["has_covariance"]]
    assert len(latest) > 0 and latest["clv_predicted_low"].notna().all() and latest["p_alive_low"].notna().all()
    assert (latest["clv_predicted_low"] <= latest["clv_predicted"] + 1e-9).all()
    assert (latest["clv_predicted"] <= latest["clv_predicted_high"] + 1e-9).all()
    assert ((latest["p_alive_low"] <= latest["p_alive"]) & (latest["p_alive"] <= latest["p_alive_high"])).all()
