"""Alerts and digests (salesperf/alerts): rules, scope, languages, delivery to a local SMTP sink
and a local webhook endpoint, signatures, the alert of a failed build.

The fast tests run on a small hand-made warehouse with the columns the rules read (the pacing
and improvement-plan marts with exactly their published columns); the slow one on the demo build.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import duckdb
import pytest
import yaml
from alert_servers import HookServer, SMTPSink

from salesperf import settings as settings_mod
from salesperf.alerts import digest, rules
from salesperf.alerts.channels import dingtalk_sign, feishu_sign
from salesperf.alerts.scope import Principal

PROJECT_DIR = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 10, 20)

# Team T1 (华东一组, manager R1) with child team T3 (华东二组); team T2 (华南一组, manager R2).
TEAMS = [("T1", "华东一组", "R1", None), ("T2", "华南一组", "R2", None), ("T3", "华东二组", None, "T1")]
REPS = [("R1", "张三", "T1"), ("R2", "李四", "T2"), ("R3", "王五", "T3"), ("R4", "赵六", "T2")]
CUSTOMERS = [("C1", "甲公司", "R3"), ("C2", "乙公司", "R4"), ("C3", "丙公司", "R1"), ("C4", "丁公司", "R3")]
EAST = {"华东一组", "华东二组", "张三", "王五", "甲公司", "R3", "C1"}
SOUTH = {"华南一组", "李四", "赵六", "乙公司", "R2", "R4", "C2", "T2"}

PACING_COLUMNS = (
    "grain varchar, entity_id varchar, period_type varchar, period_start date, period_end date, as_of_date date, "
    "indicator_code varchar, target_full_period double, value_to_date double, time_elapsed_share double, "
    "attainment_to_date double, pace_gap double, required_daily_run_rate double, projected_value_run_rate double, "
    "status varchar"
)
FLAG_COLUMNS = (
    "rep_id varchar, team_id varchar, period_type varchar, period_start date, flag_code varchar, reason varchar, "
    "drag_indicators varchar, consecutive_periods integer"
)


def make_warehouse(path: Path, marts: bool = True) -> Path:
    """A published warehouse in miniature: hand-computed alerts for two teams' managers."""
    con = duckdb.connect(str(path))
    ex = con.execute
    ex("create schema reference")
    ex(
        "create table warehouse_settings as select 'CNY' as base_currency, date '2026-10-20' as as_of_date, "
        "0.30 as concentration_warning_threshold"
    )
    ex("create table dim_periods (period_type varchar, period_start date, period_end date, period_label varchar)")
    con.executemany(
        "insert into dim_periods values (?, ?, ?, ?)",
        [
            ("month", "2026-10-01", "2026-10-31", "2026-10"),
            ("month", "2026-09-01", "2026-09-30", "2026-09"),
            ("quarter", "2026-10-01", "2026-12-31", "2026-Q4"),
        ],
    )
    ex("create table dim_teams (team_id varchar, team_name varchar, manager_rep_id varchar, parent_team_id varchar)")
    ex("insert into dim_teams values (?, ?, ?, ?)", TEAMS[0])
    con.executemany("insert into dim_teams values (?, ?, ?, ?)", TEAMS[1:])
    ex("create table dim_sales_reps (rep_id varchar, rep_name varchar, current_team_id varchar)")
    con.executemany("insert into dim_sales_reps values (?, ?, ?)", REPS)
    ex("create table dim_rep_team_history as select rep_id, current_team_id as team_id from dim_sales_reps")
    ex("create table dim_customers (customer_id varchar, customer_name varchar, owner_rep_id varchar)")
    con.executemany("insert into dim_customers values (?, ?, ?)", CUSTOMERS)
    ex("create table reference.indicator_catalog (indicator_code varchar, name_zh varchar, name_en varchar)")
    ex("insert into reference.indicator_catalog values ('sales_amount', '销售额', 'Sales amount')")
    ex(
        "create table indicator_values (indicator_code varchar, grain varchar, entity_id varchar, "
        "period_type varchar, period_start date, value double, target_value double, attainment double, "
        "numerator double, denominator double)"
    )
    rows = [
        ("sales_amount", "company", "company", 1000.0, 2000.0, 0.5, None, None),
        ("sales_amount", "team", "T1", 300.0, 600.0, 0.5, None, None),
        ("sales_amount", "team", "T2", 500.0, 800.0, 0.625, None, None),
        ("sales_amount", "team", "T3", 200.0, 600.0, 1 / 3, None, None),
        ("sales_amount", "rep", "R4", 400.0, 500.0, 0.8, None, None),
        ("customer_concentration", "rep", "R3", 0.6, None, None, 120.0, 200.0),
        ("customer_concentration", "rep", "R4", 0.5, None, None, 200.0, 400.0),
        ("customer_concentration", "rep", "R1", 0.2, None, None, 20.0, 100.0),
    ]
    con.executemany(
        "insert into indicator_values values (?, ?, ?, 'month', '2026-10-01', ?, ?, ?, ?, ?)",
        rows,
    )
    ex("create table fct_order_lines (order_date date, rep_id varchar, customer_id varchar, net_sales double)")
    con.executemany(
        "insert into fct_order_lines values (?, ?, ?, ?)",
        [
            ("2026-10-05", "R3", "C1", 120.0),
            ("2026-10-06", "R3", "C4", 80.0),
            ("2026-10-07", "R4", "C2", 200.0),
            ("2026-10-08", "R4", "C2", 0.0),
            ("2026-09-08", "R4", "C2", 900.0),  # last month: not in this month's concentration
        ],
    )
    ex(
        "create table fct_invoices (invoice_id varchar, customer_id varchar, rep_id varchar, due_date date, "
        "amount double, amount_paid double, is_fully_paid boolean, fully_paid_date date)"
    )
    con.executemany(
        "insert into fct_invoices values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ("I1", "C1", "R3", "2026-09-30", 800.0, 300.0, False, None),  # R3: 500 outstanding, 20 days
            ("I2", "C2", "R4", "2026-08-31", 1000.0, 0.0, False, None),  # R4: 1000, 50 days
            ("I3", "C2", "R4", "2026-10-10", 100.0, 0.0, False, None),  # R4: 100, 10 days
            ("I4", "C3", "R1", "2026-09-01", 700.0, 700.0, True, "2026-09-05"),  # paid
            ("I5", "C3", "R1", "2026-10-30", 900.0, 0.0, False, None),  # not due yet
        ],
    )
    ex(
        "create table fct_customer_clv_snapshots (as_of_date date, customer_id varchar, owner_rep_id varchar, "
        "owner_team_id varchar, clv_tier varchar, churn_risk integer, p_alive double, clv_predicted double, "
        "days_since_last_purchase double)"
    )
    con.executemany(
        "insert into fct_customer_clv_snapshots values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ("2026-09-30", "C1", "R3", "T3", "high", 0, 0.9, 5000.0, 20.0),
            ("2026-09-30", "C2", "R4", "T2", "high", 0, 0.9, 6000.0, 20.0),
            ("2026-09-30", "C3", "R1", "T1", "high", 1, 0.4, 7000.0, 80.0),
            ("2026-10-20", "C1", "R3", "T3", "high", 1, 0.45, 5000.0, 90.0),  # new risk, east
            ("2026-10-20", "C2", "R4", "T2", "high", 1, 0.35, 6000.0, 95.0),  # new risk, south
            ("2026-10-20", "C3", "R1", "T1", "high", 1, 0.3, 7000.0, 100.0),  # at risk before: not new
            ("2026-10-20", "C4", "R3", "T3", "low", 1, 0.2, 100.0, 120.0),  # not high value
        ],
    )
    if marts:
        ex(f"create table rpt_target_pacing ({PACING_COLUMNS})")
        pacing = [
            ("company", "company", "2026-10-20", "sales_amount", 2e3, 1e3, 0.65, 0.5, -300.0, 91.0, 1550.0, "behind"),
            ("team", "T1", "2026-10-20", "sales_amount", 600.0, 300.0, 0.65, 0.5, -90.0, 27.3, 465.0, "behind"),
            ("team", "T2", "2026-10-20", "sales_amount", 800.0, 500.0, 0.65, 0.625, -20.0, 27.3, 775.0, "behind"),
            ("rep", "R3", "2026-10-20", "sales_amount", 100.0, 70.0, 0.65, 0.7, 5.0, 2.7, 108.0, "on_track"),
            ("rep", "R4", "2026-10-20", "sales_amount", 500.0, 400.0, 0.65, 0.8, 75.0, 9.1, 620.0, "ahead"),
            ("team", "T3", "2026-10-19", "sales_amount", 600.0, 100.0, 0.6, 0.16, -260.0, 41.7, 170.0, "behind"),
        ]  # fmt: skip
        con.executemany(
            "insert into rpt_target_pacing values "
            "(?, ?, 'month', '2026-10-01', '2026-10-31', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            pacing,
        )
        ex(f"create table rpt_improvement_flags ({FLAG_COLUMNS})")
        con.executemany(
            "insert into rpt_improvement_flags values (?, ?, 'month', ?, ?, ?, ?, ?)",
            [
                ("R3", "T3", "2026-09-01", "below_target", "attainment below 80 %", "sales_amount", 3),
                ("R4", "T2", "2026-09-01", "below_target", "attainment below 80 %", "sales_amount|visit_count", 2),
                ("R1", "T1", "2026-08-01", "below_target", "older period", "sales_amount", 1),
            ],
        )
    con.close()
    return path


