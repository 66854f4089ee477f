"""The company matrix (issue 9): small companies of shapes the demo generator never produces, each
built once with the project's build command under its own settings, must publish, and their
published figures must equal an independent computation from their own landing files.

Companies (tests/companies.py): (a) ``usd_company`` — USD, calendar fiscal year, 10 months, only
the six required tables, settings by environment variables; (b) ``old_company`` — a history from
1997, settings by ``--vars``; (c) ``messy_company`` — returns, payments before their invoice,
opportunities on unknown products, $0 orders, products without launch dates; project defaults.
usd_company's build is the README's US-company block run as written (tests/readme_blocks.py).
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from companies import (
    AS_OF,
    COMPANIES,
    ORPHAN_OPPORTUNITIES,
    PAYMENTS_BEFORE_INVOICE,
    REP_WITHOUT_SALES,
    USD,
    Company,
)
from conftest import PROJECT_DIR, build_env
from matrix_expected import KEYS, acquisitions, compare, growth, order_lines, read, rollup

pytestmark = pytest.mark.slow

# Company settings a build must not inherit from the shell running the tests.
SETTING_VARIABLES = (
    "SALESPERF_BASE_CURRENCY",
    "SALESPERF_FISCAL_YEAR_START_MONTH",
    "SALESPERF_TIMEZONE",
    "SALESPERF_ORDER_HISTORY_COMPLETE_FROM",
    "SALESPERF_AS_OF_DATE",
)


@dataclass(frozen=True)
class CompanyBuild:
    company: Company
    landing: Path
    warehouse: Path
    returncode: int
    log: str

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).df()

    def indicator(self, code: str, grains: list[str] | None = None) -> pd.DataFrame:
        df = self.query(
            "select grain, entity_id, period_type, period_start, value from main.indicator_values "
            "where indicator_code = ?",
            [code],
        )
        df["period_start"] = pd.to_datetime(df["period_start"]).astype("datetime64[ns]")
        return df if grains is None else df[df["grain"].isin(grains)].reset_index(drop=True)


_BUILDS: dict[str, CompanyBuild] = {}


def build_company(name: str, root: Path, readme_block_runs) -> CompanyBuild:
    """Write the company's landing files and run `python3.11 tasks.py build` (= salesperf.run build)
    with its settings; once per test session. usd_company's build is the README's block that sets a
    US company's settings by environment variables, run as written on usd_company's files
    (tests/readme_blocks.py): its exports must be exactly the company's settings."""
    if name not in _BUILDS and name == "usd_company":
        import readme_blocks

        run = readme_block_runs(readme_blocks.usd_settings_block())
        assert readme_blocks.exported(run.script) == USD.env, run.script
        _BUILDS[name] = CompanyBuild(USD, run.landing, run.warehouse, run.returncode, run.output)
    if name not in _BUILDS:
        landing = root / "landing"
        company = COMPANIES[name](landing)
        warehouse = root / "warehouse" / "sales_performance.duckdb"
        # dbt's unit tests check SQL under settings, not data: the messy company has the project's default
        # settings, whose unit tests the session's demo build runs (tests/conftest.py NO_UNIT_TESTS)
        env = build_env(landing, warehouse, root, unit_tests=bool(company.env or company.dbt_args))
        for variable in SETTING_VARIABLES:
            env.pop(variable, None)
        env.update(company.env)
        proc = subprocess.run(
            [sys.executable, "-m", "salesperf.run", "build", *company.dbt_args],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
        )
        _BUILDS[name] = CompanyBuild(company, landing, warehouse, proc.returncode, proc.stdout + proc.stderr)
    return _BUILDS[name]


def published_build(name: str, tmp_path_factory, readme_block_runs) -> CompanyBuild:
    build = build_company(name, tmp_path_factory.mktemp(name), readme_block_runs)
    if build.returncode != 0 or not build.warehouse.exists():
        pytest.fail(f"{name} did not publish (exit {build.returncode}):\n{build.log[-5000:]}")
    return build


@pytest.fixture(scope="module", params=list(COMPANIES))
def any_company(request, tmp_path_factory, readme_block_runs) -> CompanyBuild:
    return build_company(request.param, tmp_path_factory.mktemp(request.param), readme_block_runs)


