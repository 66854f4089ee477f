"""Labels in Simplified Chinese and English, and numbers formatted for the language.

Indicator names, units and definitions come from the catalog seed (``reference.indicator_catalog``,
read by ``data.catalog()``); everything else a page shows is a key of ``TEXT``. Chinese amounts
use 万 (10⁴) and 亿 (10⁸); English ones K / M / B.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

LANGUAGES = ("zh", "en")
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
CURRENCY_SYMBOL = "¥"  # of the published warehouse's base currency (use_currency; CNY by default)
CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$", "TWD": "NT$"}
CURRENCY_NAMES_ZH = {
    "CNY": "元", "USD": "美元", "EUR": "欧元", "GBP": "英镑", "JPY": "日元", "HKD": "港元", "TWD": "新台币"
}  # fmt: skip

# key: (zh-CN, en). `{name}` placeholders are filled by t(..., name=...).
TEXT: dict[str, tuple[str, str]] = {
    # app frame
    "app_title": ("销售绩效看板", "Sales performance dashboard"),
    "language": ("语言", "Language"),
    "logout": ("退出登录", "Log out"),
    "signed_in_as": ("当前用户：{name}（{role}）", "Signed in as {name} ({role})"),
    "login_title": ("登录", "Log in"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "login_button": ("登录", "Log in"),
    "login_failed": ("用户名或密码错误。", "Username or password is incorrect."),
    "login_hint": ("请使用 README 中列出的演示账号登录。", "Log in with one of the demo users listed in the README."),
    "unknown_user": (
        "该账号没有配置访问范围（users.yaml 的 access 部分），请联系管理员。",
        "This account has no access scope configured (the access section of users.yaml); ask an administrator.",
    ),
    "role_director": ("总监", "director"),
    "role_manager": ("经理", "manager"),
    "role_rep": ("销售代表", "rep"),
    # warehouse state
    "warehouse_missing_title": ("还没有可用的数据仓库", "No warehouse to read yet"),
    "warehouse_missing": (
        "还没有已发布的数据仓库。管理员：请运行 `python3.11 tasks.py demo`（生成演示数据、构建并发布），"
        "或用环境变量 `SALESPERF_WAREHOUSE` 指向一个已构建的文件；详情见服务器日志。",
        "No warehouse has been published yet. Administrators: run `python3.11 tasks.py demo` (generates the demo "
        "data, builds and publishes), or point `SALESPERF_WAREHOUSE` at a built file; details are in the server log.",
    ),
    "warehouse_empty": (
        "已发布的数据仓库里还没有指标数据（indicator_values）。管理员：请运行 `python3.11 tasks.py demo` "
        "或 `python3.11 tasks.py build`；详情见服务器日志。",
        "The published warehouse holds no indicator values (indicator_values) yet. Administrators: run "
        "`python3.11 tasks.py demo` or `python3.11 tasks.py build`; details are in the server log.",
    ),
    "warehouse_unreadable": (
        "数据暂时无法读取，请稍后再试。管理员：请查看服务器日志，必要时重新运行 `python3.11 tasks.py demo`。",
        "The data cannot be read right now; please try again later. Administrators: see the server log and run "
        "`python3.11 tasks.py demo` again if needed.",
    ),
    # pages
    "page_overview": ("总览", "Overview"),
    "page_teams": ("团队", "Teams"),
    "page_rep": ("销售代表", "Rep"),
    "page_customers": ("客户", "Customers"),
    "page_products": ("产品", "Products"),
    "page_data_quality": ("数据质量", "Data quality"),
    # filters
    "filters": ("筛选", "Filters"),
    "period_type": ("周期类型", "Period type"),
    "period": ("周期", "Period"),
    "region": ("区域", "Region"),
    "team": ("团队", "Team"),
    "role": ("销售角色", "Sales role"),
    "all": ("全部", "All"),
    "pt_month": ("月", "Month"),
    "pt_quarter": ("季度", "Quarter"),
    "pt_year": ("年", "Year"),
    "pt_fiscal_year": ("财年", "Fiscal year"),
    "running_month": ("本月至今", "MTD"),
    "running_quarter": ("本季至今", "QTD"),
    "running_year": ("本年至今", "YTD"),
    "running_fiscal_year": ("本财年至今", "FYTD"),
    "rep_role_direct": ("直销", "Direct"),
    "rep_role_key_account": ("大客户", "Key account"),
    "rep_role_ecommerce": ("电商", "E-commerce"),
    "as_of": ("数据截至 {date}", "Data as of {date}"),
    "period_caption": ("{period}（{start} 至 {end}）", "{period} ({start} to {end})"),
    # dimensions
    "dim_results": ("业绩结果", "Results"),
    "dim_process": ("行为过程", "Process"),
    "dim_capability": ("能力发展", "Capability"),
    "dim_collaboration": ("团队协作", "Collaboration"),
    "dim_customer_value": ("客户长期价值", "Customer value"),
    "dim_product_lifecycle": ("产品生命周期", "Product lifecycle"),
    # overview
    "overview_title": ("总览", "Overview"),
    "scope_company": ("全公司", "Company"),
    "scope_team": ("团队：{name}", "Team: {name}"),
    "scope_rep": ("销售代表：{name}", "Rep: {name}"),
    "vs_previous": ("较上期", "vs previous period"),
    "vs_target": ("目标 {target}，达成 {attainment}", "target {target}, attained {attainment}"),
    "no_target": ("无目标", "no target"),
    "vs_last_year": ("同比 {delta}", "vs last year {delta}"),
    # a running period is compared with the same span (up to the same day), and says which
    "vs_span": ("对比 {span}", "vs {span}"),
    "vs_last_year_span": ("同比（对比 {span}）{delta}", "vs {span} {delta}"),
    "no_data": ("暂无数据", "No data"),
    "dimension_glance": (
        "较上期改善的指标数 / 有数据的指标数（该维度共 {total} 项指标）",
        "Indicators improved vs the previous period / indicators with data ({total} in this dimension)",
    ),
    "no_scope": ("你的账号在当前筛选下没有可查看的数据。", "Your account has nothing to show for this selection."),
    # tables and columns
    "download_csv": ("下载 CSV", "Download CSV"),
    "col_indicator": ("指标", "Indicator"),
    "col_indicator_code": ("指标代码", "Indicator code"),
    "col_dimension": ("维度", "Dimension"),
    "col_value": ("数值", "Value"),
    "col_value_raw": ("数值（未格式化）", "Value (unformatted)"),
    "col_target": ("目标", "Target"),
    "col_attainment": ("达成率", "Attainment"),
    "col_band": ("达成档位", "Attainment band"),
    "col_previous": ("上期", "Previous period"),
    "col_last_year": ("去年同期", "Same period last year"),
    "col_vs_previous": ("环比", "vs previous"),
    "col_vs_last_year": ("同比", "vs last year"),
    "col_period": ("周期", "Period"),
    "col_period_start": ("周期开始", "Period start"),
    "col_team_id": ("团队编号", "Team id"),
    "col_team": ("团队", "Team"),
    "col_region": ("区域", "Region"),
    "col_rank": ("排名", "Rank"),
    "col_rep_id": ("代表编号", "Rep id"),
    "col_rep": ("销售代表", "Rep"),
    "col_role": ("角色", "Role"),
    "col_customer_id": ("客户编号", "Customer id"),
    "col_customer": ("客户", "Customer"),
    "col_segment": ("客户类型", "Segment"),
    "col_owner": ("负责人", "Owner"),
    "col_product_id": ("产品编号", "Product id"),
    "col_product": ("产品", "Product"),
    "col_category": ("品类", "Category"),
    "col_stage": ("生命周期阶段", "Lifecycle stage"),
    "col_strategic": ("战略产品", "Strategic"),
    "col_headline_indicator": ("阶段核心指标", "Stage headline indicator"),
    "col_unit_money": ("（万元）", " (CNY)"),
    "col_entity": ("对象", "Entity"),
    "col_entity_id": ("对象编号", "Entity id"),
    "col_source_table": ("落地表", "Landing table"),
    "col_rule": ("规则", "Rule"),
    "col_occurrence": ("重复序号", "Occurrence"),
    "col_severity": ("严重级别", "Severity"),
    "col_status": ("状态", "Status"),
    "col_landing_rows": ("落地行数", "Landing rows"),
    "col_staged_rows": ("入库行数", "Staged rows"),
    "col_soft_deleted_rows": ("软删除行数", "Soft-deleted rows"),
    "col_rejected_rows": ("拒绝行数", "Rejected rows"),
    "col_unaccounted_rows": ("未核对行数", "Unaccounted rows"),
    "chart_unit_money": ("单位：万元", "CNY"),
    "col_grain": ("粒度", "Grain"),
    "band_on_track": ("🟢 达标（≥100%）", "🟢 On track (≥100%)"),
    "band_close": ("🟡 接近（80–100%）", "🟡 Close (80–100%)"),
    "band_behind": ("🔴 落后（<80%）", "🔴 Behind (<80%)"),
    "band_none": ("无目标", "No target"),
    # teams
    "teams_title": ("团队排行榜", "Team leaderboard"),
    "teams_ranked_by": ("按销售达成率排序", "Ranked by sales target attainment"),
    "teams_trend": ("趋势：{indicator}", "Trend: {indicator}"),
    "trend_indicator": ("趋势指标", "Trend indicator"),
    "drill_team": ("查看团队", "Open team"),
    "drill_hint": ("点击团队查看其销售代表：", "Open a team to see its reps:"),
    "team_title": ("团队：{name}", "Team: {name}"),
    "team_reps": ("团队成员（本周期内在该团队）", "Reps (in the team during the period)"),
    "drill_rep": ("查看代表", "Open rep"),
    "back_to_leaderboard": ("返回排行榜", "Back to the leaderboard"),
    "team_not_visible": ("该团队不在你的访问范围内。", "This team is not in your access scope."),
    # rep
    "rep_title": ("销售代表：{name}", "Rep: {name}"),
    "rep_select": ("销售代表", "Rep"),
    "rep_none": ("当前筛选下没有可查看的销售代表。", "No rep to show for this selection."),
    "rep_scorecard": ("计分卡", "Scorecard"),
    "rep_trend": ("指标趋势", "Indicator trend"),
    "rep_customers": ("名下客户（周期末）", "Customers owned (at period end)"),
    "rep_info": ("团队：{team} · 角色：{role} · 入职：{hire}", "Team: {team} · role: {role} · hired: {hire}"),
    # customers
    "customers_title": ("客户", "Customers"),
    "customers_list": ("客户价值（周期末负责人）", "Customer value (owner at period end)"),
    "churn_list": ("流失预警名单", "Churn-risk list"),
    "churn_none": ("当前周期没有流失预警客户。", "No customer at churn risk in this period."),
    "concentration": ("客户集中度预警", "Customer concentration warnings"),
    "concentration_none": ("没有超过阈值的客户集中度。", "No concentration above the threshold."),
    "clv_explained": ("CLV 的两种口径", "The two CLV figures"),
    "clv_formula_explained": (
        "公式 CLV =（年均采购额 × 预期合作年限）× 毛利率 − 维护成本；适合解释和沟通。",
        "Formula CLV = (annual purchase × expected relationship years) × gross margin rate − maintenance cost; "
        "easy to explain.",
    ),
    "clv_predicted_explained": (
        "预测 CLV：BG/NBD 预测复购次数与存活概率，Gamma-Gamma 预测客单毛利，按月折现；适合排序与预警。",
        "Predicted CLV: BG/NBD repeat purchases and P(alive), Gamma-Gamma margin per order, discounted monthly; "
        "for ranking and early warning.",
    ),
    "customer_select": ("查看客户", "Customer"),
    "customer_history": ("客户历史：{name}", "Customer history: {name}"),
    "customer_none": ("当前筛选下没有可查看的客户。", "No customer to show for this selection."),
    "clv_snapshots": ("CLV 快照", "CLV snapshots"),
    "clv_not_available": ("CLV 模型表尚未构建。", "The CLV model tables are not built yet."),
    "clv_intervals": (
        "预测 CLV 与存活概率（{date}，括号内为区间）",
        "Predicted CLV and P(alive) ({date}, interval in brackets)",
    ),
    "clv_interval_label": ("预测 CLV（区间）", "Predicted CLV (interval)"),
    "p_alive_interval_label": ("存活概率（区间）", "P(alive) (interval)"),
    "clv_interval_explained": (
        "区间反映模型参数的不确定性（默认 90%）：数据越多，区间越窄；不代表客户实际购买的波动。",
        "The interval reflects the uncertainty of the model's parameters (90 % by default): more data, "
        "narrower interval; it is not the spread of the customer's actual orders.",
    ),
    "clv_diagnostics": ("模型诊断（细分：{segment}）", "Model diagnostics (segment {segment})"),
    "clv_diagnostics_director_only": (
        "模型诊断是细分（全公司）口径，仅总监可见。",
        "Model diagnostics are segment-wide (company-wide) figures, visible to directors only.",
    ),
    "clv_verdict_fits": ("模型拟合良好：留出期误差 {error}%", "Model fits: holdout error {error} %"),
    "clv_verdict_check": ("请检查模型：留出期误差 {error}%", "Check the model: holdout error {error} %"),
    "clv_diagnostics_period": (
        "{refit} 的拟合，对照 {refit} 至 {end} 的实际购买",
        "Fit of {refit} against the actual purchases from {refit} to {end}",
    ),
    "clv_expected": ("模型预期", "Expected"),
    "clv_actual": ("实际", "Actual"),
    "clv_calibration_holdout_chart": (
        "按校准期复购次数：每位客户留出期平均购买次数",
        "Holdout purchases per customer by calibration repeat purchases",
    ),
    "clv_tracking_chart": ("累计复购次数：预期 vs 实际", "Cumulative repeat purchases: expected vs actual"),
    "clv_frequency_class": ("校准期复购次数", "Calibration repeat purchases"),
    "clv_period_end": ("月末", "Month end"),
    "clv_best_model": (
        "留出期表现最好的模型：{model}（按复购次数分组误差 {error}%）",
        "Best holdout fit: {model} (error by frequency class {error} %)",
    ),
    # products
    "products_title": ("产品", "Products"),
    "products_director_only": (
        "产品维度的指标是全公司口径，仅总监可见。",
        "Product indicators are company-wide figures, visible to directors only.",
    ),
    "stage_introduction": ("导入期", "Introduction"),
    "stage_growth": ("成长期", "Growth"),
    "stage_maturity": ("成熟期", "Maturity"),
    "stage_decline": ("衰退期", "Decline"),
    "yes": ("是", "Yes"),
    "no": ("否", "No"),
    # data quality
    "dq_title": ("数据质量", "Data quality"),
    "dq_results": ("最近一次构建的检查结果", "Checks of the last build"),
    "dq_rejected": ("被拒绝的记录（按表和规则）", "Rejected rows by table and rule"),
    "dq_not_available": (
        "数据质量结果表（{table}）尚未提供：数据质量检查上线后这里会显示结果。",
        "The data-quality table ({table}) is not available yet: it appears here once the data-quality checks ship.",
    ),
    "dq_row_accounting": (
        "行数核对（落地 = 入库 + 软删除 + 拒绝）",
        "Row accounting (landed = staged + soft-deleted + rejected)",
    ),
    "dq_freshness": ("数据新鲜度", "Freshness"),
    "dq_published_at": ("仓库文件发布时间", "Warehouse file published at"),
    "dq_as_of": ("业务数据截至", "Business data as of"),
    "dq_latest_period": ("最新周期", "Latest period"),
    "dq_summary_only": (
        "明细仅总监可见；这里只显示汇总。",
        "Details are visible to directors only; this is the summary.",
    ),
    "dq_rows": ("行数", "Rows"),
    "dq_status_counts": ("结果汇总", "Results by status"),
    # sessions and errors (issue 15)
    "login_locked_seconds": (
        "登录尝试过多，请 {seconds} 秒后再试。",
        "Too many failed logins: try again in {seconds} s.",
    ),
    "login_locked_minutes": (
        "登录失败次数过多，账号或设备已被暂时锁定，请 {minutes} 分钟后再试。",
        "Too many failed logins: locked for now, try again in {minutes} min.",
    ),
    "not_configured": (
        "看板尚未配置好（生产模式缺少 Cookie 密钥），暂不提供服务。管理员：请设置环境变量 "
        "SALESPERF_DASHBOARD_COOKIE_KEY（至少 32 个字符）后重启。",
        "The dashboard is not configured (production mode without a cookie key) and does not serve. "
        "Administrators: set SALESPERF_DASHBOARD_COOKIE_KEY (at least 32 characters) and restart.",
    ),
    "internal_error": (
        "出现了一个内部错误，请刷新页面或稍后再试；如果问题持续，请把下面的编号告诉管理员。",
        "Something went wrong; reload the page or try again later. If it persists, tell an administrator "
        "the number below.",
    ),
    # scope (issue 15): an id asked for in the URL that the user may not see
    "not_in_scope_rep": (
        "无权查看：所请求的销售代表不在你的访问范围内，下面显示的是你范围内的一位代表。",
        "Not in your scope: the requested rep is not one you may see; showing one of yours instead.",
    ),
    "not_in_scope_team": (
        "无权查看：所请求的团队不在你的访问范围内，已显示你范围内的全部团队。",
        "Not in your scope: the requested team is not one you may see; showing all of your teams instead.",
    ),
    "not_in_scope_customer": (
        "无权查看：所请求的客户不在你的访问范围内。",
        "Not in your scope: the requested customer is not one you may see.",
    ),
    "not_in_selection_rep": (
        "该销售代表在所选周期或筛选条件下不在你的团队中（无权查看该周期的数据），下面显示的是另一位代表。",
        "This rep was not in your teams in the selected period or filter (not in your scope for it); "
        "showing another rep.",
    ),
    "not_in_selection_team": (
        "该团队不在当前区域筛选中，已显示全部团队。",
        "This team is not in the selected region; showing all teams.",
    ),
    "not_in_selection_customer": (
        "该客户不在当前周期或筛选条件的列表中。",
        "This customer is not in the list of the selected period or filter.",
    ),
    # formats and exports (issue 15)
    "download_xlsx": ("下载 Excel", "Download Excel"),
    "choose_option": ("请选择", "Choose"),
    # raw column names shown as table headers (CLV snapshots, data quality)
    "col_as_of_date": ("截至日期", "As of"),
    "col_snapshot_date": ("快照日期", "Snapshot date"),
    "col_frequency": ("复购次数", "Repeat purchases"),
    "col_recency": ("末次复购时点（周）", "Recency (weeks)"),
    "col_age": ("客户年龄（周）", "Customer age (weeks)"),
    "col_t": ("观察期（周）", "Observation period (weeks)"),
    "col_days_since_last_purchase": ("距上次购买天数", "Days since last purchase"),
    "col_expected_purchases": ("预期购买次数", "Expected purchases"),
    "col_expected_margin_per_purchase": ("预期单次毛利", "Expected margin per purchase"),
    "col_expected_margin_per_order": ("预期单笔毛利", "Expected margin per order"),
    "col_annual_purchase": ("年均采购额", "Annual purchase"),
    "col_expected_relationship_years": ("预期合作年限", "Expected relationship years"),
    "col_gross_margin_rate": ("毛利率", "Gross margin rate"),
    "col_maintenance_cost": ("维护成本", "Maintenance cost"),
    "col_clv_tier": ("CLV 分层", "CLV tier"),
    "col_check_id": ("检查编号", "Check id"),
    "col_check_name": ("检查名称", "Check"),
    "col_check_type": ("检查类型", "Check type"),
    "col_layer": ("数据层", "Layer"),
    "col_object_name": ("检查对象", "Object"),
    "col_failing_rows": ("不通过行数", "Failing rows"),
    "col_message": ("说明", "Message"),
    "col_checked_at": ("检查时间", "Checked at"),
    "col_row_key": ("行键", "Row key"),
    "col_raw_row": ("原始记录", "Raw row"),
    "col_built_at": ("构建时间", "Built at"),
    "col_table_name": ("表", "Table"),
    "col_model_name": ("模型", "Model"),
    "col_rule_name": ("规则", "Rule"),
    # code values shown in tables (column name + "_" + value)
    "grain_company": ("公司", "Company"),
    "grain_team": ("团队", "Team"),
    "grain_rep": ("销售代表", "Rep"),
    "grain_customer": ("客户", "Customer"),
    "grain_product": ("产品", "Product"),
    "status_pass": ("通过", "Pass"),
    "status_warn": ("警告", "Warning"),
    "status_fail": ("不通过", "Fail"),
    "status_error": ("出错", "Error"),
    "status_skipped": ("跳过", "Skipped"),
    "severity_error": ("错误（阻断发布）", "Error (blocks publishing)"),
    "severity_warn": ("警告", "Warning"),
    "check_type_dbt_test": ("dbt 数据测试", "dbt data test"),
    "check_type_dbt_unit_test": ("dbt 单元测试", "dbt unit test"),
    "check_type_gx_expectation": ("Great Expectations 校验", "Great Expectations check"),
    "check_type_freshness": ("新鲜度", "Freshness"),
    "layer_landing": ("落地层", "Landing"),
    "layer_seeds": ("参考数据", "Seeds"),
    "layer_staging": ("清洗层", "Staging"),
    "layer_intermediate": ("中间层", "Intermediate"),
    "layer_marts": ("数据集市", "Marts"),
    "layer_reports": ("报表层", "Reports"),
    "clv_tier_high": ("高", "High"),
    "clv_tier_medium": ("中", "Medium"),
    "clv_tier_low": ("低", "Low"),
    "role_direct": ("直销", "Direct"),
    "role_key_account": ("大客户", "Key account"),
    "role_ecommerce": ("电商", "E-commerce"),
}

# Table columns whose values are codes shown through TEXT keys "<column>_<value>" (ui.table).
CODE_COLUMNS = ("grain", "status", "severity", "check_type", "layer", "clv_tier", "role")

DIMENSIONS = ("results", "process", "capability", "collaboration", "customer_value", "product_lifecycle")
PERIOD_TYPES = ("month", "quarter", "year", "fiscal_year")
REP_ROLES = ("direct", "key_account", "ecommerce")


def detect_language(locale: str | None) -> str:
    """The dashboard language for a browser locale such as ``zh-CN`` or ``en-US``."""
    return "zh" if (locale or "").lower().startswith("zh") else "en"


def use_currency(code: str) -> None:
    """Show amounts in ``code``, the base currency of the published warehouse (warehouse_settings)."""
    global CURRENCY_SYMBOL
    code = (code or "CNY").upper()
    CURRENCY_SYMBOL = CURRENCY_SYMBOLS.get(code, code + " ")
    name_zh = CURRENCY_NAMES_ZH.get(code, code)
    TEXT["col_unit_money"] = (f"（万{name_zh}）", f" ({code})")
    TEXT["chart_unit_money"] = (f"单位：万{name_zh}", code)


def t(key: str, lang: str, **values: Any) -> str:
    zh, en = TEXT[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


def code_text(column: str, value: Any, lang: str) -> Any:
    """A code of a table column in words (``grain`` ``rep`` → 销售代表 / Rep); other values as they are."""
    if is_missing(value):
        return None
    key = f"{column}_{value}"
    return t(key, lang) if key in TEXT else value


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def _scaled(value: float, lang: str) -> tuple[float, str, int]:
    """Divisor-applied value, suffix and decimals for a large amount."""
    size = abs(value)
    if lang == "zh":
        if size >= 1e8:
            return value / 1e8, "亿", 2
        if size >= 1e4:
            return value / 1e4, "万", 1
        return value, "", 0
    if size >= 1e9:
        return value / 1e9, "B", 2
    if size >= 1e6:
        return value / 1e6, "M", 2
    if size >= 1e3:
        return value / 1e3, "K", 1
    return value, "", 0


def format_amount(value: float, lang: str, symbol: str = "") -> str:
    scaled, suffix, decimals = _scaled(float(value), lang)
    sign = "-" if scaled < 0 else ""
    return f"{sign}{symbol}{abs(scaled):,.{decimals}f}{suffix}"


def format_value(value: Any, unit: str | None, lang: str) -> str:
    """A figure as a manager reads it: ¥1,234.5万 / ¥12.35M, 87.3%, 12.4 天 / 12.4 days."""
    if is_missing(value):
        return "—"
    v = float(value)
    if unit == "currency":
        return format_amount(v, lang, CURRENCY_SYMBOL)
    if unit == "ratio":
        return f"{v * 100:.1f}%"
    if unit == "count":
        return format_amount(v, lang) if abs(v) >= 1e4 else f"{v:,.0f}"
    if unit == "flag":
        return t("yes", lang) if v >= 0.5 else t("no", lang)
    if unit == "days":
        return f"{v:,.1f} 天" if lang == "zh" else f"{v:,.1f} days"
    if unit == "hours":
        return f"{v:,.1f} 小时" if lang == "zh" else f"{v:,.1f} h"
    if unit == "years":
        return f"{v:,.1f} 年" if lang == "zh" else f"{v:,.1f} yrs"
    return f"{v:,.1f}"  # score, index and anything new


def format_delta(current: Any, base: Any, unit: str | None, lang: str) -> str | None:
    """Change from a base period: relative for amounts and counts, points for rates and scores."""
    if is_missing(current) or is_missing(base):
        return None
    cur, ref = float(current), float(base)
    if unit in ("currency", "count"):
        if ref == 0:
            return None
        return f"{(cur - ref) / abs(ref) * 100:+.1f}%"
    if unit == "ratio":
        points = (cur - ref) * 100
        return f"{points:+.1f} 个百分点" if lang == "zh" else f"{points:+.1f} pp"
    if unit == "flag":
        return f"{cur - ref:+.0f}"
    return f"{cur - ref:+,.1f}"


def _day(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def span_label(start: Any, end: Any, lang: str) -> str:
    """Days compared with: "1–15 Oct 2025" / "2025-10-01~10-15" (years shown when they differ)."""
    a, b = _day(start), _day(end)
    if lang == "zh":
        return f"{a:%Y-%m-%d}~{b:%m-%d}" if a.year == b.year else f"{a:%Y-%m-%d}~{b:%Y-%m-%d}"
    if a.year != b.year:
        return f"{a.day} {a:%b %Y}–{b.day} {b:%b %Y}"
    if a.month != b.month:
        return f"{a.day} {a:%b}–{b.day} {b:%b %Y}"
    return f"{a.day}–{b.day} {b:%b %Y}"


def attainment_band(attainment: Any) -> str:
    """Band key of a target attainment: on_track ≥ 1, close ≥ 0.8, behind below, none without target."""
    if is_missing(attainment):
        return "none"
    value = float(attainment)
    if value >= 1:
        return "on_track"
    if value >= 0.8:
        return "close"
    return "behind"


def money_table_scale(lang: str) -> float:
    """Divisor for money columns in tables: 万元 in Chinese, plain CNY in English."""
    return 1e4 if lang == "zh" else 1.0


class Catalog:
    """Indicator names, units, directions and definitions from the catalog seed, per language."""

    def __init__(self, rows: list[Mapping[str, Any]], lang: str) -> None:
        self.lang = lang
        self._rows = {row["indicator_code"]: dict(row) for row in rows}

    def __contains__(self, code: str) -> bool:
        return code in self._rows

    @property
    def codes(self) -> list[str]:
        return list(self._rows)

    def name(self, code: str) -> str:
        row = self._rows.get(code)
        if row is None:
            return code
        return str(row["name_zh"] if self.lang == "zh" else row["name_en"])

    def unit(self, code: str) -> str | None:
        row = self._rows.get(code)
        return None if row is None else row.get("unit")

    def direction(self, code: str) -> str:
        row = self._rows.get(code)
        return "higher_is_better" if row is None else str(row.get("direction") or "higher_is_better")

    def dimension(self, code: str) -> str | None:
        row = self._rows.get(code)
        return None if row is None else row.get("dimension")

    def definition(self, code: str) -> str:
        """The hover definition in the catalog's language: Chinese from definitions_zh (the catalog
        seed's ``definition`` is English), English from the seed."""
        row = self._rows.get(code)
        if row is None:
            return ""
        if self.lang == "zh":
            from dashboard.definitions_zh import DEFINITIONS_ZH

            if code in DEFINITIONS_ZH:
                return DEFINITIONS_ZH[code]
        return str(row.get("definition") or "")

    def in_dimension(self, dimension: str) -> list[str]:
        return [code for code, row in self._rows.items() if row.get("dimension") == dimension]

    def format(self, code: str, value: Any) -> str:
        return format_value(value, self.unit(code), self.lang)

    def delta_color(self, code: str) -> str:
        """st.metric delta colour: a rise is good unless lower is better."""
        return "inverse" if self.direction(code) == "lower_is_better" else "normal"


