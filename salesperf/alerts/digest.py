"""Digests (日报 daily / 周报 weekly) and build-failure alerts: configuration, text, delivery, CLI.

Nothing is sent without a configuration file (``SALESPERF_DIGEST_CONFIG`` or ``--config``); the
README ("Alerts and digests") shows one. Every URL, secret and password is read from an
environment variable the file names.

    python -m salesperf.run digest [--kind daily|weekly|auto] [--config FILE] [--dry-run]

Exit codes: 0 every message delivered (or nothing to send); 1 a channel failed (the others were
still tried); 2 the configuration or the published warehouse cannot be read.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import html
import io
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from salesperf import settings as settings_mod
from salesperf.alerts import channels, rules
from salesperf.alerts.channels import ChannelError, Message

CONFIG_ENV = "SALESPERF_DIGEST_CONFIG"
KINDS = ("daily", "weekly")
LANGUAGES = ("zh", "en", "both")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EXIT_SEND_FAILED = 1
EXIT_CONFIG = 2
STATE_NAME = "last_build.json"

EXIT_MEANINGS = {
    1: ("dbt build 失败（无法读取的落地文件、模型错误或错误级 dbt 测试失败）",
        "dbt build failed (an unreadable landing file, a model error or a failed error-severity dbt test)"),
    2: ("没有落地数据（某个必需表没有文件）", "no landing data (a required table has no file)"),
    3: ("数据质量闸门未通过（错误级检查失败）", "the data-quality gate failed (a check of severity error)"),
    4: ("另一个构建正在运行（锁）", "another build is running (lock)"),
    5: ("CRM 导入无法运行", "the CRM import could not run"),
    6: ("无法写出 Parquet 导出（磁盘或权限），未发布",
        "the Parquet exports could not be written (disk or permissions); nothing published"),
}  # fmt: skip


class ConfigError(ValueError):
    """The digest configuration file is wrong (the message names the file and the entry)."""


@dataclass
class Recipient:
    name: str
    principal: Any  # dashboard.data.Principal
    language: str = "both"
    digests: tuple[str, ...] = KINDS
    failures: bool = False
    email: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)


@dataclass
class Config:
    path: Path
    recipients: list[Recipient]
    channels: dict[str, dict[str, Any]]
    smtp: dict[str, Any] | None
    period_type: str = "month"
    weekly_period_type: str = "quarter"
    weekly_on: str = "monday"
    stale_after_hours: float = 36.0
    high_value_tiers: tuple[str, ...] = ("high",)
    overdue_min_days: int = 1
    concentration_threshold: float | None = None
    max_items: int = 10


# ---------------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------------


def config_path(explicit: str | None = None) -> Path | None:
    value = explicit or os.environ.get(CONFIG_ENV, "").strip()
    return Path(value).expanduser() if value else None


def load_config(path: Path) -> Config:
    """Read and check the configuration file: every recipient's scope, channels and language."""
    from salesperf.alerts.scope import principal_from, users_file_access

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"{path}: cannot read the digest configuration: {error}") from error
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top")
    users = raw.get("users_file") or os.environ.get("SALESPERF_DASHBOARD_USERS") or "dashboard/users.yaml"
    users_path = Path(users).expanduser()
    if not users_path.is_absolute():
        users_path = settings_mod.PROJECT_DIR / users_path
    access = users_file_access(users_path) if users_path.exists() else {}
    chans = raw.get("channels") or {}
    for name, chan in chans.items():
        where = f"{path}: channels.{name}"
        if not isinstance(chan, dict) or chan.get("type") not in channels.WEBHOOK_TYPES:
            raise ConfigError(f"{where}: type must be one of {channels.WEBHOOK_TYPES}")
        if not chan.get("url_env"):
            raise ConfigError(f"{where}: url_env (the environment variable holding the webhook URL) is required")
    recipients = []
    for index, entry in enumerate(raw.get("recipients") or []):
        where = f"{path}: recipients[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: expected a mapping")
        try:
            principal = principal_from(entry, access, where)
        except ValueError as error:
            raise ConfigError(str(error)) from error
        language = str(entry.get("language", "both"))
        if language not in LANGUAGES:
            raise ConfigError(f"{where}: language must be one of {LANGUAGES}")
        digests = tuple(entry.get("digests", KINDS))
        if not set(digests) <= set(KINDS):
            raise ConfigError(f"{where}: digests must be a list of {KINDS}")
        unknown = [c for c in entry.get("channels") or [] if c not in chans]
        if unknown:
            raise ConfigError(f"{where}: unknown channel(s) {unknown}; define them under channels:")
        email = [str(a) for a in entry.get("email") or []]
        if email and not raw.get("smtp"):
            raise ConfigError(f"{where}: e-mail recipients need an smtp: section")
        recipients.append(
            Recipient(
                name=str(entry.get("name") or entry.get("user") or f"recipient {index + 1}"),
                principal=principal,
                language=language,
                digests=digests,
                failures=bool(entry.get("failures", principal.role == "director")),
                email=email,
                channels=list(entry.get("channels") or []),
            )
        )
    weekly_on = str(raw.get("weekly_on", "monday")).lower()
    if weekly_on not in WEEKDAYS:
        raise ConfigError(f"{path}: weekly_on must be one of {WEEKDAYS}")
    threshold = raw.get("concentration_threshold")
    return Config(
        path=path,
        recipients=recipients,
        channels=chans,
        smtp=raw.get("smtp"),
        period_type=str(raw.get("period_type", "month")),
        weekly_period_type=str(raw.get("weekly_period_type", "quarter")),
        weekly_on=weekly_on,
        stale_after_hours=float(raw.get("stale_after_hours", 36)),
        high_value_tiers=tuple(raw.get("high_value_tiers") or ("high",)),
        overdue_min_days=int(raw.get("overdue_min_days", 1)),
        concentration_threshold=None if threshold is None else float(threshold),
        max_items=int(raw.get("max_items", 10)),
    )