@pytest.fixture(scope="module")
def usd(tmp_path_factory, readme_block_runs) -> CompanyBuild:
    return published_build("usd_company", tmp_path_factory, readme_block_runs)


@pytest.fixture(scope="module")
def old(tmp_path_factory, readme_block_runs) -> CompanyBuild:
    return published_build("old_company", tmp_path_factory, readme_block_runs)


@pytest.fixture(scope="module")
def messy(tmp_path_factory, readme_block_runs) -> CompanyBuild:
    return published_build("messy_company", tmp_path_factory, readme_block_runs)


def _company(request, name: str) -> CompanyBuild:
    return request.getfixturevalue(name.split("_")[0])


ALL = ["usd_company", "old_company", "messy_company"]
GRAINS = ["company", "team", "rep", "customer", "product"]


# ------------------------------------------------------------------------------ every company
def test_company_publishes(any_company):
    """exit 0 and the published file exists (the build command's own contract)."""
    assert any_company.returncode == 0, f"exit {any_company.returncode}:\n{any_company.log[-5000:]}"
    assert any_company.warehouse.exists()


@pytest.mark.parametrize("name", ALL)
def test_sales_amount_equals_landing(request, name):
    """sales_amount at every grain and period type (month, quarter, year, fiscal year) equals
    Σ net sales of the landing lines: cancelled orders out, returns negative on their own date."""
    b = _company(request, name)
    lines = order_lines(b.landing)
    expected = rollup(lines, "order_date", "net_sales", GRAINS, b.company.fiscal_year_start_month)
    compare(b.indicator("sales_amount", GRAINS), expected, f"{name} sales_amount")


@pytest.mark.parametrize("name", ALL)
def test_no_landing_row_rejected_but_the_planted_ones(request, name):
    """A clean company loses no row (a USD or EUR order is not an 'unknown currency' when that is
    the base currency); the messy one only the rows it was built to have rejected."""
    b = _company(request, name)
    rejected = b.query("select source_table, row_key, rule from main.dq_rejected_rows")
    allowed = set(PAYMENTS_BEFORE_INVOICE) | set(ORPHAN_OPPORTUNITIES) if name == "messy_company" else set()
    unexpected = rejected[~rejected["row_key"].isin(allowed)]
    assert unexpected.empty, f"{name}: rows rejected that are valid:\n{unexpected.to_string()}"


@pytest.mark.parametrize("name", ALL)
def test_published_settings_are_the_companys(request, name):
    """One resolved value per setting, whether it came from an environment variable (a), --vars (b)
    or dbt_project.yml (c); the as-of date is the latest order date, mid-month."""
    b = _company(request, name)
    row = b.query("select * from main.warehouse_settings").iloc[0]
    c = b.company
    assert row["base_currency"] == c.base_currency
    assert row["company_timezone"] == c.timezone
    assert int(row["fiscal_year_start_month"]) == c.fiscal_year_start_month
    assert pd.Timestamp(row["as_of_date"]).date() == AS_OF[name]
    complete = row["order_history_complete_from"]
    assert (None if pd.isna(complete) else pd.Timestamp(complete).date()) == c.order_history_complete_from