@pytest.fixture
def published(tmp_path: Path) -> Path:
    folder = tmp_path / "warehouse"
    folder.mkdir()
    return make_warehouse(folder / "sales_performance.duckdb")


DIRECTOR = Principal("director", "director", "R0")
MANAGER_EAST = Principal("east", "manager", "R1", ("T1",))
REP_SOUTH = Principal("r4", "rep", "R4")


def compute(path: Path, principal: Principal, **kwargs) -> rules.Alerts:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return rules.compute(con, principal, **kwargs)
    finally:
        con.close()


def test_rules_director_hand_computed(published: Path) -> None:
    alerts = compute(published, DIRECTOR)
    assert alerts.as_of_date == AS_OF and alerts.period_label == "2026-10" and alerts.notes == []
    assert [(r["grain"], r["entity_id"]) for r in alerts.key_figures] == [
        ("company", "company"), ("team", "T1"), ("team", "T2"), ("team", "T3")
    ]  # fmt: skip
    # behind pace at the latest as-of date only (T3's row is of the day before), worst first within a grain
    assert [(r["grain"], r["entity_id"]) for r in alerts.behind_pace] == [
        ("company", "company"), ("team", "T1"), ("team", "T2")
    ]  # fmt: skip
    assert [r["customer_id"] for r in alerts.churn_risk] == ["C2", "C1"]  # new risk, high tier, by CLV
    assert [(r["rep_id"], r["consecutive_periods"]) for r in alerts.improvement] == [("R3", 3), ("R4", 2)]
    assert [(r["rep_id"], r["share"], r["customer_id"]) for r in alerts.concentration] == [
        ("R3", 0.6, "C1"), ("R4", 0.5, "C2")
    ]  # fmt: skip
    overdue = {r["rep_id"]: (r["invoices"], r["outstanding"], r["max_days_overdue"]) for r in alerts.overdue}
    assert overdue == {"R4": (2, 1100.0, 50), "R3": (1, 500.0, 20)}


