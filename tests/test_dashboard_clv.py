"""The customer page shows CLV and P(alive) with their intervals, and the segment's model diagnostics
with a one-line verdict (issue 13; dashboard/app_pages/clv_views.py), in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.register_assert_rewrite("dashboard_fixtures")
from dashboard_fixtures import app_test, warehouse_query  # noqa: E402

from dashboard import i18n  # noqa: E402
from dashboard.app_pages.clv_views import interval_text  # noqa: E402

pytest_plugins = ["dashboard_fixtures"]


def test_interval_text_in_both_languages() -> None:
    assert interval_text(120_000, 90_000, 150_000, "currency", "zh") == "¥12.0万 (¥9.0万–¥15.0万)"
    assert interval_text(120_000, 90_000, 150_000, "currency", "en") == "¥120.0K (¥90.0K–¥150.0K)"
    assert interval_text(0.723, 0.699, 0.752, "ratio", "en") == "72.3% (69.9%–75.2%)"
    assert interval_text(120_000, None, None, "currency", "en") == "¥120.0K"  # unknown interval: the value alone
    assert interval_text(None, 1.0, 2.0, "currency", "zh") == "—"


def _metric(at, label: str):
    found = [m for m in at.metric if m.label == label]
    assert found, f"no metric {label!r} among {[m.label for m in at.metric]}"
    return found[0]


def _selected_customer(at, lang: str) -> str:
    box = next(s for s in at.selectbox if s.label == i18n.t("customer_select", lang))
    return str(box.value)


def _latest(warehouse: Path, customer_id: str):
    return warehouse_query(
        warehouse,
        "select clv_predicted, clv_predicted_low, clv_predicted_high, p_alive, p_alive_low, p_alive_high, segment "
        "from main.fct_customer_clv_snapshots where customer_id = ? and as_of_date <= "
        "(select max(period_end_as_of) from main.dim_periods where period_type = 'month') "
        "order by as_of_date desc limit 1",
        [customer_id],
    )[0]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_director_sees_intervals_and_the_verdict(dashboard_env: Path, lang: str) -> None:
    at = app_test("director", {"lang": lang}).run()
    at.switch_page("app_pages/customers.py").run()
    assert not at.exception
    customer = _selected_customer(at, lang)
    clv, clv_low, clv_high, p_alive, p_low, p_high, segment = _latest(dashboard_env, customer)
    assert clv_low is not None and clv_low <= clv <= clv_high
    shown = _metric(at, i18n.t("clv_interval_label", lang)).value
    assert shown == interval_text(clv, clv_low, clv_high, "currency", lang)
    assert "(" in shown and "–" in shown
    assert _metric(at, i18n.t("p_alive_interval_label", lang)).value == interval_text(
        p_alive, p_low, p_high, "ratio", lang
    )
    # the verdict line of the customer's segment: "Model fits: holdout error 6 %" (or "Check the model")
    verdicts = [m.value for m in at.markdown if "holdout error" in m.value or "留出期误差" in m.value]
    assert len(verdicts) == 1, [m.value for m in at.markdown]
    errors = warehouse_query(
        dashboard_env,
        "select distinct holdout_error from main.fct_clv_calibration_holdout where segment = ?",
        [segment],
    )
    assert any(f"{e * 100:.0f}" in verdicts[0] for (e,) in errors)
    captions = " ".join(c.value for c in at.caption)
    assert i18n.t("clv_interval_explained", lang) in captions
    # the calibration/holdout and tracking charts beside the page's two trend charts
    assert len(at.get("vega_lite_chart")) == 4


def test_rep_sees_intervals_but_not_the_company_wide_diagnostics(dashboard_env: Path) -> None:
    at = app_test("rep_demo", {"lang": "en"}).run()
    at.switch_page("app_pages/customers.py").run()
    assert not at.exception
    assert "(" in _metric(at, i18n.t("clv_interval_label", "en")).value
    assert not [m.value for m in at.markdown if "holdout error" in m.value]
    assert i18n.t("clv_diagnostics_director_only", "en") in " ".join(c.value for c in at.caption)
    assert len(at.get("vega_lite_chart")) == 2  # the trend charts only