# ---------------------------------------------------------------------------------------------
# Build state: a failed or stale build
# ---------------------------------------------------------------------------------------------


def state_file(warehouse: Path) -> Path:
    return warehouse.parent / ".build" / STATE_NAME


def record_build(warehouse: Path, rc: int, reason: list[str]) -> None:
    """Remember the outcome of the last build for the digests (beside the working copy)."""
    path = state_file(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    now = time.time()
    state = {
        "rc": rc,
        "finished_at": dt.datetime.fromtimestamp(now).isoformat(timespec="seconds"),
        "finished_ts": now,
        "reason": reason[-20:],
    }
    path.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")


def build_status(warehouse: Path, stale_after_hours: float, now: float | None = None) -> list[dict[str, Any]]:
    """The ``build`` alert rows: the last build failed after the file was published, or the
    published file is older than ``stale_after_hours``."""
    now = time.time() if now is None else now
    rows: list[dict[str, Any]] = []
    published = warehouse.stat().st_mtime
    path = state_file(warehouse)
    if path.exists():
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
            finished = float(state["finished_ts"])
        except (ValueError, KeyError, TypeError):
            state, finished = {}, 0.0
        if state.get("rc") not in (0, None, 4) and finished > published:
            rows.append({"kind": "failed", "rc": state["rc"], "at": state["finished_at"], "reason": state["reason"]})
    hours = (now - published) / 3600
    if hours > stale_after_hours:
        at = dt.datetime.fromtimestamp(published).isoformat(timespec="minutes")
        rows.append({"kind": "stale", "hours": hours, "at": at})
    return rows


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------


def _amount(value: Any, lang: str, currency: str) -> str:
    from dashboard import i18n

    if value is None:
        return "—"
    return i18n.format_amount(float(value), lang, i18n.CURRENCY_SYMBOLS.get(currency, f"{currency} "))


def _pct(value: Any) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f}%"


def _num(value: Any) -> str:
    return "—" if value is None else f"{float(value):,.1f}"


