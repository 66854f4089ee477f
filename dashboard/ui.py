"""Layout helpers shared by the pages: the selection context, URL state, KPI cards, tables.

No SQL here: figures come from ``data``; labels and number formats from ``i18n``.

URL state: the selections (``lang, ptype, period, region, team, role, rep, customer``) are
mirrored into the query string after every run, and read from it when a session starts, so a
link reproduces a view. A value from the URL that is not among a widget's options (for example a
team outside the user's scope) is dropped, never shown.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data, i18n

URL_KEYS = ("lang", "ptype", "period", "region", "team", "role", "rep", "customer")
_URL_VALUES = "_url_values"
_URL_LOADED = "_url_loaded"
_URL_WRITTEN = "_url_written"
_CONTEXT = "_context"
_GOTO = "_goto"


# ---------------------------------------------------------------------------------------------
# URL state
# ---------------------------------------------------------------------------------------------


def start_run() -> None:
    """Called first in every run: read the URL once per session, reset this run's URL values.

    Later in the session, a query string the app did not write itself (a link of the action list,
    ``st.page_link(..., query_params=...)``) is read again: its selections replace the current ones,
    and a selection it does not name is reset to "All" (a link names the view it shows)."""
    url = {key: st.query_params[key] for key in URL_KEYS if key in st.query_params}
    if not st.session_state.get(_URL_LOADED):
        for key, value in url.items():
            st.session_state[_keep(key)] = value
            st.session_state[_focus(key)] = True
        st.session_state[_URL_LOADED] = True
    elif url and url != st.session_state.get(_URL_WRITTEN, url):
        for key in URL_KEYS:
            for widget_key in _widget_keys(key):
                st.session_state.pop(widget_key, None)
            st.session_state[_focus(key)] = key in url
            if key in url:
                st.session_state[_keep(key)] = url[key]
            elif key != "lang":
                st.session_state.pop(_keep(key), None)
    st.session_state[_URL_VALUES] = {}


def current_language() -> str:
    """The language of this run before the language widget is drawn (URL/session, else browser)."""
    chosen = st.session_state.get("lang", st.session_state.get(_keep("lang")))
    return chosen if chosen in i18n.LANGUAGES else i18n.detect_language(st.context.locale)


def finish_run() -> None:
    """Called last in every run: write this run's selections ("All" left out) to the URL."""
    values = {key: value for key, value in st.session_state.get(_URL_VALUES, {}).items() if value not in ("", None)}
    st.session_state[_URL_WRITTEN] = {key: str(value) for key, value in values.items()}
    if dict(st.query_params) != values:
        st.query_params.from_dict(values)


def _keep(key: str) -> str:
    return f"_keep_{key}"


def _widget_keys(key: str) -> list[str]:
    return [key, *(f"{key}.{lang}" for lang in i18n.LANGUAGES)]


def select(
    label: str,
    options: Sequence[str],
    key: str,
    format_func: Callable[[str], str] = str,
    default: str | None = None,
    container: Any = None,
    in_url: bool = True,
    lang: str | None = None,
    on_missing: Callable[[str], None] | None = None,
    **kwargs: Any,
) -> str | None:
    """A selectbox whose value survives page switches and language changes and is in the URL.

    ``key`` names the selection (and its query parameter); with ``lang`` the widget itself is
    keyed per language, so its option labels are redrawn when the language changes. A value
    (from the URL, a drill-down or a previous run) that is not among ``options`` is replaced by
    ``default`` (the first option when None): an id outside the user's scope is never selected;
    ``on_missing`` is called with such a value first (to say so instead of switching silently), and
    again on every rerun while the fallback stays selected.
    """
    options = list(options)
    widget_key = f"{key}.{lang}" if lang else key
    if widget_key not in st.session_state and _keep(key) in st.session_state:
        st.session_state[widget_key] = st.session_state[_keep(key)]
    requested = st.session_state.get(widget_key)
    refused_key = f"{_keep(key)}.refused"
    if not options:
        if on_missing is not None and requested not in (None, ""):
            on_missing(str(requested))
        st.session_state.pop(_keep(key), None)
        st.session_state.pop(widget_key, None)
        st.session_state.pop(refused_key, None)
        return None
    fallback = default if default in options else options[0]
    if requested not in options:
        if on_missing is not None and requested not in (None, ""):
            # remembered: the notice stays while the page shows the fallback, through reruns
            # (a cookie set, a lazy section opened), until the visitor picks another value
            st.session_state[refused_key] = (str(requested), fallback)
        st.session_state[widget_key] = fallback
    refused = st.session_state.get(refused_key)
    if refused is not None and on_missing is not None:
        if st.session_state.get(widget_key) == refused[1]:
            on_missing(refused[0])
        else:
            st.session_state.pop(refused_key, None)
    target = container if container is not None else st
    kwargs.setdefault("placeholder", i18n.t("choose_option", lang or current_language()))
    value = target.selectbox(label, options, key=widget_key, format_func=format_func, **kwargs)
    st.session_state[_keep(key)] = value
    if in_url:
        st.session_state.setdefault(_URL_VALUES, {})[key] = value
    return value