# Performance scorecard (issue 14; dashboard/app_pages/scorecard_views.py).
TEXT.update(
    {
        "sc_title": ("绩效计分卡", "Performance scorecard"),
        "sc_not_built": (
            "计分卡尚未构建（缺少 rpt_scorecard_summary）。",
            "The scorecard is not built yet (no rpt_scorecard_summary).",
        ),
        "sc_composite": ("综合得分", "Composite score"),
        "sc_composite_help": (
            "60 = 基础目标，80 = 挑战目标，100 = 理想目标；按权重加权。",
            "60 = base tier, 80 = challenge, 100 = ideal; weighted by the scorecard.",
        ),
        "sc_rank": ("同组排名", "Peer rank"),
        "sc_perspective_financial": ("财务", "Financial"),
        "sc_perspective_customer": ("客户", "Customer"),
        "sc_perspective_internal_process": ("内部流程", "Internal process"),
        "sc_perspective_learning_growth": ("学习与成长", "Learning and growth"),
        "sc_vetoed": ("一票否决，综合得分为 0：{reason}", "Compliance veto, composite set to 0: {reason}"),
        "sc_tier_ideal": ("理想", "Ideal"),
        "sc_tier_challenge": ("挑战", "Challenge"),
        "sc_tier_base": ("基础", "Base"),
        "sc_tier_none": ("未达基础", "Below base"),
        "sc_pacing": ("目标进度", "Target pacing"),
        "sc_status_ahead": ("超前", "Ahead"),
        "sc_status_on_track": ("正常", "On track"),
        "sc_status_behind": ("落后", "Behind"),
        "sc_team_ranking": ("团队综合得分排名", "Teams ranked by composite score"),
        "sc_pip_title": ("绩效改进计划名单", "Improvement-plan list"),
        "sc_pip_none": ("本期没有需要改进计划的销售。", "No rep is flagged for an improvement plan in this period."),
        "sc_flag_below_base_composite": ("综合得分连续低于基础", "Composite below base"),
        "sc_flag_below_base_results": ("结果指标连续低于基础", "Results below base"),
        "sc_flag_compliance_veto": ("合规一票否决", "Compliance veto"),
        "sc_flag_customer_concentration": ("客户集中度过高", "Customer concentration"),
        "sc_flag_churn_risk_exposure": ("高价值客户流失风险", "High-value churn risk"),
        "sc_col_indicator": ("指标", "Indicator"),
        "sc_col_perspective": ("维度", "Perspective"),
        "sc_col_value": ("实际值", "Value"),
        "sc_col_base": ("基础目标", "Base"),
        "sc_col_challenge": ("挑战目标", "Challenge"),
        "sc_col_ideal": ("理想目标", "Ideal"),
        "sc_col_tier": ("达成档位", "Tier reached"),
        "sc_col_score": ("得分", "Score"),
        "sc_col_weight": ("权重", "Weight"),
        "sc_col_target": ("全期目标", "Full-period target"),
        "sc_col_value_to_date": ("至今完成", "Value to date"),
        "sc_col_elapsed": ("时间进度", "Time elapsed"),
        "sc_col_attainment": ("业绩进度", "Attainment to date"),
        "sc_col_gap": ("进度差", "Pace gap"),
        "sc_col_required": ("每日所需", "Needed per day"),
        "sc_col_projected": ("预计完成", "Projected landing"),
        "sc_col_status": ("状态", "Status"),
        "sc_col_team": ("团队", "Team"),
        "sc_col_change": ("环比变化", "Change"),
        "sc_col_veto": ("一票否决", "Veto"),
        "sc_col_rep": ("销售代表", "Rep"),
        "sc_col_rep_id": ("代表编号", "Rep id"),
        "sc_col_team_id": ("团队编号", "Team id"),
        "sc_col_flag_code": ("标记代码", "Flag code"),
        "sc_col_flag": ("标记", "Flag"),
        "sc_col_reason": ("原因", "Reason"),
        "sc_col_drags": ("拖累指标", "Indicators dragging the score"),
        "sc_col_consecutive": ("连续期数", "Periods in a row"),
    }
)