SECTION_TITLES = {
    "key_figures": ("本期销售额与目标", "Sales against target this period"),
    "behind_pace": ("进度落后的目标", "Targets behind pace"),
    "churn_risk": ("新增流失风险的高价值客户", "High-value customers newly at churn risk"),
    "improvement": ("绩效改进计划候选人", "Improvement-plan candidates"),
    "concentration": ("客户集中度预警（单一客户占销售额比例过高）", "Customer concentration (one customer's share)"),
    "overdue": ("逾期应收账款", "Overdue collections"),
    "build": ("数据构建状态", "Build status"),
}


def _line(rule: str, row: dict[str, Any], lang: str, currency: str, names: dict[str, tuple[str, str]]) -> str:
    zh = lang == "zh"

    def money(key: str) -> str:
        return _amount(row[key], lang, currency)

    if rule == "key_figures":
        name = ("全公司" if zh else "Company") if row["grain"] == "company" else row["entity_name"]
        value, target, pct = money("value"), money("target_value"), _pct(row["attainment"])
        if zh:
            return f"{name}：销售额 {value}，目标 {target}，达成 {pct}"
        return f"{name}: sales {value}, target {target}, attainment {pct}"
    if rule == "behind_pace":
        company = row["grain"] == "company"
        name = ("全公司" if zh else "Company") if company else f"{row['entity_name']} ({row['entity_id']})"
        label = names.get(row["indicator_code"], (row["indicator_code"],) * 2)[0 if zh else 1]
        done, target = _num(row["value_to_date"]), _num(row["target_full_period"])
        pct, elapsed = _pct(row["attainment_to_date"]), _pct(row["time_elapsed_share"])
        daily, projected = _num(row["required_daily_run_rate"]), _num(row["projected_value_run_rate"])
        if zh:
            return (
                f"{name} · {label}：完成 {done} / 目标 {target}，达成 {pct}，时间进度 {elapsed}，"
                f"需日均 {daily}，按当前速度预计 {projected}"
            )
        return (
            f"{name} · {label}: {done} of {target} ({pct} with {elapsed} of the period gone); "
            f"needs {daily} a day, on pace for {projected}"
        )
    if rule == "churn_risk":
        who = f"{row['customer_name'] or row['customer_id']} ({row['customer_id']})"
        clv, alive, days = money("clv_predicted"), _pct(row["p_alive"]), f"{row['days_since_last_purchase']:.0f}"
        if zh:
            return f"{who}，负责人 {row['rep_name']}：预测 CLV {clv}，存活概率 {alive}，距上次购买 {days} 天"
        return f"{who}, owner {row['rep_name']}: predicted CLV {clv}, P(alive) {alive}, {days} days since last purchase"
    if rule == "improvement":
        who = f"{row['rep_name'] or row['rep_id']} ({row['rep_id']}, {row['team_name'] or row['team_id']})"
        drags, periods = row.get("drag_indicators") or "", row["consecutive_periods"]
        if zh:
            return f"{who}：{row['flag_code']}，{row['reason']}；拖累指标 {drags}；连续 {periods} 期"
        return f"{who}: {row['flag_code']}, {row['reason']}; dragging: {drags}; {periods} period(s) in a row"
    if rule == "concentration":
        who = f"{row['rep_name'] or row['rep_id']} ({row['rep_id']})"
        customer = row["customer_name"] or ("最大客户" if zh else "the largest customer")
        share, amount = _pct(row["share"]), money("largest_customer_sales")
        if zh:
            return f"{who}：{share} 的销售额来自 {customer}（{amount}）"
        return f"{who}: {share} of sales from {customer} ({amount})"
    if rule == "overdue":
        who = f"{row['rep_name'] or row['rep_id']} ({row['rep_id']})"
        count, open_, days, oldest = (
            row["invoices"],
            money("outstanding"),
            row["max_days_overdue"],
            row["oldest_invoice_id"],
        )
        if zh:
            return f"{who}：{count} 张发票逾期，未收 {open_}，最久逾期 {days} 天（{oldest}）"
        return f"{who}: {count} invoice(s) overdue, {open_} outstanding, oldest {days} days ({oldest})"
    if rule == "build":
        if row["kind"] == "stale":
            if zh:
                return f"已发布的数据已 {row['hours']:.0f} 小时未更新（发布于 {row['at']}）"
            return f"the published warehouse is {row['hours']:.0f} hours old (published {row['at']})"
        meaning = EXIT_MEANINGS.get(row["rc"], ("", ""))[0 if zh else 1]
        first = row["reason"][0] if row["reason"] else ""
        if zh:
            return f"最近一次构建失败（{row['at']}，退出码 {row['rc']}：{meaning}），仍在使用旧数据。{first}"
        return f"last build failed ({row['at']}, exit {row['rc']}: {meaning}); figures are from the one before. {first}"
    raise KeyError(rule)


