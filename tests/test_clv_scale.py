"""The CLV step at a million customers (issue 13) computes the same values, faster.

Each speed-up of the fits and predictions is checked against the computation it replaces:
distinct rows by per-column codes = ``np.unique(..., axis=0)``; the likelihoods computed per
distinct pair, in parts of rows on two threads = the row-by-row reference, bitwise; the summary
grouped by integer customer codes = a plain groupby on the ids, bitwise; the horizon predictions
computed per distinct (x, T) pair and multiplied by P(alive) = the per-customer monthly formula
(up to rounding). No timing here: benchmarks/clv_scale.py measures it.
"""

from __future__ import annotations

import functools
import operator

import numpy as np
import pandas as pd
import pytest

from salesperf.clv import bgnbd, gamma_gamma, grouping
from salesperf.clv.bgnbd import BGNBDParams
from salesperf.clv.choice import RepeatModel
from salesperf.clv.gamma_gamma import GammaGammaParams
from salesperf.clv.grouping import distinct_rows
from salesperf.clv.segments import attach_segments, label_segments, segment_labels
from salesperf.clv.summary import group_sums, purchases_from_lines, sort_purchases, summarize
from salesperf.clv.value import discount_factors, discounted_purchases_and_total, monthly_expected_purchases


def _customers(n: int = 6000, seed: int = 11) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    age = rng.integers(1, 400, n).astype(float) / 7.0  # whole days in weeks, as summarize gives
    return bgnbd.simulate(BGNBDParams(0.4, 3.0, 0.8, 2.5), age, rng)


def test_distinct_rows_are_those_of_numpy_unique(monkeypatch: pytest.MonkeyPatch) -> None:
    x, t_x, age = _customers()
    rows, inverse = np.unique(np.stack([x, t_x, age], axis=1), axis=0, return_inverse=True)
    assert rows.shape[0] < x.size  # customers share rows: the test sees grouping at work
    for _ in range(2):  # the integer keys, then the record sort for too many combinations
        (gx, gt, ga), ginv = distinct_rows(x, t_x, age)
        assert np.array_equal(np.stack([gx, gt, ga], axis=1), rows)
        assert np.array_equal(ginv, inverse.ravel())
        monkeypatch.setattr(grouping, "_MAX_KEY", 2)
    (empty,), none = distinct_rows(np.zeros(0))
    assert empty.size == 0 and none.size == 0


def test_columns_coded_by_hashing_are_coded_as_by_numpy_unique() -> None:
    """Each column's codes (hashing, unless a NaN or a -0.0 is in it) are np.unique's values and inverse
    (NaNs as one last value, -0.0 as 0.0); without NaN the distinct rows are np.unique(axis=0)'s."""
    rng = np.random.default_rng(1)
    for trial in range(200):
        n = int(rng.integers(1, 300))
        columns = [rng.integers(0, 20, n).astype(float) / rng.choice([1, 7, 3]) for _ in range(int(rng.integers(1, 4)))]
        if trial % 7 == 0:
            columns[-1][rng.integers(0, n, 2)] = -0.0
        with_nan = columns[0].copy()
        with_nan[rng.integers(0, n, 3)] = np.nan
        for column in (*columns, with_nan):
            values, inverse = grouping._sorted_codes(column)
            expected, expected_inverse = np.unique(column, return_inverse=True)
            assert np.array_equal(values, expected, equal_nan=True) and np.array_equal(inverse, expected_inverse)
        rows, inverse = distinct_rows(*columns)
        expected, expected_inverse = np.unique(np.stack(columns, axis=1), axis=0, return_inverse=True)
        assert np.array_equal(np.stack(rows, axis=1), expected), trial
        assert np.array_equal(inverse, expected_inverse.ravel()), trial