@pytest.mark.parametrize("name", ALL)
def test_fiscal_years_start_in_the_configured_month(request, name):
    b = _company(request, name)
    starts = pd.to_datetime(
        b.indicator("sales_amount", ["company"]).query("period_type == 'fiscal_year'")["period_start"]
    )
    assert len(starts) > 0
    assert set(starts.dt.month) == {b.company.fiscal_year_start_month}


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("code,months_back", [("sales_growth_pop", None), ("sales_growth_yoy", 12)])
def test_sales_growth_compares_like_for_like(request, name, code, months_back):
    """Growth of every period against its comparison period; the running period (holding the
    as-of date) against the same span of the comparison period, up to the same day."""
    b = _company(request, name)
    lines = order_lines(b.landing)
    sales = rollup(lines, "order_date", "net_sales", GRAINS, b.company.fiscal_year_start_month)
    expected = growth(lines, sales, AS_OF[name], b.company.fiscal_year_start_month, months_back)
    assert expected["running"].any()
    published = b.indicator(code, GRAINS)
    merged = expected.merge(published, on=KEYS, how="outer", suffixes=("_expected", "_published"), indicator=True)
    extra = merged[(merged["_merge"] == "right_only") & merged["value_published"].notna()]
    assert extra.empty, f"{name} {code}: published where nothing is compared:\n{extra.head(20).to_string()}"
    must_be_null = merged[merged["value_expected"].isna() & ~merged["_merge"].eq("right_only")]
    must_be_null = must_be_null[must_be_null["value_expected"].map(lambda v: v is None)]
    wrong_null = must_be_null[must_be_null["value_published"].notna()]
    assert wrong_null.empty, f"{name} {code}: a value without a comparison base:\n{wrong_null.head(20).to_string()}"
    asserted = merged[merged["value_expected"].map(lambda v: v is not None and not pd.isna(v))]
    if lines["order_date"].min() < pd.Timestamp(AS_OF[name]) - pd.DateOffset(months=13):
        assert len(asserted) > 0  # a year of history before the as-of date: growth exists
    missing = asserted[asserted["value_published"].isna()]
    assert missing.empty, f"{name} {code}: growth missing:\n{missing.head(20).to_string()}"
    e, p = asserted["value_expected"].to_numpy(float), asserted["value_published"].to_numpy(float)
    bad = asserted[~np.isclose(e, p, rtol=1e-9, atol=1e-9)]
    assert bad.empty, (
        f"{name} {code}: {len(bad)} of {len(asserted)} growth values differ "
        f"(running periods: {int(bad['running'].sum())}):\n{bad.head(20).to_string()}"
    )


# ------------------------------------------------------------------------------ new customers
@pytest.mark.parametrize("name", ["usd_company", "old_company"])
def test_new_customers_with_complete_history(request, name):
    """order_history_complete_from set: every first order after it is an acquisition, and a
    customer who lapses (no net-positive order in the 12 months up to the day before) is new again."""
    b = _company(request, name)
    new = acquisitions(order_lines(b.landing), b.company.order_history_complete_from)
    expected = rollup(new, "order_date", "one", ["company", "team", "rep"], b.company.fiscal_year_start_month)
    compare(b.indicator("new_customers", ["company", "team", "rep"]), expected, f"{name} new_customers")


def test_usd_every_customer_is_new_once(usd):
    """Every account was created before its first order; the extract holds the whole history:
    all 12 customers are acquisitions of 2024."""
    year = usd.indicator("new_customers", ["company"]).query("period_type == 'year'")
    assert year["value"].tolist() == [12.0], year.to_string()


def test_old_lapsed_customers_hand_count(old):
    """1997: K1..K5 first orders; 1998: K4 back 12 months + 1 day after its last order (K3's order
    exactly 12 months later is not new); 1999: K3 after a 13-month gap; 2000: K4 again."""
    year = old.indicator("new_customers", ["company"]).query("period_type == 'year'")
    got = {ts.year: v for ts, v in zip(year["period_start"], year["value"], strict=True)}
    assert got == {1997: 5.0, 1998: 1.0, 1999: 1.0, 2000: 1.0}, got


def test_old_team_credit_follows_the_assignment_history(old):
    """V02 moved from NORD to SUD on 1998-07-01: its 1997 sales are NORD's, its 1999 sales SUD's."""
    lines = order_lines(old.landing)
    v02 = lines[lines["rep_id"] == "V02"]
    assert set(v02.loc[v02["order_date"] < "1998-07-01", "team_id"]) == {"NORD"}
    sales = old.indicator("sales_amount", ["team"]).query("period_type == 'year'")
    for team in ("NORD", "SUD"):
        for year in (1997, 1999):
            exp = lines[(lines["team_id"] == team) & (lines["order_date"].dt.year == year)]["net_sales"].sum()
            got = sales[(sales["entity_id"] == team) & (sales["period_start"].dt.year == year)]["value"].sum()
            assert got == pytest.approx(exp, abs=1e-6), (team, year)


