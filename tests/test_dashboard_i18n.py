"""Chinese and number formats of the dashboard (issue 15, items 7 and 8).

Every page of every role is rendered in Chinese (AppTest) and every visible string is checked: no
raw code or column name as a label, no ``None`` in a cell, no untranslated English label, hover
definitions in Chinese, the select placeholder translated. Formats: one rule per unit and
language; CSV and Excel exports in full precision without float noise.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

pytest.register_assert_rewrite("dashboard_fixtures")
from dashboard_fixtures import app_test  # noqa: E402

from dashboard import i18n, ui  # noqa: E402
from dashboard.definitions_zh import DEFINITIONS_ZH  # noqa: E402

pytest_plugins = ["dashboard_fixtures"]

ROLE_PAGES = {
    "director": ("overview", "teams", "rep", "customers", "products", "data_quality"),
    "manager_east": ("overview", "teams", "rep", "customers", "data_quality"),
    "rep_demo": ("overview", "rep", "customers", "data_quality"),
}
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
CJK = re.compile(r"[\u4e00-\u9fff]")
RAW_CODES = {
    column: {key.removeprefix(f"{column}_") for key in i18n.TEXT if key.startswith(f"{column}_")}
    for column in i18n.CODE_COLUMNS
}


def catalog(warehouse: Path) -> pd.DataFrame:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select indicator_code, name_zh, name_en from reference.indicator_catalog").df()
    finally:
        con.close()


def english_labels(warehouse: Path) -> set[str]:
    """English texts that have a different Chinese text: none of them may show in Chinese."""
    labels = {en for zh, en in i18n.TEXT.values() if zh != en and not CJK.search(en)}
    names = catalog(warehouse)
    labels |= {en for zh, en in zip(names["name_zh"], names["name_en"], strict=True) if zh != en}
    return {label for label in labels if len(label) > 2}


def label_texts(at) -> list[tuple[str, str]]:
    """(where, text) of every label-like string of a run: headers, captions, messages, widget labels
    and options, metric labels and values, tab labels, table column labels."""
    found: list[tuple[str, str]] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        found += [(kind, str(element.value)) for element in getattr(at, kind)]
    for metric in at.metric:
        found += [("metric label", metric.label), ("metric value", metric.value)]
    for box in at.selectbox:
        found += [("select label", box.label)] + [("select option", str(option)) for option in box.options]
    for box in at.multiselect:
        found += [("multiselect label", box.label)] + [("multiselect option", str(o)) for o in box.options]
    found += [("button", button.label) for button in at.button]
    found += [("tab", tab.label) for tab in at.tabs]
    for frame in at.dataframe:
        config = json.loads(frame.proto.columns or "{}")
        for column, settings in config.items():
            if settings.get("hidden"):
                continue
            found.append((f"column label of {column}", str(settings.get("label", column))))
    return found


def check_page(at, english: set[str], where: str) -> list[str]:
    problems: list[str] = []
    for kind, text in label_texts(at):
        text = text.strip()
        if not text:
            continue
        if text in english:
            problems.append(f"{where}: English {kind} {text!r}")
        if SNAKE.match(text) and kind not in ("markdown", "caption"):
            problems.append(f"{where}: raw code as {kind} {text!r}")
        if text in ("None", "nan", "NaN", "Choose an option"):
            problems.append(f"{where}: {text!r} as {kind}")
    for frame in at.dataframe:
        shown = frame.value
        config = json.loads(frame.proto.columns or "{}")
        for column in shown.columns:
            if config.get(str(column), {}).get("hidden"):
                continue
            values = shown[column]
            if values.dtype == object:
                bad = {v for v in values if isinstance(v, str) and v in ("None", "nan", "NaN")}
                if bad:
                    problems.append(f"{where}: {bad} in cells of {column}")
            if column in RAW_CODES:
                raw = {v for v in values.dropna() if v in RAW_CODES[column]}
                if raw:
                    problems.append(f"{where}: raw codes {raw} in column {column}")
        assert frame.proto.placeholder == "—", where  # missing values show as "—", not None
    for metric in at.metric:
        if metric.help and not CJK.search(metric.help):
            problems.append(f"{where}: English hover definition of {metric.label!r}")
    for box in [*at.selectbox, *at.multiselect]:
        if box.proto.placeholder != "请选择":  # empty = Streamlit's "Choose an option"
            problems.append(f"{where}: placeholder {box.proto.placeholder!r}")
    return problems


@pytest.mark.parametrize("username", list(ROLE_PAGES))
def test_every_page_in_chinese_shows_no_raw_code_none_or_english_label(dashboard_env: Path, username: str) -> None:
    english = english_labels(dashboard_env)
    at = app_test(username, {"lang": "zh"}).run()
    problems: list[str] = []
    for page in ROLE_PAGES[username]:
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        problems += check_page(at, english, f"{username}/{page}")
    if username == "director":  # a team's detail and the quarter view as well
        at.switch_page("app_pages/teams.py").run()
        at.button(key="drill_team_T001").click().run()
        problems += check_page(at, english, "director/team T001")
    assert not problems, "\n".join(problems)


def test_the_checks_find_what_they_look_for(dashboard_env: Path) -> None:
    """The page check is not vacuous: English labels are found in the English UI."""
    english = english_labels(dashboard_env)
    at = app_test("director", {"lang": "en"}).run()
    assert any("English" in problem for problem in check_page(at, english, "en"))


def test_every_catalog_indicator_has_a_chinese_definition(dashboard_env: Path) -> None:
    codes = set(catalog(dashboard_env)["indicator_code"])
    assert codes <= set(DEFINITIONS_ZH), sorted(codes - set(DEFINITIONS_ZH))
    assert all(CJK.search(text) for text in DEFINITIONS_ZH.values())


def test_code_values_and_column_names_in_both_languages() -> None:
    for column, codes in RAW_CODES.items():
        for code in codes:
            assert i18n.code_text(column, code, "zh") != code
            assert CJK.search(i18n.code_text(column, code, "zh"))
    assert i18n.code_text("grain", "rep", "zh") == "销售代表"
    assert i18n.code_text("grain", "rep", "en") == "Rep"
    assert i18n.code_text("grain", None, "zh") is None
    assert i18n.code_text("segment", "B2B", "zh") == "B2B"  # not a code column: as it is
    for name in ("as_of_date", "recency", "expected_purchases", "check_type", "layer"):
        zh, en = i18n.TEXT[f"col_{name}"]
        assert CJK.search(zh) and not SNAKE.match(en)


# ------------------------------------------------------------------------------------------------
# Formats and exports
# ------------------------------------------------------------------------------------------------


def test_one_format_per_unit_and_language() -> None:
    # ratios: one decimal everywhere (cards and tables: format="percent" with step 0.001)
    assert i18n.format_value(0.85612, "ratio", "zh") == "85.6%" == i18n.format_value(0.85612, "ratio", "en")
    assert i18n.format_value(0.79, "ratio", "en") == "79.0%"
    # money in tables: 万 with one decimal (zh), whole units with separators (en), never 3 decimals
    assert ui.MONEY_FORMAT == {"zh": "%,.1f", "en": "%,.0f"}
    assert i18n.money_table_scale("zh") == 1e4 and i18n.money_table_scale("en") == 1
    assert i18n.format_value(868_374.466, "currency", "en") == "¥868.4K"
    assert i18n.format_value(868_374.466, "currency", "zh") == "¥86.8万"


def test_csv_keeps_full_precision_without_float_noise() -> None:
    frame = pd.DataFrame(
        {"客户": ["甲", "乙", "丙"], "销售额": [120112.68000000001, 0.1 + 0.2, 1234567.891234], "笔数": [1, 2, 3]}
    )
    text = ui.csv_bytes(frame).decode("utf-8-sig")
    assert text.splitlines() == ["客户,销售额,笔数", "甲,120112.68,1", "乙,0.3,2", "丙,1234567.891234,3"]
    assert "0000000" not in text


def test_xlsx_export_has_the_same_table() -> None:
    frame = pd.DataFrame({"客户": ["甲", "乙"], "销售额": [120112.68000000001, None], "达成率": [0.8561, 1.25]})
    book = openpyxl.load_workbook(io.BytesIO(ui.xlsx_bytes(frame)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows == [("客户", "销售额", "达成率"), ("甲", 120112.68, 0.8561), ("乙", None, 1.25)]


def test_pages_offer_csv_and_excel_downloads(dashboard_env: Path) -> None:
    at = app_test("manager_east", {"lang": "zh"}).run()
    at.switch_page("app_pages/customers.py").run()
    buttons = at.get("download_button")
    labels = [button.proto.label for button in buttons]
    assert "下载 CSV" in labels and "下载 Excel" in labels
    assert labels.count("下载 CSV") == labels.count("下载 Excel")