def indicator_names(con) -> dict[str, tuple[str, str]]:
    table = rules.find_table(con, "indicator_catalog")
    if table is None:
        return {}
    return {
        code: (zh, en)
        for code, zh, en in con.execute(f"select indicator_code, name_zh, name_en from {table}").fetchall()
    }


def scope_label(con, principal, lang: str) -> str:
    zh = lang == "zh"
    if principal.role == "director":
        return "全公司" if zh else "whole company"
    if principal.role == "rep":
        row = con.execute("select rep_name from main.dim_sales_reps where rep_id = ?", [principal.rep_id]).fetchone()
        return f"{row[0] if row else principal.rep_id} ({principal.rep_id})"
    from salesperf.alerts.scope import SCOPE_CTES, bind

    sql = SCOPE_CTES + (
        "select teams.team_name from allowed_teams inner join main.dim_teams as teams using (team_id) order by team_id"
    )
    names = [r[0] for r in con.execute(sql, bind(sql, principal.params)).fetchall()]
    return ("、" if zh else ", ").join(names)


@dataclass
class Section:
    rule: str
    lines: list[str]
    more: int = 0


def sections(alerts: rules.Alerts, lang: str, names: dict[str, tuple[str, str]], max_items: int) -> list[Section]:
    out = []
    for rule in ("key_figures", *rules.Alerts.RULES):
        rows = getattr(alerts, rule)
        if not rows:
            continue
        lines = [_line(rule, row, lang, alerts.base_currency, names) for row in rows[:max_items]]
        out.append(Section(rule, lines, max(0, len(rows) - max_items)))
    return out


def _title(kind: str, lang: str, alerts: rules.Alerts, scope: str) -> str:
    if lang == "zh":
        word = "日报" if kind == "daily" else "周报"
        return f"销售业绩{word} · {scope} · 截至 {alerts.as_of_date}"
    word = "daily" if kind == "daily" else "weekly"
    return f"Sales {word} digest · {scope} · as of {alerts.as_of_date}"


def _body(lang: str, kind: str, alerts: rules.Alerts, secs: list[Section]) -> tuple[str, list[tuple[str, list[str]]]]:
    zh = lang == "zh"
    if zh:
        intro = f"统计期：{alerts.period_label}（{alerts.period_type}），预警 {alerts.count} 项。"
    else:
        intro = f"Period {alerts.period_label} ({alerts.period_type}); {alerts.count} alert(s)."
    if not alerts.count:
        intro += " 今日无预警。" if zh else " Nothing to flag."
    blocks = []
    for sec in secs:
        title = SECTION_TITLES[sec.rule][0 if zh else 1]
        lines = list(sec.lines)
        if sec.more:
            lines.append(f"…另有 {sec.more} 项" if zh else f"… and {sec.more} more")
        blocks.append(
            (f"{title}（{len(sec.lines) + sec.more}）" if zh else f"{title} ({len(sec.lines) + sec.more})", lines)
        )
    return intro, blocks