@pytest.mark.parametrize(
    "theta", [np.log([0.24, 4.4, 0.79, 2.4]), np.log([2.0, 0.1, 30.0, 1e4]), np.log([1e-5, 1e5, 1e-5, 1e-5])]
)
def test_bgnbd_likelihood_in_parts_on_two_threads_is_bitwise_the_row_formula(
    theta: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    x, t_x, age = _customers()
    monkeypatch.setattr(grouping, "PART_ROWS", 700)  # 9 parts on the thread pool
    with np.errstate(all="ignore"):
        ll, grad = bgnbd._ll_and_grad(theta, x, t_x, age)
        ll_ref, grad_ref = bgnbd._ll_and_grad_reference(theta, x, t_x, age)
    assert np.array_equal(ll, ll_ref, equal_nan=True)
    assert np.array_equal(grad, grad_ref, equal_nan=True)


@pytest.mark.parametrize("theta", [np.log([6.25, 3.74, 15.44]), np.log([0.1, 50.0, 1e5])])
def test_gamma_gamma_likelihood_in_parts_is_bitwise_the_row_formula(
    theta: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    x, _, _ = _customers()
    x = x[x > 0]
    m = gamma_gamma.simulate(GammaGammaParams(6.25, 3.74, 15.44), x, np.random.default_rng(3))
    monkeypatch.setattr(grouping, "PART_ROWS", 500)
    with np.errstate(all="ignore"):
        ll, grad = gamma_gamma._ll_and_grad(theta, x, m, logs=(np.log(m), np.log(x)))
        ll_ref, grad_ref = gamma_gamma._ll_and_grad_reference(theta, x, m)
    assert np.array_equal(ll, ll_ref, equal_nan=True)
    assert np.array_equal(grad, grad_ref, equal_nan=True)


def test_a_fit_in_parts_is_the_fit_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    x, t_x, age = _customers()
    one = bgnbd.fit_bgnbd(x, t_x, age, time_unit="weeks")
    monkeypatch.setattr(grouping, "PART_ROWS", 300)
    parts = bgnbd.fit_bgnbd(x, t_x, age, time_unit="weeks")
    assert one.converged and parts.params == one.params and parts.starts == one.starts


@pytest.mark.parametrize(
    "model",
    [
        BGNBDParams(0.4, 3.0, 0.8, 2.5),
        BGNBDParams(0.4, 3.0, 1.00001, 2.5),  # a near 1: the closed form's interpolation
        RepeatModel("mbgnbd", (0.4, 3.0, 0.8, 2.5)),
        RepeatModel("paretonbd", (0.5, 4.0, 0.7, 12.0)),
    ],
)
def test_horizon_predictions_per_pair_are_the_per_customer_formula(model) -> None:
    x, t_x, age = _customers()
    kwargs = {"time_unit": "weeks", "horizon_months": 36}
    total, discounted = discounted_purchases_and_total(model, x, t_x, age, monthly_discount_rate=0.01, **kwargs)
    per_month = monthly_expected_purchases(model, x, t_x, age, **kwargs)  # (36, customers), row by row
    np.testing.assert_allclose(total, per_month.sum(axis=0), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(discounted, discount_factors(36, 0.01) @ per_month, rtol=1e-12, atol=1e-300)
    assert np.all(total > 0)


def _purchases(n_customers: int = 400, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 3000
    ids = [f"C{i:04d}" for i in rng.integers(0, n_customers, n)]
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    spend = rng.gamma(2.0, 50.0, n)
    spend[::17] = 0.0  # $0 purchases
    gp = spend * 0.3
    gp[::5] = np.nan  # lines without cost
    frame = pd.DataFrame(
        {"customer_id": ids, "purchase_date": days, "spend": spend, "gross_profit_with_cost": gp}
    ).drop_duplicates(["customer_id", "purchase_date"])
    frame["net_sales_with_cost"] = np.where(frame["gross_profit_with_cost"].notna(), frame["spend"], np.nan)
    return frame.sample(frac=1.0, random_state=1).reset_index(drop=True)  # not in customer order


def _left_to_right(values: pd.Series) -> float:
    """The sum the summary defines: the values in row order added one by one from 0, NaN as 0."""
    return functools.reduce(operator.add, (0.0 if np.isnan(v) else float(v) for v in values), 0.0)


def _summarize_by_ids(purchases: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """The summary grouped by the customer ids (the computation the integer codes replace), its sums
    added one by one in (customer, day) order."""
    p = purchases[purchases["purchase_date"] <= as_of].sort_values(["customer_id", "purchase_date"], kind="stable")
    p = p[p["customer_id"].notna()]
    g = p.groupby("customer_id", sort=True)
    out = pd.DataFrame(
        {
            "first_purchase_date": g["purchase_date"].min(),
            "last_purchase_date": g["purchase_date"].max(),
            "n_purchases": g.size(),
            "total_spend": g["spend"].agg(_left_to_right),
            "gross_profit_with_cost": g["gross_profit_with_cost"].agg(_left_to_right),
            "net_sales_with_cost": g["net_sales_with_cost"].agg(_left_to_right),
        }
    )
    repeat = p[p["customer_id"].duplicated()].groupby("customer_id")["spend"].agg(_left_to_right)
    return out.assign(repeat_spend=repeat.reindex(out.index).fillna(0.0)).reset_index()


def test_a_customers_sums_do_not_depend_on_the_other_rows() -> None:
    """pandas' groupby sum switches between pairwise and compensated summation with the whole frame
    (a NaN anywhere in the column, sorted ids): a customer's sums must be the same bits whatever the
    other customers' rows are, or a new day of orders changes the CLV inputs of old dates."""
    purchases = _purchases(n_customers=150)  # ~20 purchase days each: sums where the two ways differ
    lines = purchases.rename(columns={"purchase_date": "order_date", "spend": "net_sales"})
    lines = lines.assign(order_id=lines.index.astype(str), gross_profit=lines["gross_profit_with_cost"])
    with_nan = set(lines.loc[lines["gross_profit"].isna(), "customer_id"])
    filled = lines.assign(gross_profit=lines["gross_profit"].fillna(1.0))  # only customers with a NaN change
    assert with_nan and len(with_nan) < lines["customer_id"].nunique()

    def untouched(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[~frame["customer_id"].isin(with_nan)].reset_index(drop=True)

    as_purchases = [purchases_from_lines(lines), purchases_from_lines(filled)]
    pd.testing.assert_frame_equal(untouched(as_purchases[0]), untouched(as_purchases[1]), check_exact=True)
    for as_of in (pd.Timestamp("2024-12-31"), pd.Timestamp("2025-12-31")):
        for given in (purchases, as_purchases[0]):
            other = given.assign(gross_profit_with_cost=given["gross_profit_with_cost"].fillna(1.0))
            pd.testing.assert_frame_equal(
                untouched(summarize(given, as_of, time_unit="weeks")),
                untouched(summarize(other, as_of, time_unit="weeks")),
                check_exact=True,
            )
    values = np.array([1e16, 1.0, -1e16, 1.0, np.nan])
    assert group_sums(np.zeros(5, dtype=np.int64), values)[0] == ((1e16 + 1.0) - 1e16) + 1.0  # left to right


@pytest.mark.parametrize("id_type", ["object", "string[pyarrow]"])
def test_summary_by_integer_codes_is_the_summary_by_ids(id_type: str) -> None:
    purchases = _purchases()
    purchases["customer_id"] = purchases["customer_id"].astype(id_type)
    purchases.loc[purchases.index[:7], "customer_id"] = None  # no customer: no summary row
    as_of = pd.Timestamp("2025-06-30")
    expected = _summarize_by_ids(purchases, as_of)
    presorted = sort_purchases(purchases)
    codes = presorted["customer_code"]
    assert codes[presorted["customer_id"].notna()].is_monotonic_increasing and codes.min() == -1
    for summary in (
        summarize(purchases, as_of, time_unit="weeks"),
        summarize(presorted, as_of, time_unit="weeks", presorted=True),
    ):
        pd.testing.assert_frame_equal(summary[list(expected.columns[:-1])], expected.iloc[:, :-1], check_exact=True)
        repeat = expected["repeat_spend"] / (expected["n_purchases"] - 1)
        pd.testing.assert_series_equal(
            summary["monetary"], repeat.where(expected["n_purchases"] > 1), check_exact=True, check_names=False
        )


@pytest.mark.parametrize("id_type", ["object", "string[pyarrow]"])
def test_segments_looked_up_once_by_code_are_those_of_attach_segments(id_type: str) -> None:
    purchases = _purchases().sample(frac=1.0, random_state=3)  # not in (customer, day) order
    purchases["customer_id"] = purchases["customer_id"].astype(id_type)
    purchases.loc[purchases.index[:7], "customer_id"] = None  # no customer: no summary row
    ids = purchases["customer_id"].dropna().drop_duplicates().sort_values().to_numpy()
    segments = pd.DataFrame(
        {
            "customer_id": ids[5:],
            "segment": ["B2B", "B2C", "  ", "B2C"] * ((ids.size - 5) // 4) + ["B2B"] * ((ids.size - 5) % 4),
        }
    )
    segments = pd.concat([segments, segments.iloc[:3].assign(segment="other")])  # a duplicated id: first kept
    presorted = sort_purchases(purchases)
    for given in (segments, None, segments.iloc[:0]):
        labels = segment_labels(presorted, given)
        for as_of in (pd.Timestamp("2024-03-31"), pd.Timestamp("2025-06-30")):
            expected = attach_segments(summarize(presorted, as_of, time_unit="weeks", presorted=True), given)
            summary = summarize(presorted, as_of, time_unit="weeks", presorted=True, with_codes=True)
            assert summary.columns[-1] == "customer_code"
            got = label_segments(summary, labels)
            pd.testing.assert_frame_equal(got, expected, check_exact=True)
            if given is segments:  # every kind of label is there: own, blank -> unknown, missing -> unknown
                assert {"B2B", "B2C", "unknown"} <= set(got["segment"])


def test_sorted_purchases_are_those_of_a_stable_sort_by_id_and_day() -> None:
    purchases = _purchases()
    purchases = pd.concat([purchases, purchases.iloc[:50].assign(spend=1.0)], ignore_index=True)  # same id and day
    expected = purchases.sort_values(["customer_id", "purchase_date"], kind="stable")
    for given in (purchases, expected):  # unsorted (sorted by integer codes), already sorted (kept as it is)
        out = sort_purchases(given)
        pd.testing.assert_frame_equal(out.drop(columns="customer_code"), expected, check_exact=True)
        codes = out["customer_code"].to_numpy()
        assert codes[0] == 0 and np.all(np.diff(codes) >= 0) and codes[-1] == expected["customer_id"].nunique() - 1


def _row_sums(theta: np.ndarray, idx, x, t_x, age, w) -> tuple[float, np.ndarray]:
    """The weighted sums of the per-row likelihood and gradient (what the fit summed before, row by row)."""
    ll, grad = bgnbd._ll_and_grad(theta, x, t_x, age, x_index=idx)
    return float(np.sum(w * ll)), np.sum(grad * w, axis=1)


@pytest.mark.parametrize(
    "theta", [np.log([0.24, 4.4, 0.79, 2.4]), np.log([2.0, 0.1, 30.0, 1e4]), np.log([1e-3, 1e3, 0.05, 0.2])]
)
def test_bgnbd_likelihood_summed_by_pair_is_the_sum_of_the_rows(theta: np.ndarray, monkeypatch) -> None:
    x, t_x, age = _customers(20_000)
    (x, t_x, age), inverse = distinct_rows(x, t_x, age)
    w = np.bincount(inverse).astype(float)
    idx = bgnbd.row_index(x, t_x, age)
    w_x = np.bincount(idx.inv, weights=w, minlength=idx.xu.size)
    monkeypatch.setattr(bgnbd, "_SUM_ROWS", 1000)  # several parts on the thread pool
    with np.errstate(all="ignore"):
        value, grad = bgnbd._summed_ll_and_grad(theta, idx, x, w, w_x)
        ref_value, ref_grad = _row_sums(theta, idx, x, t_x, age, w)
    assert value == pytest.approx(ref_value, rel=1e-14)
    # each component within rounding of the sum of the absolute terms (a gradient near 0 cancels)
    with np.errstate(all="ignore"):
        _, rows = bgnbd._ll_and_grad(theta, x, t_x, age, x_index=idx)
    np.testing.assert_allclose(grad, ref_grad, rtol=0, atol=1e-13 * float(np.max(np.sum(np.abs(rows) * w, axis=1))))


def test_a_fit_on_the_pair_sums_is_the_fit_on_the_row_sums(monkeypatch: pytest.MonkeyPatch) -> None:
    """The summed likelihood changes only the order of additions: the same optimum, to 1e-9."""
    x, t_x, age = _customers(20_000, seed=5)
    fast = bgnbd.fit_bgnbd(x, t_x, age, time_unit="weeks")

    def by_rows(theta, idx, x_, w, w_x):
        return _row_sums(theta, idx, x_, idx.rec_t[idx.rec_inv], idx.age_t[idx.age_inv], w)

    monkeypatch.setattr(bgnbd, "_summed_ll_and_grad", by_rows)
    rows = bgnbd.fit_bgnbd(x, t_x, age, time_unit="weeks")
    assert fast.converged and rows.converged and fast.best_start == rows.best_start
    np.testing.assert_allclose(fast.params.as_array(), rows.params.as_array(), rtol=1e-9)
    assert fast.log_likelihood == pytest.approx(rows.log_likelihood, rel=1e-12)
    np.testing.assert_allclose(fast.std_errors.as_array(), rows.std_errors.as_array(), rtol=1e-6)
    assert [s.log_likelihood for s in fast.starts] == pytest.approx([s.log_likelihood for s in rows.starts], rel=1e-9)


def _spends(n: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    x, _, _ = _customers(n)
    x = x[x > 0]
    return x, gamma_gamma.simulate(GammaGammaParams(6.25, 3.74, 15.44), x, np.random.default_rng(3))


@pytest.mark.parametrize("theta", [np.log([6.25, 3.74, 15.44]), np.log([0.5, 40.0, 2.0]), np.log([80.0, 1.2, 1e4])])
def test_gamma_gamma_likelihood_summed_is_the_sum_of_the_rows(theta: np.ndarray, monkeypatch) -> None:
    """The fit's objective (terms of x alone per distinct x, of m alone once per fit, four sums per
    evaluation) = the sums of the per-row reference, value and gradient, to rounding."""
    x, m = _spends()
    monkeypatch.setattr(gamma_gamma, "_SUM_ROWS", 700)  # several parts on the thread pool
    with np.errstate(all="ignore"):
        value, grad = gamma_gamma._summed_ll_and_grad(theta, gamma_gamma._SumData.of(x, m, gamma_gamma._x_index_of(x)))
        ll, rows = gamma_gamma._ll_and_grad_reference(theta, x, m)
    assert value == pytest.approx(float(np.sum(ll)), rel=1e-13)
    np.testing.assert_allclose(
        grad, np.sum(rows, axis=1), rtol=0, atol=1e-12 * float(np.max(np.sum(np.abs(rows), axis=1)))
    )


def test_a_gamma_gamma_fit_on_the_sums_is_the_fit_on_the_row_sums(monkeypatch: pytest.MonkeyPatch) -> None:
    """Summing the Gamma-Gamma likelihood once per fit changes only the order of additions: the same optimum."""
    x, m = _spends()
    fast = gamma_gamma.fit_gamma_gamma(x, m)

    def by_rows(theta, data):
        ll, grad = gamma_gamma._ll_and_grad_reference(theta, x, m)
        return float(np.sum(ll)), np.sum(grad, axis=1)

    monkeypatch.setattr(gamma_gamma, "_summed_ll_and_grad", by_rows)
    rows = gamma_gamma.fit_gamma_gamma(x, m)
    assert fast.converged and rows.converged and fast.best_start == rows.best_start
    np.testing.assert_allclose(fast.params.as_array(), rows.params.as_array(), rtol=1e-8)
    assert fast.log_likelihood == pytest.approx(rows.log_likelihood, rel=1e-12)
    np.testing.assert_allclose(fast.std_errors.as_array(), rows.std_errors.as_array(), rtol=1e-6)
    assert [s.log_likelihood for s in fast.starts] == pytest.approx([s.log_likelihood for s in rows.starts], rel=1e-9)


def test_streamed_predictions_are_the_predictions_of_every_date(tmp_path) -> None:
    """fct_customer_clv_predictions streamed one snapshot date at a time into DuckDB = the frame of all dates."""
    import duckdb

    from salesperf.clv import ClvSettings, fit_snapshots, predict_snapshots
    from salesperf.clv.prediction_stream import (
        PREDICTION_COLUMNS,
        PREDICTION_DTYPES,
        predictions_reader,
        predictions_relation,
    )

    purchases = _purchases().assign(customer_id=lambda f: f["customer_id"].astype(object))
    segments = pd.DataFrame({"customer_id": sorted(set(purchases["customer_id"])), "segment": "B2B"})
    segments.loc[::3, "segment"] = "B2C"
    settings = ClvSettings(time_unit="weeks", min_customers_per_segment=50)
    dates = [pd.Timestamp("2025-03-31"), pd.Timestamp("2025-06-30"), pd.Timestamp("2025-09-30")]
    fits = fit_snapshots(purchases, segments, dates, settings)
    whole = predict_snapshots(purchases, segments, fits, settings)[PREDICTION_COLUMNS].astype(PREDICTION_DTYPES)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    casts = ", ".join(f"cast({c} as date) as {c}" if c.endswith("_date") else c for c in PREDICTION_COLUMNS)
    con.register("whole", con.from_df(whole).project(casts))  # what the model returned before
    con.execute("create table before as select * from whole")
    con.register("streamed", predictions_relation(con, predictions_reader(purchases, segments, fits, settings)))
    con.execute("create table after as select * from streamed")  # as dbt-duckdb materialises the relation
    assert con.execute("describe before").fetchall() == con.execute("describe after").fetchall()
    n = con.execute("select count(*) from before").fetchone()[0]
    assert n == len(whole) > 0 and con.execute("select count(distinct as_of_date) from after").fetchone()[0] == 3
    for a, b in (("before", "after"), ("after", "before")):
        assert con.execute(f"select count(*) from (select * from {a} except all select * from {b})").fetchone()[0] == 0
    empty = predictions_reader(purchases, segments, fits, settings, [pd.Timestamp("2020-01-31")])  # before any fit
    con.register("empty", predictions_relation(con, empty))
    con.execute("create table none as select * from empty")
    assert con.execute("describe none").fetchall() == con.execute("describe before").fetchall()
    assert con.execute("select count(*) from none").fetchone()[0] == 0