def test_rules_manager_sees_her_teams_only(published: Path) -> None:
    alerts = compute(published, MANAGER_EAST)
    assert [r["entity_id"] for r in alerts.key_figures] == ["T1", "T3"]  # her team and its child team
    assert [r["entity_id"] for r in alerts.behind_pace] == ["T1"]
    assert [r["customer_id"] for r in alerts.churn_risk] == ["C1"]
    assert [r["rep_id"] for r in alerts.improvement] == ["R3"]
    assert [r["rep_id"] for r in alerts.concentration] == ["R3"]
    assert [r["rep_id"] for r in alerts.overdue] == ["R3"]
    rep = compute(published, REP_SOUTH)
    assert [r["entity_id"] for r in rep.key_figures] == ["R4"]
    assert [r["customer_id"] for r in rep.churn_risk] == ["C2"]
    assert [r["rep_id"] for r in rep.overdue] == ["R4"] and rep.behind_pace == []  # R4 is ahead


def test_rules_threshold_and_tiers(published: Path) -> None:
    alerts = compute(published, DIRECTOR, concentration_threshold=0.55, high_value_tiers=("high", "low"))
    assert [r["rep_id"] for r in alerts.concentration] == ["R3"]
    assert [r["customer_id"] for r in alerts.churn_risk] == ["C2", "C1", "C4"]
    later = compute(published, DIRECTOR, overdue_min_days=21)
    assert [r["rep_id"] for r in later.overdue] == ["R4"]  # R3's invoice is 20 days late