def render(parts: list[tuple[str, str, list[tuple[str, list[str]]]]], title: str) -> Message:
    """One message from per-language (title, intro, [(heading, lines)]) parts."""
    md, slack, text, lines, htm = (
        [f"## {title}"],
        [],
        [title, "=" * min(len(title), 60)],
        [],
        [f"<h2>{html.escape(title)}</h2>"],
    )
    for index, (sub, intro, blocks) in enumerate(parts):
        if index:
            md.append("---")
            text.append("-" * 40)
            lines.append("—" * 10)
            htm.append("<hr>")
        if len(parts) > 1:
            md.append(f"**{sub}**")
            slack.append(f"*{sub}*")
            text.append(sub)
            lines.append(sub)
            htm.append(f"<h3>{html.escape(sub)}</h3>")
        md.append(intro)
        slack.append(intro)
        text.append(intro)
        lines.append(intro)
        htm.append(f"<p>{html.escape(intro)}</p>")
        for heading, items in blocks:
            md.append(f"#### {heading}\n" + "\n".join(f"- {item}" for item in items))
            slack.append(f"*{heading}*\n" + "\n".join(f"• {item}" for item in items))
            text.append(f"\n{heading}\n" + "\n".join(f"  - {item}" for item in items))
            lines.append(f"【{heading}】")
            lines.extend(f"• {item}" for item in items)
            htm.append(f"<h4>{html.escape(heading)}</h4><ul>")
            htm.extend(f"<li>{html.escape(item)}</li>" for item in items)
            htm.append("</ul>")
    return Message(
        title=title,
        markdown="\n\n".join(md),
        slack="\n\n".join(slack),
        text="\n".join(text),
        lines=lines,
        html="\n".join(htm),
    )


def _languages(language: str) -> tuple[str, ...]:
    return ("zh", "en") if language == "both" else (language,)


def digest_message(
    con, recipient: Recipient, kind: str, config: Config, warehouse: Path
) -> tuple[Message, rules.Alerts]:
    alerts = rules.compute(
        con,
        recipient.principal,
        period_type=config.weekly_period_type if kind == "weekly" else config.period_type,
        concentration_threshold=config.concentration_threshold,
        high_value_tiers=config.high_value_tiers,
        overdue_min_days=config.overdue_min_days,
    )
    alerts.build = build_status(warehouse, config.stale_after_hours)
    names = indicator_names(con)
    langs = _languages(recipient.language)
    parts = []
    for lang in langs:
        intro, blocks = _body(lang, kind, alerts, sections(alerts, lang, names, config.max_items))
        parts.append((_title(kind, lang, alerts, scope_label(con, recipient.principal, lang)), intro, blocks))
    title = " / ".join(p[0] for p in parts) if len(parts) > 1 else parts[0][0]
    return render(parts, title), alerts


# ---------------------------------------------------------------------------------------------
# Failure alerts
# ---------------------------------------------------------------------------------------------


def rows_to_fix(work: Path, limit: int = 20) -> list[str]:
    """From the working copy a failed build left: failed error-severity checks (dq_results) and
    the rows the build quarantined (dq_rejected_rows), each naming its table and key."""
    import duckdb

    if not work.exists():
        return []
    try:
        con = duckdb.connect(str(work), read_only=True)
    except duckdb.Error as error:
        return [f"(working copy {work} cannot be read: {error})"]
    out: list[str] = []
    try:
        results = rules.find_table(con, "dq_results")
        if results:
            for obj, name, rows, message in con.execute(
                f"select object_name, check_name, failing_rows, message from {results} "
                "where severity = 'error' and status in ('fail', 'error') order by object_name, check_name limit ?",
                [limit],
            ).fetchall():
                count = f" ({rows:,} rows)" if rows else ""
                out.append(f"check {obj}.{name}{count}: {' '.join(str(message or '').split())[:400]}")
        rejected = rules.find_table(con, "dq_rejected_rows")
        if rejected:
            for table, key, rule, severity, raw in con.execute(
                f"select source_table, row_key, rule, severity, raw_row from {rejected} "
                "order by severity = 'error' desc, source_table, row_key limit ?",
                [limit],
            ).fetchall():
                out.append(f"row {table} {key}: {rule} ({severity}) {str(raw or '')[:300]}")
    except duckdb.Error as error:
        out.append(f"(working copy {work}: {error})")
    finally:
        con.close()
    return out