# ------------------------------------------------------------------------------ (c) messy data
def test_messy_returns_reduce_sales_on_the_return_date(messy):
    """RET-3 (a whole August order returned on 2024-09-11 by rep S02): September's company sales
    are the September sales minus the returned amount; the original August stays."""
    lines = order_lines(messy.landing)
    returned = -lines.loc[lines["order_id"] == "RET-3", "net_sales"].sum()
    assert returned == pytest.approx(2 * 32.5 + 2 * 2100.0)
    sept_sales = lines[(lines["order_date"] >= "2024-09-01") & (lines["sign"] > 0)]["net_sales"].sum()
    month = messy.indicator("sales_amount", ["company"]).query("period_type == 'month'")
    got = month.loc[month["period_start"] == pd.Timestamp("2024-09-01"), "value"]
    assert got.tolist() == pytest.approx([sept_sales - returned]), (
        f"company sales 2024-09: {got.tolist()}; sales {sept_sales} - returned {returned}"
    )
    rep = messy.indicator("sales_amount", ["rep"]).query("period_type == 'month' and entity_id == 'S02'")
    s02 = lines[(lines["rep_id"] == "S02") & (lines["order_date"] >= "2024-09-01")]["net_sales"].sum()
    got_s02 = rep.loc[rep["period_start"] == pd.Timestamp("2024-09-01"), "value"].tolist()
    assert got_s02 == pytest.approx([s02]), f"S02 sales 2024-09: {got_s02}, expected {s02} (its return subtracted)"


def test_messy_payments_before_their_invoice_are_quarantined(messy):
    rejected = messy.query("select row_key, rule from main.dq_rejected_rows where source_table = 'erp_payments'")
    assert set(PAYMENTS_BEFORE_INVOICE) <= set(rejected["row_key"]), rejected.to_string()
    assert rejected["rule"].notna().all()


def test_messy_collection_days_exclude_the_early_payments(messy):
    """avg_collection_days (company, by payment month) = mean(payment_date - invoice_date) over the
    payments kept; never negative."""
    payments = read(messy.landing, "erp_payments")
    invoices = read(messy.landing, "erp_invoices")
    paid = payments[~payments["payment_id"].isin(PAYMENTS_BEFORE_INVOICE)].merge(invoices, on="invoice_id")
    paid["payment_date"] = pd.to_datetime(paid["payment_date"])
    paid["days"] = (paid["payment_date"] - pd.to_datetime(paid["invoice_date"])).dt.days.astype(float)
    expected = rollup(paid, "payment_date", "days", ["company"], 4, agg="mean")
    published = messy.indicator("avg_collection_days")
    assert (published["value"].dropna() >= 0).all(), published[published["value"] < 0].head().to_string()
    compare(published[published["grain"] == "company"], expected, "avg_collection_days")


def test_messy_orphan_opportunities_are_reported_and_have_no_figure(messy):
    """An opportunity on a product that does not exist: the build publishes, no figure exists for
    that product, and the rows are named (quarantined, or a warning naming them)."""
    products = set(read(messy.landing, "erp_products")["product_id"])
    product_rows = messy.query("select distinct entity_id from main.indicator_values where grain = 'product'")
    ghosts = set(product_rows["entity_id"]) - products - {"unassigned"}
    assert not ghosts, f"figures published for products that do not exist: {ghosts}"
    rejected = set(messy.query("select row_key from main.dq_rejected_rows")["row_key"])
    warned = " ".join(messy.query("select coalesce(message, '') as m from main.dq_results where status = 'warn'")["m"])
    for opportunity_id in ORPHAN_OPPORTUNITIES:
        assert opportunity_id in rejected or opportunity_id in warned, (
            f"{opportunity_id} (product Q-GHOST) is neither quarantined nor named by a warning"
        )


def test_messy_unknown_launch_dates_give_no_new_product_share(messy):
    """No product has a launch date: new_product_sales_share is unknown (NULL or absent), never 0."""
    share = messy.indicator("new_product_sales_share")
    assert share["value"].dropna().empty, share.dropna().head().to_string()


def test_messy_zero_orders_keep_ratios_in_range(messy):
    """$0 orders and lines (free samples) neither push trial_rate above 1 nor count as sales."""
    trial = messy.indicator("trial_rate")
    assert (trial["value"].dropna() <= 1).all(), trial[trial["value"] > 1].to_string()
    zero = messy.indicator("sales_amount", ["customer"]).query("entity_id == 'M09'")
    assert (zero["value"] == 0).all(), zero.to_string()


def test_messy_rep_with_targets_and_no_sales_has_attainment_zero(messy):
    attainment = messy.indicator("sales_target_attainment", ["rep"]).query(
        f"entity_id == '{REP_WITHOUT_SALES}' and period_type == 'month'"
    )
    assert len(attainment) == 21, attainment.to_string()  # Jan 2023 .. Sep 2024
    assert (attainment["value"] == 0).all()