def test_missing_pacing_and_flag_marts_are_skipped_with_a_note(tmp_path: Path) -> None:
    path = make_warehouse(tmp_path / "old.duckdb", marts=False)
    alerts = compute(path, DIRECTOR)
    assert alerts.behind_pace == [] and alerts.improvement == []
    assert any("rpt_target_pacing is not in this warehouse" in n for n in alerts.notes)
    assert any("rpt_improvement_flags is not in this warehouse" in n for n in alerts.notes)
    assert alerts.concentration  # the other rules still run


def write_config(path: Path, smtp_port: int, hooks: HookServer, **extra) -> Path:
    config = {
        "smtp": {"host": "127.0.0.1", "port": smtp_port, "from": "salesperf@example.invalid"},
        "channels": {
            "wecom": {"type": "wecom", "url_env": "TEST_WECOM_URL"},
            "dingtalk": {"type": "dingtalk", "url_env": "TEST_DINGTALK_URL", "secret_env": "TEST_DINGTALK_SECRET"},
            "feishu": {"type": "feishu", "url_env": "TEST_FEISHU_URL", "secret_env": "TEST_FEISHU_SECRET"},
            "feishu_text": {"type": "feishu", "url_env": "TEST_FEISHU_TEXT_URL", "style": "text"},
            "slack": {"type": "slack", "url_env": "TEST_SLACK_URL"},
        },
        "recipients": [
            {"name": "director", "role": "director", "rep_id": "R0", "language": "both",
             "email": ["director@example.invalid"], "channels": ["dingtalk", "slack"]},
            {"name": "east", "role": "manager", "rep_id": "R1", "teams": ["T1"], "language": "zh",
             "email": ["east@example.invalid"], "channels": ["wecom", "feishu"]},
            {"name": "south_rep", "role": "rep", "rep_id": "R4", "language": "en",
             "email": ["r4@example.invalid"], "channels": ["feishu_text"], "digests": ["daily"]},
        ],
        **extra,
    }  # fmt: skip
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def servers(monkeypatch: pytest.MonkeyPatch):
    with SMTPSink() as smtp, HookServer() as hooks:
        hooks.answers["/feishu"] = {"code": 0, "msg": "success"}
        hooks.answers["/slack"] = "ok"
        for name, path in [
            ("TEST_WECOM_URL", "/wecom?key=abc"),
            ("TEST_DINGTALK_URL", "/dingtalk?access_token=tok"),
            ("TEST_FEISHU_URL", "/feishu"),
            ("TEST_FEISHU_TEXT_URL", "/feishu_text"),
            ("TEST_SLACK_URL", "/slack"),
        ]:
            monkeypatch.setenv(name, hooks.url(path))
        monkeypatch.setenv("TEST_DINGTALK_SECRET", "SECdingtalk")
        monkeypatch.setenv("TEST_FEISHU_SECRET", "feishu-secret")
        yield smtp, hooks


CJK_TITLES = ("本期销售额与目标", "逾期应收账款", "客户集中度预警")
EN_TITLES = ("Sales against target this period", "Overdue collections", "Customer concentration")