def _filter_select(
    name: str,
    options: Sequence[str],
    lang: str,
    container: Any,
    describe: Callable[[str], str],
    on_missing: Callable[[str], None] | None = None,
) -> str:
    """A sidebar filter keyed ``name``: one of ``options`` (shown by ``describe``) or "" for all."""
    return (
        select(
            i18n.t(name, lang),
            ["", *options],
            key=name,
            lang=lang,
            format_func=lambda value: describe(value) if value else i18n.t("all", lang),
            container=container,
            on_missing=on_missing,
        )
        or ""
    )


def scope_notice(lang: str, kind: str, in_scope: Callable[[str], bool] | None = None) -> Callable[[str], None]:
    """``on_missing`` of a selection of ``kind`` (team, rep, customer): says "not in your scope /
    无权查看" for an id outside the user's scope (never naming what it is), or that an id of the
    scope is not in this period / selection; the page then shows an id it may."""

    def notice(value: str) -> None:
        if in_scope is not None and in_scope(value):
            st.info(i18n.t(f"not_in_selection_{kind}", lang))
        else:
            st.warning(i18n.t(f"not_in_scope_{kind}", lang), icon=":material/block:")

    return notice


def drill(key: str, value: str, page: str | None = None) -> None:
    """Button callback: set a selection (team, rep, customer) and optionally switch page."""
    for widget_key in _widget_keys(key):
        st.session_state.pop(widget_key, None)
    st.session_state[_keep(key)] = value
    st.session_state[_focus(key)] = bool(value)
    if page:
        st.session_state[_GOTO] = page


def entity_select(
    ctx: Context, label_key: str, names: Mapping[str, str], key: str, default: str | None = None
) -> str | None:
    """A choice of one entity among ``names`` (id -> name), shown as "name (id)"; None when there is
    none. An id asked for (URL, drill-down) that is not among them is announced (:func:`scope_notice`),
    not silently replaced; a rep's default is one of the manager's own reps (:attr:`Context.default_rep`)."""
    if key == "rep":
        scope = set(ctx.all_reps["rep_id"]) if not ctx.all_reps.empty else set()
        default = default or ctx.default_rep
    elif key == "customer":
        scope = set(data.visible_customers(ctx.principal)["customer_id"])
    else:
        scope = set(names)
    return select(
        ctx.t(label_key),
        list(names),
        key=key,
        lang=ctx.lang,
        format_func=lambda v: f"{names.get(v, v)} ({v})",
        default=default if default in names else None,
        on_missing=scope_notice(ctx.lang, key if key in ("rep", "customer") else "team", scope.__contains__),
    )


def requested(key: str) -> str | None:
    """The value a drill-down, a link or the URL named for a selection (a page shows it first);
    None when the selection is only the page's default."""
    value = st.session_state.get(_keep(key))
    return str(value) if st.session_state.get(_focus(key)) and value not in (None, "") else None


def _focus(key: str) -> str:
    return f"_focus_{key}"