# ------------------------------------------------------------------------------ served on every company
CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€"}
PAGES = ("teams", "rep", "customers", "products", "data_quality")


@pytest.mark.parametrize("name", ALL)
def test_semantic_layer_answers_like_the_marts(request, name, tmp_path):
    """``mf query`` on a copy of each company's build: every metric at each grain and period type
    equals its indicator_values (1e-9) — also with only the required systems (usd: no activity,
    survey or HR table), a history from 1997 with its own fiscal year (old), returns (messy)."""
    from semantic_checks import matrix_differences, matrix_queries, mf_project

    from salesperf import semantic

    b = _company(request, name)
    project, copy = mf_project(b, tmp_path)
    keys, queries = matrix_queries(b, tmp_path)
    results = semantic.query_batch(project, queries, copy)
    found = matrix_differences(b, keys, results)
    assert not found.wrong, f"{len(found.wrong)} values differ, e.g. {found.wrong[:10]}"
    assert not found.extra, f"{len(found.extra)} mf values without an indicator value, e.g. {found.extra[:10]}"
    assert not found.missing, f"{len(found.missing)} indicator values mf did not return, e.g. {found.missing[:10]}"
    assert found.checked > 100, found.checked
    # mf's figures on ids no dimension has: only the products of opportunities the build names
    unknown = {(grain, entity) for (_, grain, entity, _, _), _ in found.unknown}
    assert {grain for grain, _ in unknown} <= {"product"}, unknown
    if unknown:
        named = " ".join(b.query("select coalesce(message, '') as m from main.dq_results")["m"])
        products = sorted(entity for _, entity in unknown)
        opportunities = b.query(
            f"select opportunity_id from main.fct_opportunities where product_id in ({', '.join('?' * len(products))})",
            products,
        )["opportunity_id"]
        assert len(opportunities) and all(o in named for o in opportunities), (products, list(opportunities))


@pytest.mark.parametrize("name", ALL)
def test_dashboard_serves_every_page(request, name, tmp_path, monkeypatch):
    """The dashboard on each company's published file (a copy), as the director: every page opens
    without an error, in both languages; the overview's sales card is the company's sales of the
    latest month, in the company's currency (not the demo's ¥)."""
    import shutil

    from dashboard_fixtures import app_test

    from dashboard import i18n

    b = _company(request, name)
    copy = tmp_path / "warehouse" / b.warehouse.name
    copy.parent.mkdir()
    shutil.copyfile(b.warehouse, copy)
    monkeypatch.setenv("SALESPERF_WAREHOUSE", str(copy))
    monkeypatch.setenv("SALESPERF_DASHBOARD_STATE", str(tmp_path / "state" / "auth.sqlite3"))
    monkeypatch.setenv("SALESPERF_DASHBOARD_RAISE_ERRORS", "1")
    monkeypatch.delenv("SALESPERF_DASHBOARD_USERS", raising=False)
    monkeypatch.delenv("SALESPERF_DASHBOARD_MODE", raising=False)
    month = b.query("select max(period_start) as m from main.dim_periods where period_type = 'month'")["m"][0]
    sales = b.query(
        "select value from main.indicator_values where indicator_code = 'sales_amount' and grain = 'company'"
        " and period_type = 'month' and period_start = ?",
        [month],
    )["value"]
    label = b.query("select name_en from reference.indicator_catalog where indicator_code = 'sales_amount'")
    for lang in ("en", "zh"):
        at = app_test("director", {"lang": lang, "ptype": "month"}).run()
        assert not at.exception, [e.value for e in at.exception]
        if lang == "en":
            cards = [m for m in at.metric if m.label == label["name_en"][0]]
            assert cards, [m.label for m in at.metric]
            shown = cards[0].value
            assert shown.lstrip("-").startswith(CURRENCY_SYMBOLS[b.company.base_currency]), shown
            assert shown == i18n.format_value(sales[0] if len(sales) else None, "currency", "en"), shown
        for page in PAGES:
            at.switch_page(f"app_pages/{page}.py").run()
            assert not at.exception, (page, lang, [e.value for e in at.exception])
