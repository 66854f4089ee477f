"""Manager dashboard entry point: `streamlit run dashboard/streamlit_app.py`.

Order of a run: navigation (hidden until logged in, so a deep link keeps its page) → language →
warehouse check (a friendly page when there is none) → login → sidebar filters → the page →
the selections written back to the URL.
"""

from __future__ import annotations

import logging
import os
import sys
import uuid
from pathlib import Path

import streamlit as st

PROJECT_DIR = Path(__file__).resolve().parents[1]
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from dashboard import auth, data, i18n, ui  # noqa: E402

LOG = logging.getLogger("salesperf.dashboard")
KEY_HOWTO = "export SALESPERF_DASHBOARD_COOKIE_KEY=\"$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')\""

PAGES = {
    "overview": ("app_pages/overview.py", "page_overview", ":material/dashboard:"),
    "teams": ("app_pages/teams.py", "page_teams", ":material/groups:"),
    "rep": ("app_pages/rep.py", "page_rep", ":material/person:"),
    "customers": ("app_pages/customers.py", "page_customers", ":material/storefront:"),
    "products": ("app_pages/products.py", "page_products", ":material/inventory_2:"),
    "data_quality": ("app_pages/data_quality.py", "page_data_quality", ":material/fact_check:"),
}


# Pages each role can use (the menu shows only these; the pages check the scope again).
ROLE_PAGES = {
    "director": tuple(PAGES),
    "manager": ("overview", "teams", "rep", "customers", "data_quality"),
    "rep": ("overview", "rep", "customers", "data_quality"),
}


def pages(lang: str, role: str | None = None) -> dict[str, st.Page]:
    """The pages of a role (all of them, hidden, before the login: a deep link keeps its page)."""
    names = ROLE_PAGES.get(role or "", tuple(PAGES))
    return {
        name: st.Page(path, title=i18n.t(title, lang), icon=icon, url_path=name, default=name == "overview")
        for name, (path, title, icon) in PAGES.items()
        if name in names
    }


def bilingual(key: str) -> str:
    return f"{i18n.t(key, 'zh')}\n\n{i18n.t(key, 'en')}"


def main() -> None:
    st.set_page_config(page_title="Sales performance · 销售绩效", page_icon=":material/leaderboard:", layout="wide")
    if os.environ.get("SALESPERF_DASHBOARD_RAISE_ERRORS") != "1":
        st.set_option("client.showErrorDetails", "none")  # never a traceback in the browser
    problem = auth.configuration_problem()
    if problem:
        LOG.error("dashboard refuses to serve: %s", problem)
        st.error(bilingual("not_configured"))
        st.code(KEY_HOWTO, language="bash")
        st.stop()
    try:
        with data.run_connection():  # one read-only connection per page load, not per query
            run()
    except Exception as error:  # noqa: BLE001 - details to the server log, a friendly message to the visitor
        if os.environ.get("SALESPERF_DASHBOARD_RAISE_ERRORS") == "1":
            raise
        incident = uuid.uuid4().hex[:8]
        LOG.exception("dashboard error %s: %s", incident, type(error).__name__)
        st.error(bilingual("internal_error") + f"\n\n(#{incident})")


def run() -> None:
    ui.start_run()
    # Navigation first, so a deep link keeps its page through the login; hidden until logged in.
    authenticated = bool(st.session_state.get("authentication_status"))
    principal = auth.current_principal() if authenticated else None
    page_objects = pages(ui.current_language(), principal.role if principal else None)
    navigation = st.navigation(list(page_objects.values()), position="sidebar" if authenticated else "hidden")
    lang = ui.select(
        i18n.t("language", "zh") + " · Language",
        i18n.LANGUAGES,
        key="lang",
        format_func=i18n.LANGUAGE_NAMES.get,
        default=i18n.detect_language(st.context.locale),
        container=st.sidebar,
    )
    st.title(i18n.t("app_title", lang))

    status = data.warehouse_status()
    if status.state != "ok":
        # The visitor sees what to do, never the server's path or the database's error text.
        LOG.error("dashboard: warehouse %s is %s: %s", status.path, status.state, status.detail)
        st.header(i18n.t("warehouse_missing_title", lang))
        key = {"missing": "warehouse_missing", "empty": "warehouse_empty"}.get(status.state, "warehouse_unreadable")
        st.warning(i18n.t(key, lang))
        return
    i18n.use_currency(data.base_currency())

    principal = auth.login(lang)
    if principal is None:
        return
    if not authenticated:
        st.rerun()  # logged in during this run: show the navigation and the requested page

    ui.build_context(principal, lang)
    goto = ui.pop_goto()
    if goto in page_objects and goto != navigation.url_path:
        st.switch_page(page_objects[goto])
    navigation.run()
    ui.finish_run()


main()