def failure_message(rc: int, reason: list[str], fix: list[str], language: str, where: str) -> Message:
    parts = []
    for lang in _languages(language):
        zh = lang == "zh"
        meaning = EXIT_MEANINGS.get(rc, ("未知错误", "unknown failure"))[0 if zh else 1]
        title = f"构建失败 · 退出码 {rc}：{meaning}" if zh else f"Build failed · exit {rc}: {meaning}"
        intro = f"已发布的数据未改变（{where}）。" if zh else f"The published warehouse is unchanged ({where})."
        blocks = [("原因" if zh else "Reason", reason[-30:] or ["—"])]
        if fix:
            blocks.append(("需要修正的行与检查" if zh else "Rows and checks to fix", fix))
        parts.append((title, intro, blocks))
    title = " / ".join(p[0] for p in parts) if len(parts) > 1 else parts[0][0]
    return render(parts, title)


# ---------------------------------------------------------------------------------------------
# Delivery
# ---------------------------------------------------------------------------------------------


@dataclass
class Delivery:
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def deliver(config: Config, recipient: Recipient, message: Message, outcome: Delivery, say: Callable) -> None:
    """Send ``message`` to every channel of ``recipient``; a failed channel does not stop the others."""
    targets: list[tuple[str, Callable[[], None]]] = []
    if recipient.email and config.smtp:
        targets.append(("email", lambda: channels.send_email(config.smtp or {}, message, recipient.email)))
    for name in recipient.channels:
        chan = config.channels[name]

        def send(chan: dict[str, Any] = chan, name: str = name) -> None:
            url = channels.secret_env(chan["url_env"], f"channel {name}")
            secret = channels.secret_env(chan.get("secret_env"), f"channel {name} secret", required=False)
            channels.post_webhook(chan["type"], url or "", message, secret, str(chan.get("style", "post")))

        targets.append((name, send))
    for name, send in targets:
        try:
            send()
        except ChannelError as error:
            outcome.failed.append(f"{recipient.name} via {name}: {error}")
            say(f"[digest] {recipient.name} via {name}: NOT sent: {error}")
        else:
            outcome.sent.append(f"{recipient.name} via {name}")
            say(f"[digest] {recipient.name} via {name}: sent")


def kinds_for(config: Config, kind: str, today: dt.date | None = None) -> tuple[str, ...]:
    """``auto``: the daily digest, and the weekly one too on ``weekly_on``."""
    if kind != "auto":
        return (kind,)
    today = today or dt.date.today()
    return ("daily", "weekly") if WEEKDAYS[today.weekday()] == config.weekly_on else ("daily",)


def send_digests(
    config: Config,
    warehouse: Path,
    kinds: tuple[str, ...],
    dry_run: bool = False,
    say: Callable[[str], None] = print,
) -> Delivery:
    """Compute and send each recipient's digests from the published ``warehouse`` (read-only)."""
    from dashboard.data import connect_read_only

    outcome = Delivery()
    con = connect_read_only(str(warehouse))
    try:
        for kind in kinds:
            for recipient in config.recipients:
                if kind not in recipient.digests:
                    continue
                message, alerts = digest_message(con, recipient, kind, config, warehouse)
                for note in alerts.notes:
                    say(f"[digest] {recipient.name}: {note}")
                if dry_run:
                    say(f"[digest] --dry-run: {kind} for {recipient.name}:\n{message.text}\n")
                    continue
                deliver(config, recipient, message, outcome, say)
    finally:
        con.close()
    return outcome