def pop_goto() -> str | None:
    return st.session_state.pop(_GOTO, None)


# ---------------------------------------------------------------------------------------------
# The selection every page works on
# ---------------------------------------------------------------------------------------------


@dataclass
class Context:
    principal: data.Principal
    lang: str
    catalog: i18n.Catalog
    as_of: dt.date
    period_type: str
    period_start: dt.date
    period_end: dt.date
    period_end_as_of: dt.date
    is_complete: bool
    period_label: str
    region: str = ""
    team: str = ""
    role: str = ""
    teams: pd.DataFrame = field(default_factory=pd.DataFrame)  # visible teams after region filter
    reps: pd.DataFrame = field(default_factory=pd.DataFrame)  # visible reps after team/role filters
    all_teams: pd.DataFrame = field(default_factory=pd.DataFrame)
    all_reps: pd.DataFrame = field(default_factory=pd.DataFrame)
    default_rep: str | None = None  # the rep a page opens on: one of the manager's own reps
    _names: dict[str, dict[Any, str]] = field(default_factory=dict, repr=False, compare=False)

    def t(self, key: str, **values: Any) -> str:
        return i18n.t(key, self.lang, **values)

    @property
    def is_director(self) -> bool:
        return self.principal.role == "director"

    @property
    def team_ids(self) -> list[str]:
        return list(self.teams["team_id"]) if not self.teams.empty else []

    @property
    def rep_ids(self) -> list[str]:
        return list(self.reps["rep_id"]) if not self.reps.empty else []

    def team_name(self, team_id: str | None) -> str:
        return self._name("team", self.all_teams, team_id)

    def rep_name(self, rep_id: str | None) -> str:
        return self._name("rep", self.all_reps, rep_id)

    def _name(self, kind: str, frame: pd.DataFrame, key: str | None) -> str:
        """A name by id from a dict built once per run (a page names hundreds of customers' owners)."""
        if key in (None, ""):
            return key or ""
        names = self._names.get(kind)
        if names is None:
            names = self._names[kind] = _names(frame, f"{kind}_id", f"{kind}_name")
        return names.get(key, str(key))

    def period_caption(self) -> str:
        return self.t(
            "period_caption",
            period=self.period_label,
            start=self.period_start.isoformat(),
            end=self.period_end_as_of.isoformat(),
        )


def _names(frame: pd.DataFrame, key_column: str, value_column: str) -> dict[Any, str]:
    """id -> name of a dimension frame (the first row of an id; an id without a name is left out,
    so it shows as itself)."""
    if frame.empty:
        return {}
    rows = frame.drop_duplicates(key_column)
    return {key: str(value) for key, value in zip(rows[key_column], rows[value_column], strict=True) if pd.notna(value)}


def period_display(row: pd.Series, lang: str) -> str:
    label = str(row["period_label"])
    if not bool(row["is_complete"]):
        label = f"{label} · {i18n.t('running_' + row['period_type'], lang)}"
    return label