def test_digest_reaches_smtp_and_webhooks_in_both_languages_and_scope(published, servers, tmp_path) -> None:
    smtp, hooks = servers
    config = digest.load_config(write_config(tmp_path / "digest.yaml", smtp.port, hooks))
    outcome = digest.send_digests(config, published, ("daily",), say=lambda _m: None)
    assert outcome.failed == []
    assert len(outcome.sent) == 8  # director: mail, dingtalk, slack; east: mail, wecom, feishu; rep: mail, feishu

    mails = {m.recipients[0]: m.message for m in smtp.mails}
    assert set(mails) == {"director@example.invalid", "east@example.invalid", "r4@example.invalid"}
    director = mails["director@example.invalid"]
    assert director["Subject"].startswith(
        "销售业绩日报 · 全公司 · 截至 2026-10-20 / Sales daily digest · whole company"
    )
    text = director.get_body(("plain",)).get_content()
    assert all(t in text for t in CJK_TITLES + EN_TITLES)  # both languages
    assert "乙公司 (C2)" in text and "甲公司 (C1)" in text and "丙公司" not in text  # C3 was at risk before
    assert "达成 50.0%" in text and "attainment 50.0%" in text
    assert "<li>" in director.get_body(("html",)).get_content()

    east = mails["east@example.invalid"]
    east_text = east.get_body(("plain",)).get_content()
    assert east["Subject"] == "销售业绩日报 · 华东一组、华东二组 · 截至 2026-10-20"
    assert all(t in east_text for t in CJK_TITLES) and not any(t in east_text for t in EN_TITLES)  # zh only
    assert "王五 (R3)：1 张发票逾期，未收 ¥500，最久逾期 20 天（I1）" in east_text
    assert "王五 (R3)：60.0% 的销售额来自 甲公司（¥120）" in east_text

    rep = mails["r4@example.invalid"].get_body(("plain",)).get_content()
    assert all(t in rep for t in ("Overdue collections", "赵六 (R4): 2 invoice(s) overdue, ¥1.1K outstanding"))
    assert not any(t in rep for t in CJK_TITLES)  # en only
    assert not any(name in rep for name in EAST - {"R3"})

    # the manager's messages, mail and chat, hold no other team's teams, reps, customers or figures
    wecom = hooks.at("/wecom")[0]
    feishu = hooks.at("/feishu")[0]
    for content in (
        east_text,
        wecom.body["markdown"]["content"],
        json.dumps(feishu.body["content"], ensure_ascii=False),
    ):
        assert "王五" in content
        assert not [name for name in SOUTH if name in content], content
        assert "1,100" not in content and "¥1,000" not in content  # the south's overdue amounts

    # webhook payload shapes
    assert wecom.query == {"key": "abc"} and wecom.body["msgtype"] == "markdown"
    assert wecom.body["markdown"]["content"].startswith("## 销售业绩日报")
    ding = hooks.at("/dingtalk")[0]
    assert ding.body["msgtype"] == "markdown" and set(ding.body["markdown"]) == {"title", "text"}
    assert ding.body["markdown"]["title"].startswith("销售业绩日报") and "#### " in ding.body["markdown"]["text"]
    slack = hooks.at("/slack")[0]
    assert slack.body["text"].startswith("销售业绩日报")
    assert slack.body["blocks"][0]["type"] == "header"
    assert all(b["type"] == "section" and b["text"]["type"] == "mrkdwn" for b in slack.body["blocks"][1:])
    assert any("*Overdue collections (2)*" in b["text"]["text"] for b in slack.body["blocks"][1:])
    assert feishu.body["msg_type"] == "post"
    post = feishu.body["content"]["post"]["zh_cn"]
    assert post["title"].startswith("销售业绩日报") and all(p[0]["tag"] == "text" for p in post["content"])
    text_msg = hooks.at("/feishu_text")[0].body
    assert text_msg["msg_type"] == "text" and "Sales daily digest" in text_msg["content"]["text"]
    assert "sign" not in text_msg  # no secret configured: unsigned

    # signatures: DingTalk in the URL (ms timestamp), Feishu in the body (s timestamp)
    stamp = int(ding.query["timestamp"])
    assert abs(stamp / 1000 - time.time()) < 60
    expected = base64.b64encode(
        hmac.new(b"SECdingtalk", f"{stamp}\nSECdingtalk".encode(), hashlib.sha256).digest()
    ).decode()
    assert ding.query["sign"] == expected  # parse_qsl decoded the URL-encoding
    assert urllib.parse.unquote_plus(dingtalk_sign("SECdingtalk", stamp)) == expected
    fstamp = int(feishu.body["timestamp"])
    assert abs(fstamp - time.time()) < 60
    assert (
        feishu.body["sign"]
        == base64.b64encode(hmac.new(f"{fstamp}\nfeishu-secret".encode(), b"", hashlib.sha256).digest()).decode()
    )
    assert feishu.body["sign"] == feishu_sign("feishu-secret", fstamp)


