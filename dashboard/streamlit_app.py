"""Manager dashboard entry point: `streamlit run dashboard/streamlit_app.py`.

Order of a run: navigation (hidden until logged in, so a deep link keeps its page) → language →
warehouse check (a friendly page when there is none) → login → sidebar filters → the page →
the selections written back to the URL.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

PROJECT_DIR = Path(__file__).resolve().parents[1]
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from dashboard import auth, data, i18n, ui  # noqa: E402

PAGES = {
    "overview": ("app_pages/overview.py", "page_overview", ":material/dashboard:"),
    "teams": ("app_pages/teams.py", "page_teams", ":material/groups:"),
    "rep": ("app_pages/rep.py", "page_rep", ":material/person:"),
    "customers": ("app_pages/customers.py", "page_customers", ":material/storefront:"),
    "products": ("app_pages/products.py", "page_products", ":material/inventory_2:"),
    "data_quality": ("app_pages/data_quality.py", "page_data_quality", ":material/fact_check:"),
}


def pages(lang: str) -> dict[str, st.Page]:
    return {
        name: st.Page(path, title=i18n.t(title, lang), icon=icon, url_path=name, default=name == "overview")
        for name, (path, title, icon) in PAGES.items()
    }


def main() -> None:
    st.set_page_config(page_title="Sales performance · 销售绩效", page_icon=":material/leaderboard:", layout="wide")
    ui.start_run()
    # Navigation first, so a deep link keeps its page through the login; hidden until logged in.
    authenticated = bool(st.session_state.get("authentication_status"))
    page_objects = pages(ui.current_language())
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
        st.header(i18n.t("warehouse_missing_title", lang))
        key = {"missing": "warehouse_missing", "empty": "warehouse_empty"}.get(status.state, "warehouse_unreadable")
        st.warning(i18n.t(key, lang, path=status.path, error=status.detail))
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