def build_context(principal: data.Principal, lang: str) -> Context:
    """Render the sidebar filters and return the selection (stored for the pages)."""
    catalog = i18n.Catalog(data.catalog().to_dict("records"), lang)
    as_of = data.as_of_date()
    assert as_of is not None, "warehouse_status() checks that dim_periods has rows"
    sidebar = st.sidebar
    sidebar.caption(i18n.t("as_of", lang, date=as_of.isoformat()))

    period_type = select(
        i18n.t("period_type", lang),
        i18n.PERIOD_TYPES,
        key="ptype",
        lang=lang,
        format_func=lambda value: i18n.t(f"pt_{value}", lang),
        container=sidebar,
    )
    periods = data.periods(period_type)
    periods["key"] = [pd.Timestamp(v).date().isoformat() for v in periods["period_start"]]
    labels = {row["key"]: period_display(row, lang) for _, row in periods.iterrows()}
    period_key = select(
        i18n.t("period", lang),
        list(periods["key"]),
        key="period",
        lang=lang,
        format_func=lambda value: labels.get(value, value),
        container=sidebar,
    )
    period = periods.loc[periods["key"] == period_key].iloc[0]

    all_teams = data.visible_teams(principal)
    all_reps = data.visible_reps(principal)
    region = team = ""
    teams = all_teams
    if not all_teams.empty:
        regions = all_teams.drop_duplicates("region_code").sort_values("region_code")
        region_names = dict(
            zip(regions["region_code"], regions["region_name"].fillna(regions["region_code"]), strict=True)
        )
        region = _filter_select(
            "region", region_names, lang, sidebar, lambda value: region_names.get(value, i18n.t("all", lang))
        )
        if region:
            teams = all_teams.loc[all_teams["region_code"] == region]
        team_names = dict(zip(teams["team_id"], teams["team_name"], strict=True))
        team = _filter_select(
            "team",
            team_names,
            lang,
            sidebar,
            lambda value: f"{team_names[value]} ({value})",
            on_missing=scope_notice(lang, "team", set(all_teams["team_id"]).__contains__),
        )
        if team:
            teams = teams.loc[teams["team_id"] == team]
    role = _filter_select("role", i18n.REP_ROLES, lang, sidebar, lambda value: i18n.t(f"rep_role_{value}", lang))

    reps = all_reps
    if principal.role != "director" and not reps.empty:
        # a manager sees a rep in the periods the rep was in one of her teams (data.allowed_rep_spans)
        in_period = data.reps_in_scope(
            principal, _as_date(period["period_start"]), _as_date(period["period_end_as_of"])
        )
        reps = reps.loc[reps["rep_id"].isin(in_period)]
    if region or team:
        in_teams = [
            data.reps_in_team(
                principal, team_id, _as_date(period["period_start"]), _as_date(period["period_end_as_of"])
            )
            for team_id in teams["team_id"]
        ]
        rep_ids = set(pd.concat(in_teams)["rep_id"]) if in_teams else set()
        reps = reps.loc[reps["rep_id"].isin(rep_ids)]
    if role:
        reps = reps.loc[reps["role"] == role]

    context = Context(
        principal=principal,
        lang=lang,
        catalog=catalog,
        as_of=as_of,
        period_type=period_type,
        period_start=_as_date(period["period_start"]),
        period_end=_as_date(period["period_end"]),
        period_end_as_of=_as_date(period["period_end_as_of"]),
        is_complete=bool(period["is_complete"]),
        period_label=labels[period_key],
        region=region,
        team=team,
        role=role,
        teams=teams.reset_index(drop=True),
        reps=reps.reset_index(drop=True),
        all_teams=all_teams,
        all_reps=all_reps,
        default_rep=_default_rep(principal, reps, teams),
    )
    st.session_state[_CONTEXT] = context
    return context


def _default_rep(principal: data.Principal, reps: pd.DataFrame, teams: pd.DataFrame) -> str | None:
    """A rep of the principal's own: the rep themselves; for a manager the first rep whose current
    team is one of hers and who is not a director or manager of the users file (nor herself)."""
    if principal.role == "rep" or reps.empty:
        return principal.rep_id
    from dashboard import auth

    staff = auth.staff_rep_ids(auth.load_users()) | {principal.rep_id}
    own = reps.loc[reps["current_team_id"].isin(set(teams["team_id"])) & ~reps["rep_id"].isin(staff)]
    candidates = own if not own.empty else reps.loc[~reps["rep_id"].isin(staff)]
    return str(candidates["rep_id"].iloc[0]) if not candidates.empty else None


def _as_date(value: Any) -> dt.date:
    return pd.Timestamp(value).date()


def context() -> Context:
    """The selection of this run (set by streamlit_app.py before the page runs)."""
    return st.session_state[_CONTEXT]


# ---------------------------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------------------------