def test_a_long_digest_reaches_wecom_in_several_messages_of_at_most_4096_bytes(published, servers, tmp_path) -> None:
    smtp, hooks = servers
    path = write_config(tmp_path / "d.yaml", smtp.port, hooks)
    config = digest.load_config(path)
    director = config.recipients[0]
    director.channels, director.email = ["wecom"], []
    con = duckdb.connect(str(published), read_only=True)
    try:
        whole, _ = digest.digest_message(con, director, "daily", config, published)
    finally:
        con.close()
    text = whole.markdown
    for _ in range(3):  # a long digest: the same sections three times over
        text += "\n\n" + whole.markdown
    long = dataclasses.replace(whole, markdown=text)
    assert len(long.markdown.encode()) > 4096
    digest.deliver(config, director, long, digest.Delivery(), say=lambda _m: None)
    posts = [r.body["markdown"]["content"] for r in hooks.at("/wecom")]
    assert len(posts) >= 2 and all(len(p.encode()) <= 4096 for p in posts)
    assert posts[1].startswith(f"(2/{len(posts)})")
    joined = "\n\n".join(posts)
    assert joined.count("#### 逾期应收账款") == 4 and joined.count("#### Overdue collections") == 4  # nothing lost


def test_weekly_digest_and_kind_auto(published, servers, tmp_path) -> None:
    smtp, hooks = servers
    config = digest.load_config(write_config(tmp_path / "d.yaml", smtp.port, hooks, weekly_on="tuesday"))
    assert digest.kinds_for(config, "auto", dt.date(2026, 12, 1)) == ("daily", "weekly")  # a Tuesday
    assert digest.kinds_for(config, "auto", dt.date(2026, 12, 2)) == ("daily",)
    outcome = digest.send_digests(config, published, ("weekly",), say=lambda _m: None)
    assert outcome.failed == []
    subjects = sorted(m.message["Subject"] for m in smtp.mails)
    assert len(subjects) == 2  # the rep takes the daily digest only
    assert any(s.startswith("销售业绩周报 · 全公司") and "Sales weekly digest" in s for s in subjects)
    east = next(m.message for m in smtp.mails if m.recipients == ["east@example.invalid"])
    assert "统计期：2026-Q4（quarter）" in east.get_body(("plain",)).get_content()


def test_after_a_publish_the_weekly_digest_goes_out_once_on_its_day(published, servers, tmp_path, monkeypatch) -> None:
    smtp, hooks = servers
    weekday = digest.WEEKDAYS[dt.date.today().weekday()]
    path = write_config(tmp_path / "d.yaml", smtp.port, hooks, weekly_on=weekday)
    monkeypatch.setenv(digest.CONFIG_ENV, str(path))
    settings = settings_mod.Settings(landing_dir=tmp_path, warehouse=published, threads=1)
    assert digest.after_build(settings, lambda: 0) == 0
    first = sorted(m.message["Subject"][:6] for m in smtp.mails)
    assert first == ["Sales ", "销售业绩周报", "销售业绩周报", "销售业绩日报", "销售业绩日报"]  # the rep: daily only
    smtp.mails.clear()
    assert digest.after_build(settings, lambda: 0) == 0  # published again the same day: daily only
    assert sorted(m.message["Subject"][:6] for m in smtp.mails) == ["Sales ", "销售业绩日报", "销售业绩日报"]


def test_nothing_is_sent_without_configuration(published, servers, monkeypatch, tmp_path, capsys) -> None:
    smtp, hooks = servers
    monkeypatch.delenv(digest.CONFIG_ENV, raising=False)
    settings = settings_mod.Settings(landing_dir=tmp_path, warehouse=published, threads=1)
    assert digest.after_build(settings, lambda: 0) == 0
    assert digest.after_build(settings, lambda: 3) == 3
    assert digest.main(["--kind", "daily"]) == 0
    assert "no configuration" in capsys.readouterr().out
    assert smtp.mails == [] and hooks.requests == []
    assert not digest.state_file(published).exists()