def send_failure(
    config: Config, settings: settings_mod.Settings, rc: int, reason: list[str], say: Callable[[str], None] = print
) -> Delivery:
    """The alert of a failed build or gate to every recipient with ``failures: true``."""
    outcome = Delivery()
    fix = rows_to_fix(settings.build_warehouse) if rc in (1, 3) else []
    for recipient in config.recipients:
        if recipient.failures:
            message = failure_message(rc, reason, fix, recipient.language, str(settings.warehouse))
            deliver(config, recipient, message, outcome, say)
    return outcome


class _Tee(io.TextIOBase):
    def __init__(self, stream: Any, lines: list[str]) -> None:
        self.stream, self.lines, self.buffer_ = stream, lines, ""

    def write(self, text: str) -> int:
        self.buffer_ += text
        *done, self.buffer_ = self.buffer_.split("\n")
        self.lines.extend(line for line in done if line.strip())
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def fileno(self) -> int:  # a child process given sys.stderr writes to the real stream
        return self.stream.fileno()

    def isatty(self) -> bool:
        return self.stream.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", "utf-8")


@contextlib.contextmanager
def capture_stderr() -> Iterator[list[str]]:
    """What the build prints to stderr (the reason of a failure) is also collected, line by line."""
    lines: list[str] = []
    original = sys.stderr
    sys.stderr = _Tee(original, lines)
    try:
        yield lines
    finally:
        sys.stderr = original


def after_build(settings: settings_mod.Settings, run: Callable[[], int], kind: str = "auto") -> int:
    """Run a build (``run`` returns its exit code); then, when configured, send the digests of
    the newly published warehouse or the alert of the failure. Returns the build's exit code: a
    digest that cannot be sent is reported and never turns a published build into a failure."""
    path = config_path()
    if path is None:
        return run()
    with capture_stderr() as reason:
        rc = run()
    notify(settings, rc, reason, path, kind)
    return rc


def notify(settings: settings_mod.Settings, rc: int, reason: list[str], path: Path, kind: str = "auto") -> None:
    """Record the build's outcome; send the digests (rc 0) or the failure alert (rc 1, 2, 3, 5)."""
    record_build(settings.warehouse, rc, reason)
    try:
        config = load_config(path)
        if rc == 0:
            kinds = kinds_for(config, kind)
            marker = state_file(settings.warehouse).with_name("last_weekly_digest")
            today = dt.date.today().isoformat()
            if kind == "auto" and "weekly" in kinds and marker.exists() and marker.read_text() == today:
                kinds = tuple(k for k in kinds if k != "weekly")  # the weekly digest once on its day
            send_digests(config, settings.warehouse, kinds)
            if "weekly" in kinds:
                marker.write_text(today, encoding="utf-8")
        elif rc != 4:  # another build is running: that one reports
            send_failure(config, settings, rc, reason)
    except ConfigError as error:
        print(f"[digest] {error}; nothing sent", file=sys.stderr)
    except Exception as error:  # a digest never breaks the build's own exit code
        print(f"[digest] could not send the digest: {type(error).__name__}: {error}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tasks.py digest", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kind", choices=(*KINDS, "auto"), default="daily")
    parser.add_argument("--config", help=f"the digest configuration (default: ${CONFIG_ENV})")
    parser.add_argument("--dry-run", action="store_true", help="print the messages instead of sending them")
    args = parser.parse_args(argv)
    path = config_path(args.config)
    if path is None:
        print(f"[digest] no configuration ({CONFIG_ENV} or --config): nothing sent.", flush=True)
        return 0
    settings = settings_mod.load()
    try:
        config = load_config(path)
    except ConfigError as error:
        print(f"[digest] {error}", file=sys.stderr)
        return EXIT_CONFIG
    if not settings.warehouse.exists():
        print(f"[digest] no published warehouse at {settings.warehouse}: build first.", file=sys.stderr)
        return EXIT_CONFIG
    outcome = send_digests(config, settings.warehouse, kinds_for(config, args.kind), dry_run=args.dry_run)
    if outcome.failed:
        print(f"[digest] {len(outcome.failed)} message(s) not delivered (above).", file=sys.stderr)
        return EXIT_SEND_FAILED
    return 0


if __name__ == "__main__":
    sys.exit(main())