def kpi_card(ctx: Context, code: str, row: pd.Series | None, trend: Sequence[float] | None = None) -> None:
    """st.metric with value, change vs previous period, and target / last year in the caption."""
    catalog = ctx.catalog
    unit = catalog.unit(code)
    with st.container(border=True):
        if row is None:
            st.metric(catalog.name(code), "—", help=catalog.definition(code))
            st.caption(ctx.t("no_data"))
            return
        delta = i18n.format_delta(row["value"], row.get("previous_value"), unit, ctx.lang)
        chart = [float(v) for v in trend if not i18n.is_missing(v)] if trend is not None else None
        spans = running_spans(ctx, row)
        st.metric(
            catalog.name(code),
            catalog.format(code, row["value"]),
            delta=delta,
            delta_color=catalog.delta_color(code),
            delta_description=(ctx.t("vs_span", span=spans[0]) if spans else ctx.t("vs_previous")) if delta else None,
            help=catalog.definition(code),
            chart_data=chart if chart and len(chart) > 1 else None,
            chart_type="line",
        )
        if i18n.is_missing(row.get("target_value")):
            target_text = ctx.t("no_target")
        else:
            target_text = ctx.t(
                "vs_target",
                target=catalog.format(code, row["target_value"]),
                attainment=i18n.format_value(row.get("attainment"), "ratio", ctx.lang),
            )
        yoy = i18n.format_delta(row["value"], row.get("last_year_value"), unit, ctx.lang) or "—"
        last_year = ctx.t("vs_last_year_span", span=spans[1], delta=yoy) if spans else ctx.t("vs_last_year", delta=yoy)
        st.caption(f"{target_text} · {last_year}")


def running_spans(ctx: Context, row: pd.Series | Mapping[str, Any]) -> tuple[str, str] | None:
    """For a running period: the labels of the days compared with (previous period, last year)."""
    if not bool(row.get("is_running")) or i18n.is_missing(row.get("previous_span_end")):
        return None
    return (
        i18n.span_label(row["previous_span_start"], row["previous_span_end"], ctx.lang),
        i18n.span_label(row["last_year_span_start"], row["last_year_span_end"], ctx.lang),
    )


@dataclass(frozen=True)
class Column:
    """A table column: source column, label key (or literal label), and how to show it."""

    name: str
    label: str
    kind: str = "text"  # text | money | ratio | number | int | date | flag | export (CSV only)


def column_label(ctx: Context, label: str) -> str:
    """A column label: an i18n key, else the key ``col_<label>`` (raw column names such as
    ``as_of_date``), else the literal label (catalog names arrive translated)."""
    if label in i18n.TEXT:
        return ctx.t(label)
    if f"col_{label}" in i18n.TEXT:
        return ctx.t(f"col_{label}")
    return label


# Table formats, one per unit and language (cards: i18n.format_value). Ratios one decimal
# ("85.6%"); money in 万 with one decimal in Chinese, whole currency units in English.
MONEY_FORMAT = {"zh": "%,.1f", "en": "%,.0f"}
NUMBER_FORMAT = "%,.1f"
INT_FORMAT = "%,d"


# Labels of the table pages (kept here: the pagination is this module's).
PAGE_TEXT = {
    "table_page": ("页", "Page"),
    "table_rows": (
        "第 {start}–{end} 行，共 {total} 行（下载包含全部行）",
        "Rows {start}–{end} of {total} (downloads hold every row)",
    ),
}
for _key, _labels in PAGE_TEXT.items():
    if i18n.TEXT.setdefault(_key, _labels) != _labels:
        raise RuntimeError(f"label {_key!r} of the table pages is already used in dashboard/i18n.py")