def test_a_refused_channel_is_reported_and_the_others_still_sent(published, servers, tmp_path, monkeypatch) -> None:
    smtp, hooks = servers
    hooks.answers["/dingtalk"] = {"errcode": 310000, "errmsg": "sign not match"}
    monkeypatch.delenv("TEST_SLACK_URL")
    path = write_config(tmp_path / "d.yaml", smtp.port, hooks)
    monkeypatch.setenv("SALESPERF_WAREHOUSE", str(published))
    assert digest.main(["--config", str(path), "--kind", "daily"]) == digest.EXIT_SEND_FAILED
    assert len(smtp.mails) == 3 and hooks.at("/wecom")
    config = digest.load_config(path)
    outcome = digest.send_digests(config, published, ("daily",), say=lambda _m: None)
    assert sorted(outcome.failed) == [
        "director via dingtalk: dingtalk webhook "
        f"127.0.0.1:{hooks.server_address[1]}: refused (310000: sign not match)",
        "director via slack: channel slack: environment variable TEST_SLACK_URL is not set",
    ]


def test_config_errors_name_the_entry(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("recipients:\n  - {role: manager, language: zh}\n", encoding="utf-8")
    with pytest.raises(digest.ConfigError, match=r"recipients\[0\]: a manager needs teams"):
        digest.load_config(bad)
    bad.write_text("channels:\n  x: {type: teams, url_env: X}\n", encoding="utf-8")
    with pytest.raises(digest.ConfigError, match=r"channels.x: type must be one of"):
        digest.load_config(bad)
    bad.write_text("recipients:\n  - {user: nobody}\n", encoding="utf-8")
    with pytest.raises(digest.ConfigError, match="user 'nobody' has no entry"):
        digest.load_config(bad)
    good = tmp_path / "good.yaml"  # the dashboard's users file gives the scope of a username
    good.write_text("recipients:\n  - {user: manager_east}\n", encoding="utf-8")
    (recipient,) = digest.load_config(good).recipients
    assert recipient.principal == Principal("manager_east", "manager", "R0002", ("T001",))
    assert recipient.failures is False and recipient.language == "both"


def test_build_status_failed_and_stale(published: Path) -> None:
    assert digest.build_status(published, 36) == []
    digest.record_build(published, 3, ["[gate] FAIL reports indicator_values: range", "[build] gate failed"])
    (row,) = digest.build_status(published, 36)
    assert row["kind"] == "failed" and row["rc"] == 3
    later = published.stat().st_mtime + 40 * 3600
    assert [r["kind"] for r in digest.build_status(published, 36, now=later)] == ["failed", "stale"]
    os.utime(published)  # published again after the failure: the failure is history
    time.sleep(0.01)
    digest.record_build(published, 0, [])
    assert digest.build_status(published, 36) == []


def make_working_copy(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute(
        "create table dq_results (check_id varchar, check_name varchar, check_type varchar, layer varchar, "
        "object_name varchar, severity varchar, status varchar, failing_rows bigint, message varchar, "
        "checked_at timestamp)"
    )
    con.execute(
        "insert into dq_results values ('c1', 'value_in_range', 'gx_expectation', 'reports', 'indicator_values', "
        "'error', 'fail', 2, 'gross_margin_rate out of range; failing rows: sales_order_lines order_line_id=L7', "
        "now()), ('c2', 'not_null', 'dbt_test', 'marts', 'fct_invoices', 'warn', 'warn', 1, 'ignored', now())"
    )
    con.execute(
        "create table dq_rejected_rows (source_table varchar, row_key varchar, rule varchar, severity varchar, "
        "raw_row varchar, occurrence bigint, built_at timestamp)"
    )
    con.execute(
        "insert into dq_rejected_rows values ('erp_sales_order_lines', 'L9', 'unknown_value', 'error', "
        '\'{"order_line_id": "L9", "product_id": "P404"}\', 1, now())'
    )
    con.close()


def test_failed_build_sends_its_own_alert_with_reason_and_rows(published, servers, tmp_path, monkeypatch) -> None:
    smtp, hooks = servers
    path = write_config(tmp_path / "d.yaml", smtp.port, hooks)
    monkeypatch.setenv(digest.CONFIG_ENV, str(path))
    settings = settings_mod.Settings(landing_dir=tmp_path, warehouse=published, threads=1)
    make_working_copy(settings.build_warehouse)

    def failing_build() -> int:
        print("[gate] FAIL  reports      indicator_values: gross_margin_rate out of range (2 rows)", file=sys.stderr)
        print("[build] data-quality gate failed: 1 check(s) of severity error", file=sys.stderr)
        return 3

    assert digest.after_build(settings, failing_build) == 3
    # to the director only (failures: true by default for directors; rows may be any team's)
    assert [m.recipients for m in smtp.mails] == [["director@example.invalid"]]
    mail = smtp.mails[0].message
    assert mail["Subject"] == (
        "构建失败 · 退出码 3：数据质量闸门未通过（错误级检查失败） / "
        "Build failed · exit 3: the data-quality gate failed (a check of severity error)"
    )
    text = mail.get_body(("plain",)).get_content()
    assert "indicator_values: gross_margin_rate out of range (2 rows)" in text  # the reason
    assert "failing rows: sales_order_lines order_line_id=L7" in text  # the rows to fix
    assert 'row erp_sales_order_lines L9: unknown_value (error) {"order_line_id": "L9"' in text
    assert "fct_invoices" not in text  # a warning is no reason
    slack = hooks.at("/slack")[0].body
    assert slack["text"].startswith("构建失败 · 退出码 3") and not hooks.at("/wecom")
    # the next digest tells everybody that the figures are from the build before
    smtp.mails.clear()
    digest.send_digests(digest.load_config(path), published, ("daily",), say=lambda _m: None)
    east = next(m.message for m in smtp.mails if m.recipients == ["east@example.invalid"])
    assert "最近一次构建失败" in east.get_body(("plain",)).get_content()


def test_build_command_alerts_a_landing_failure(servers, tmp_path) -> None:
    """The real command: `build` with an empty landing folder exits 2 and the alert names the problem."""
    smtp, hooks = servers
    path = write_config(tmp_path / "d.yaml", smtp.port, hooks)
    landing = tmp_path / "landing"
    landing.mkdir()
    env = {
        **os.environ,
        digest.CONFIG_ENV: str(path),
        "SALESPERF_LANDING_DIR": str(landing),
        "SALESPERF_WAREHOUSE": str(tmp_path / "wh" / "sales_performance.duckdb"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "SALESPERF_DATA_DOCS": str(tmp_path / "docs"),
        "PYTHONPATH": str(PROJECT_DIR),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "salesperf.run", "build"], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 2, proc.stderr
    (mail,) = smtp.mails
    text = mail.message.get_body(("plain",)).get_content()
    assert "exit 2: no landing data" in text
    assert re.search(r"\[landing\] .*crm_accounts", text), text
    assert hooks.at("/dingtalk") and hooks.at("/slack")


@pytest.mark.slow
def test_digest_of_the_demo_build(demo_build, servers, tmp_path) -> None:
    """The digest of the real demo marts: every manager's message names her teams' reps only."""
    smtp, hooks = servers
    path = tmp_path / "demo.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "smtp": {"host": "127.0.0.1", "port": smtp.port, "from": "salesperf@example.invalid"},
                "recipients": [
                    {"user": "director", "email": ["d@example.invalid"]},
                    {"user": "manager_east", "email": ["east@example.invalid"], "language": "zh"},
                    {"user": "manager_south", "email": ["south@example.invalid"], "language": "en"},
                ],
            }
        ),
        encoding="utf-8",
    )
    outcome = digest.send_digests(digest.load_config(path), demo_build.warehouse, ("daily",), say=lambda _m: None)
    assert outcome.failed == [] and len(smtp.mails) == 3
    reps = demo_build.query("select rep_id, current_team_id from dim_sales_reps")
    teams = demo_build.query("select team_id, team_name from dim_teams")
    mails = {m.recipients[0]: m.message.get_body(("plain",)).get_content() for m in smtp.mails}
    scopes = {"east@example.invalid": {"T001", "T008"}, "south@example.invalid": {"T002", "T009"}}
    for address, own in scopes.items():
        text = mails[address]
        named = set(re.findall(r"\((R\d{4})[,)]", text))
        assert named, text
        outside = set(reps[~reps.current_team_id.isin(own)].rep_id) - {"R0002", "R0003"}
        assert not named & outside, (address, named & outside)
        assert not [n for n in teams[~teams.team_id.isin(own)].team_name if n in text]
    assert (
        "本期销售额与目标" in mails["east@example.invalid"] and "Sales against target" in mails["south@example.invalid"]
    )
    assert "全公司" in mails["d@example.invalid"] and "Company: sales" in mails["d@example.invalid"]