# Manager dashboard v2 (issue 15 items 1-4): the scope, pacing cards, the action list, drill-downs.
TEXT.update(
    {
        # the scope (item 1)
        "scope_teams": ("我的 {count} 个团队：{names}", "My {count} teams: {names}"),
        "scope_side_by_side": (
            "各团队对比（合计与全公司基准）",
            "Teams side by side, combined, and the company benchmark",
        ),
        "scope_sorted": (
            "按目标差距排序（业绩进度 − 时间进度，落后最多的在前）；全公司为基准（非总监只显示比率）。",
            "Sorted by the gap to target (attainment − time elapsed, most behind first); the company is the "
            "benchmark (ratios only for non-directors).",
        ),
        "scope_combined": ("合计（我的范围）", "Combined (my scope)"),
        "scope_company_benchmark": ("全公司（基准）", "Company (benchmark)"),
        "scope_kind_team": ("团队", "Team"),
        "scope_kind_combined": ("合计", "Combined"),
        "scope_kind_company": ("基准", "Benchmark"),
        "col_scope_entity": ("范围", "Scope"),
        "col_scope_kind": ("类型", "Kind"),
        "col_value_to_date": ("至今销售额", "Sales to date"),
        "col_full_target": ("全期目标", "Full-period target"),
        "col_attainment_progress": ("业绩进度", "Attainment"),
        "col_time_progress": ("时间进度", "Time elapsed"),
        "col_pace_gap": ("目标差距", "Gap to target"),
        "col_gap_amount": ("距全期目标", "Short of full target"),
        "col_required_daily": ("每日所需", "Needed per day"),
        "col_pace_status": ("进度状态", "Pace"),
        "scope_drill_hint": ("点击团队查看详情：", "Open a team:"),
        # pacing cards (item 3)
        "pace_title": ("目标进度", "Progress to target"),
        "pace_none": ("本期没有销售目标，无法计算进度。", "No sales target in this period: no progress to show."),
        "pace_full_target": ("全期销售目标", "Full-period sales target"),
        "pace_full_target_help": (
            "整个周期（不只是截至今天）的销售目标",
            "The sales target of the whole period (not only up to today)",
        ),
        "pace_to_date": ("至今完成 {value}", "{value} to date"),
        "pace_attainment": ("业绩进度", "Attainment to date"),
        "pace_attainment_help": (
            "至今销售额 ÷ 全期目标",
            "Sales to date ÷ full-period target",
        ),
        "pace_elapsed": ("时间进度", "Time elapsed"),
        "pace_elapsed_help": ("本期已过去的天数占全期天数的比例", "Share of the period's days that have passed"),
        "pace_gap": ("目标差距（百分点）", "Gap to target (pp)"),
        "pace_gap_help": (
            "业绩进度 − 时间进度：负数表示落后于进度",
            "Attainment to date − time elapsed: below zero is behind pace",
        ),
        "pace_required": ("剩余每日需完成 {value}", "{value} needed per remaining day"),
        "pace_required_none": ("本期已结束或目标已完成", "Period over or target reached"),
        # headline row and the rest (item 3)
        "headline_title": ("核心指标", "Headline indicators"),
        "headline_caption": (
            "按你的岗位计分卡权重最高的指标（scorecard_weights）；其余指标见下方“全部指标”。",
            "The indicators with the highest weights on your role's scorecard (scorecard_weights); the rest "
            "under “All indicators” below.",
        ),
        "all_indicators": ("全部指标", "All indicators"),
        "glance_intro": (
            "各维度：较上期改善的指标数 / 可与上期比较的指标数",
            "Per dimension: indicators improved on the previous period / indicators comparable with it",
        ),
        "glance_value": ("{better}/{compared} 项改善", "{better} of {compared} improved"),
        "glance_words": (
            "可与上期比较的 {compared} 项指标中有 {better} 项改善（有数据 {with_data} 项，该维度共 {total} 项）",
            "{better} of the {compared} indicators comparable with the previous period improved ({with_data} with "
            "data, {total} in this dimension)",
        ),
        # the action list (item 2)
        "act_title": ("今日待办", "What needs action"),
        "act_none": ("你的范围内暂时没有需要处理的事项。", "Nothing in your scope needs action right now."),
        "act_caption": (
            "共 {count} 项；点击一行打开解释它的页面。",
            "{count} items; open a row to see the page that explains it.",
        ),
        "act_kind_behind_pace": ("进度落后", "Behind pace"),
        "act_kind_churn_risk": ("高价值客户新出现流失风险", "High-value customers newly at churn risk"),
        "act_kind_improvement": ("改进计划候选", "Improvement-plan candidates"),
        "act_kind_concentration": ("客户集中度预警", "Concentration warnings"),
        "act_kind_overdue": ("逾期回款", "Overdue collections"),
        "act_kind_data_quality": ("影响数字的数据质量问题", "Data-quality findings that change a figure"),
        "act_more": ("另外 {count} 项", "{count} more"),
        "act_behind": (
            "{name} · {indicator}：业绩进度 {attainment}，时间进度 {elapsed}（差距 {gap}）",
            "{name} · {indicator}: {attainment} attained with {elapsed} of the period gone ({gap})",
        ),
        "act_churn": (
            "{name}（价值等级：{tier}，预测 CLV {clv}）：存活概率 {p_alive}，{days} 天未购买",
            "{name} (value tier {tier}, predicted CLV {clv}): P(alive) {p_alive}, {days} days since the last purchase",
        ),
        "act_improvement": ("{name}：{flag}（连续 {periods} 期）", "{name}: {flag} ({periods} periods in a row)"),
        "act_flag_other": ("其他标记", "other flag"),
        "act_concentration": (
            "{name}：最大客户 {customer} 占其销售额 {share}",
            "{name}: largest customer {customer} gives {share} of the sales",
        ),
        "act_largest_customer": ("（未能确定）", "(not determined)"),
        "act_overdue": (
            "{name}：{invoices} 张发票逾期未收 {amount}，最长逾期 {days} 天",
            "{name}: {invoices} invoices overdue, {amount} outstanding, the oldest {days} days",
        ),
        "act_dq_rejected": (
            "{count} 行落地数据被隔离（严重级别：错误），相关数字缺失",
            "{count} landing rows quarantined with severity error: their figures are missing",
        ),
        "act_dq_check": (
            "{count} 项数据检查警告：部分指标或拆分数字不完整",
            "{count} data checks warn: some indicators or breakdowns are incomplete",
        ),
        "act_dq_stale": (
            "{count} 个数据源已过期（最新数据 {newest}）：近期数字可能不完整",
            "{count} extracts are stale (newest row {newest}): recent figures may be incomplete",
        ),
        # drill-down rep → customer → orders (item 4)
        "rep_open_customer": ("打开客户", "Open customer"),
        "rep_open_customer_hint": (
            "选择一位客户查看其订单与商机历史：",
            "Pick a customer to see their order and opportunity history:",
        ),
        "customer_monthly_sales": ("月度销售额（无销售的月份为 0）", "Monthly sales (0 in months without sales)"),
        "customer_orders": ("订单历史", "Order history"),
        "customer_opportunities": ("商机历史", "Opportunity history"),
        "col_order_id": ("订单号", "Order"),
        "col_order_date": ("下单日期", "Order date"),
        "col_order_type": ("订单类型", "Order type"),
        "col_lines": ("行数", "Lines"),
        "col_net_sales": ("净销售额", "Net sales"),
        "col_gross_profit": ("毛利", "Gross profit"),
        "col_opportunity_id": ("商机编号", "Opportunity"),
        "col_created_date": ("创建日期", "Created"),
        "col_expected_close_date": ("预计成交日期", "Expected close"),
        "col_closed_date": ("关闭日期", "Closed"),
        "col_stage": ("阶段", "Stage"),
        "col_opportunity_status": ("结果", "Outcome"),
        "col_forecast_amount": ("预测金额", "Forecast amount"),
        "col_won_amount": ("成交金额", "Won amount"),
        "col_rep_name": ("销售代表", "Rep"),
        "order_type_sale": ("销售", "Sale"),
        "order_type_return": ("退货", "Return"),
        "stage_qualification": ("线索确认", "Qualification"),
        "stage_needs_analysis": ("需求分析", "Needs analysis"),
        "stage_proposal": ("方案报价", "Proposal"),
        "stage_negotiation": ("商务谈判", "Negotiation"),
        "stage_closed": ("已关闭", "Closed"),
        "opportunity_status_open": ("进行中", "Open"),
        "opportunity_status_won": ("赢单", "Won"),
        "opportunity_status_lost": ("输单", "Lost"),
        "team_trend_target": ("{indicator}与目标（近 12 期）", "{indicator} and its target (last 12 periods)"),
        "series_actual": ("实际", "Actual"),
        "series_target": ("目标", "Target"),
    }
)