def table(
    ctx: Context,
    frame: pd.DataFrame,
    columns: Sequence[Column],
    key: str,
    file_name: str,
    page_size: int | None = None,
) -> None:
    """A dataframe in the user's language plus CSV and Excel downloads (raw figures, codes kept).

    Shown: labels and code values (grain, status, layer, …) translated, missing values as "—",
    numbers in the formats above; with ``page_size``, a longer table is shown a page at a time
    (a page selector; only the shown page is formatted and sent to the browser). Downloads: every
    row, full precision without float noise (15 significant digits), the labels of the user's language."""
    labels = {col.name: column_label(ctx, col.label) for col in columns}
    shown = (
        frame.loc[:, [col.name for col in columns]].copy()
        if not frame.empty
        else pd.DataFrame(columns=[col.name for col in columns])
    )
    export = shown.rename(columns=labels)
    shown = shown.drop(columns=[col.name for col in columns if col.kind == "export"])
    if page_size and len(shown) > page_size:
        shown = _page(ctx, shown, key, page_size)
    config: dict[str, Any] = {}
    scale = i18n.money_table_scale(ctx.lang)
    for col in columns:
        label = labels[col.name]
        if col.kind == "money":
            shown[col.name] = pd.to_numeric(shown[col.name], errors="coerce") / scale
            config[col.name] = st.column_config.NumberColumn(
                label + ctx.t("col_unit_money"), format=MONEY_FORMAT.get(ctx.lang, MONEY_FORMAT["en"])
            )
        elif col.kind == "ratio":
            shown[col.name] = pd.to_numeric(shown[col.name], errors="coerce")
            config[col.name] = st.column_config.NumberColumn(label, format="percent", step=0.001)
        elif col.kind == "number":
            config[col.name] = st.column_config.NumberColumn(label, format=NUMBER_FORMAT)
        elif col.kind == "int":
            config[col.name] = st.column_config.NumberColumn(label, format=INT_FORMAT)
        elif col.kind == "date":
            config[col.name] = st.column_config.DateColumn(label)
        elif col.kind == "export":
            continue
        elif col.kind == "flag":
            shown[col.name] = shown[col.name].map(
                lambda v: None if i18n.is_missing(v) else i18n.t("yes" if float(v) >= 0.5 else "no", ctx.lang)
            )
            config[col.name] = st.column_config.Column(label)
        else:
            if col.name in i18n.CODE_COLUMNS:
                shown[col.name] = shown[col.name].map(lambda v, name=col.name: i18n.code_text(name, v, ctx.lang))
            config[col.name] = st.column_config.Column(label)
    st.dataframe(shown, column_config=config, hide_index=True, key=f"table_{key}", width="stretch", placeholder="—")
    left, right = st.columns(2, gap="small", width=360)
    left.download_button(
        ctx.t("download_csv"),
        data=csv_bytes(export),
        file_name=f"{file_name}.csv",
        mime="text/csv",
        key=f"csv_{key}",
        on_click="ignore",
    )
    right.download_button(
        ctx.t("download_xlsx"),
        data=lambda: xlsx_bytes(export),
        file_name=f"{file_name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{key}",
        on_click="ignore",
    )


def _page(ctx: Context, shown: pd.DataFrame, key: str, page_size: int) -> pd.DataFrame:
    """The rows of the page chosen in a page selector above the table."""
    pages = math.ceil(len(shown) / page_size)
    page = st.number_input(
        ctx.t("table_page"), min_value=1, max_value=pages, value=1, step=1, key=f"page_{key}", width=160
    )
    start = (int(page) - 1) * page_size
    end = min(start + page_size, len(shown))
    st.caption(ctx.t("table_rows", start=start + 1, end=end, total=len(shown)))
    return shown.iloc[start:end]


def with_values(frame: pd.DataFrame, snapshot: pd.DataFrame, id_column: str, codes: Sequence[str]) -> pd.DataFrame:
    """``frame`` with one column per indicator code of ``snapshot`` (values by entity_id =
    ``id_column``); every code in ``codes`` is a column, NaN where it has no value."""
    if not snapshot.empty:
        wide = snapshot.pivot_table(index="entity_id", columns="indicator_code", values="value", aggfunc="first")
        frame = frame.merge(wide, left_on=id_column, right_index=True, how="left")
    for code in codes:
        if code not in frame.columns:
            frame[code] = float("nan")
    return frame


EXPORT_DIGITS = 15  # significant digits of exported floats: all a double holds, without the noise


def _without_float_noise(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns rounded to 15 significant digits (120112.68000000001 → 120112.68)."""
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_float_dtype(frame[column]):
            frame[column] = [
                v if i18n.is_missing(v) or not math.isfinite(v) else float(f"{v:.{EXPORT_DIGITS}g}")
                for v in frame[column]
            ]
    return frame


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV for Excel: UTF-8 with a byte-order mark, so Chinese headers and names open correctly;
    floats in full precision without float noise."""
    return _without_float_noise(frame).to_csv(index=False, float_format=f"%.{EXPORT_DIGITS}g").encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame) -> bytes:
    """The same table as an Excel workbook (one sheet, numbers as numbers)."""
    import io

    buffer = io.BytesIO()
    cleaned = _without_float_noise(frame)
    for column in cleaned.columns:
        if isinstance(cleaned[column].dtype, pd.DatetimeTZDtype):
            cleaned[column] = cleaned[column].dt.tz_localize(None)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        cleaned.to_excel(writer, index=False, sheet_name="data")
    return buffer.getvalue()


def trend_chart(
    ctx: Context, trend: pd.DataFrame, series_column: str, series_names: dict[str, str], unit: str | None
) -> None:
    """A line chart of indicator values over periods, one line per entity."""
    if trend.empty:
        st.info(ctx.t("no_data"))
        return
    frame = trend.assign(series=trend[series_column].map(lambda v: series_names.get(v, v)))
    values = frame.pivot_table(index="period_label", columns="series", values="value", aggfunc="first")
    if unit == "currency":
        values = values / i18n.money_table_scale(ctx.lang)
    elif unit == "ratio":
        values = values * 100
    st.line_chart(values)
    if unit == "currency":
        st.caption(ctx.t("chart_unit_money"))
    elif unit == "ratio":
        st.caption("%")


def scorecard(ctx: Context, snapshot: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator of a snapshot: names and formatted figures in the user's language."""
    rows = []
    order = {dimension: i for i, dimension in enumerate(i18n.DIMENSIONS)}
    for _, row in snapshot.iterrows():
        code = row["indicator_code"]
        unit = ctx.catalog.unit(code) or row.get("unit")
        spans = running_spans(ctx, row)
        dimension = ctx.catalog.dimension(code) or ""
        rows.append(
            {
                "dimension_order": order.get(dimension, 99),
                "dimension": ctx.t(f"dim_{dimension}") if f"dim_{dimension}" in i18n.TEXT else dimension,
                "indicator_code": code,
                "indicator": ctx.catalog.name(code),
                "value": row["value"],
                "value_text": i18n.format_value(row["value"], unit, ctx.lang),
                "target_text": i18n.format_value(row.get("target_value"), unit, ctx.lang),
                "attainment": row.get("attainment"),
                "vs_previous": _with_span(
                    i18n.format_delta(row["value"], row.get("previous_value"), unit, ctx.lang), spans, 0
                ),
                "vs_last_year": _with_span(
                    i18n.format_delta(row["value"], row.get("last_year_value"), unit, ctx.lang), spans, 1
                ),
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values(["dimension_order", "indicator_code"]).reset_index(drop=True)


def _with_span(delta: str | None, spans: tuple[str, str] | None, which: int) -> str:
    """A delta of a running period says which days it compares with."""
    if not delta:
        return "—"
    return f"{delta} ({spans[which]})" if spans else delta


SCORECARD_COLUMNS = (
    Column("dimension", "col_dimension"),
    Column("indicator", "col_indicator"),
    Column("indicator_code", "col_indicator_code"),
    Column("value_text", "col_value"),
    Column("value", "col_value_raw", "export"),
    Column("target_text", "col_target"),
    Column("attainment", "col_attainment", "ratio"),
    Column("vs_previous", "col_vs_previous"),
    Column("vs_last_year", "col_vs_last_year"),
)


def improved(ctx: Context, code: str, value: Any, previous: Any) -> bool | None:
    """Whether a value moved the good way since the previous period (None without both)."""
    if i18n.is_missing(value) or i18n.is_missing(previous):
        return None
    if float(value) == float(previous):
        return False
    rising = float(value) > float(previous)
    return rising if ctx.catalog.direction(code) != "lower_is_better" else not rising
