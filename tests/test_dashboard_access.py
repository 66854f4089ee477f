"""Row-level access: for each role the reps, teams and customers the dashboard shows equal the
allowed set, also when the URL names a forbidden team, rep or customer.

The allowed sets are computed here from the dimension tables with pandas, independently of the
SQL in dashboard/data.py.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

pytest.register_assert_rewrite("dashboard_fixtures")
from dashboard_fixtures import USERS_FILE, app_test, running_period  # noqa: E402

from dashboard import auth, data  # noqa: E402

pytest_plugins = ["dashboard_fixtures"]

USERS = ("director", "manager_east", "manager_south", "rep_demo")
PAGES = ("overview", "teams", "rep", "customers", "products", "data_quality")
ROLE_PAGES = {  # the menu of each role (issue 15: Products for directors only, Teams not for reps)
    "director": PAGES,
    "manager": ("overview", "teams", "rep", "customers", "data_quality"),
    "rep": ("overview", "rep", "customers", "data_quality"),
}


def dimension_tables(warehouse: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            name: con.execute(f"select * from main.{name}").df()
            for name in ("dim_teams", "dim_sales_reps", "dim_customers", "dim_rep_team_history")
        }
    finally:
        con.close()


def allowed_sets(warehouse: Path, principal: data.Principal) -> dict[str, set[str]]:
    """teams / reps / customers a principal may see, by the rules in docs/dashboard.md."""
    dims = dimension_tables(warehouse)
    teams, reps, customers, history = (
        dims["dim_teams"], dims["dim_sales_reps"], dims["dim_customers"], dims["dim_rep_team_history"]
    )  # fmt: skip
    if principal.role == "director":
        return {
            "teams": set(teams["team_id"]),
            "reps": set(reps["rep_id"]),
            "customers": set(customers["customer_id"]),
        }
    allowed_teams: set[str] = set()
    if principal.role == "manager":
        allowed_teams = set(principal.team_ids) | set(teams.loc[teams["manager_rep_id"] == principal.rep_id, "team_id"])
        while True:
            children = set(teams.loc[teams["parent_team_id"].isin(allowed_teams), "team_id"]) - allowed_teams
            if not children:
                break
            allowed_teams |= children
    allowed_reps = (
        set(history.loc[history["team_id"].isin(allowed_teams), "rep_id"])
        | set(reps.loc[reps["current_team_id"].isin(allowed_teams), "rep_id"])
        | ({principal.rep_id} if principal.rep_id else set())
    )
    current_members = set(reps.loc[reps["current_team_id"].isin(allowed_teams), "rep_id"])
    allowed_customers = set(
        customers.loc[
            customers["owner_rep_id"].isin(current_members) | (customers["owner_rep_id"] == principal.rep_id),
            "customer_id",
        ]
    )
    return {"teams": allowed_teams, "reps": allowed_reps, "customers": allowed_customers}


@pytest.fixture(scope="module")
def users() -> dict:
    return auth.load_users(USERS_FILE)


def principal(users: dict, username: str) -> data.Principal:
    found = auth.principal_for(username, users)
    assert found is not None
    return found


def forbidden(warehouse: Path, kind: str, allowed: set[str]) -> str:
    dims = dimension_tables(warehouse)
    column, table = {"teams": ("team_id", "dim_teams"), "reps": ("rep_id", "dim_sales_reps"),
                     "customers": ("customer_id", "dim_customers")}[kind]  # fmt: skip
    outside = sorted(set(dims[table][column]) - allowed)
    assert outside, f"no {kind} outside the scope to test with"
    return outside[0]


# ------------------------------------------------------------------------------------------------
# The users file
# ------------------------------------------------------------------------------------------------


def test_users_file_maps_every_demo_user_to_ids_of_the_demo_data(users: dict, dashboard_env: Path) -> None:
    dims = dimension_tables(dashboard_env)
    assert set(users["credentials"]["usernames"]) == set(USERS)
    for username in USERS:
        scope = principal(users, username)
        assert users["credentials"]["usernames"][username]["roles"] == [scope.role]
        assert users["credentials"]["usernames"][username]["password"].startswith("$2b$")
        if scope.rep_id:
            assert scope.rep_id in set(dims["dim_sales_reps"]["rep_id"])
        assert set(scope.team_ids) <= set(dims["dim_teams"]["team_id"])
    assert principal(users, "manager_east").team_ids and principal(users, "rep_demo").role == "rep"


def test_a_users_file_without_access_entry_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "users.yaml"
    bad.write_text("credentials:\n  usernames:\n    someone:\n      password: x\naccess: {}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="someone"):
        auth.load_users(bad)


# ------------------------------------------------------------------------------------------------
# The data module: visible sets and forbidden ids
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", USERS)
def test_visible_sets_equal_the_allowed_sets(users: dict, dashboard_env: Path, username: str) -> None:
    scope = principal(users, username)
    allowed = allowed_sets(dashboard_env, scope)
    assert set(data.visible_teams(scope)["team_id"]) == allowed["teams"]
    assert set(data.visible_reps(scope)["rep_id"]) == allowed["reps"]
    assert set(data.visible_customers(scope)["customer_id"]) == allowed["customers"]
    if scope.role != "director":
        assert len(allowed["customers"]) < len(dimension_tables(dashboard_env)["dim_customers"])
    if scope.role == "manager":
        assert len(allowed["teams"]) >= 2  # their team and its child team


@pytest.mark.parametrize("username", USERS)
def test_indicator_rows_stay_inside_the_scope(users: dict, dashboard_env: Path, username: str) -> None:
    scope = principal(users, username)
    allowed = allowed_sets(dashboard_env, scope)
    month = running_period(dashboard_env, "month")
    for grain, kind in (("team", "teams"), ("rep", "reps"), ("customer", "customers")):
        rows = data.indicator_snapshot(scope, grain, "month", month, codes=["sales_amount"])
        assert set(rows["entity_id"]) <= allowed[kind], grain
        trend = data.indicator_trend(scope, grain, "month", month, codes=["sales_amount"])
        assert set(trend["entity_id"]) <= allowed[kind], grain
    for grain in ("company", "product"):
        rows = data.indicator_snapshot(scope, grain, "month", month)
        assert rows.empty == (scope.role != "director"), grain
    owned = data.customers_owned(scope, "month", month)
    assert set(owned["customer_id"]) <= allowed["customers"]


@pytest.mark.parametrize("username", ["manager_east", "manager_south", "rep_demo"])
def test_asking_for_forbidden_ids_returns_nothing(users: dict, dashboard_env: Path, username: str) -> None:
    scope = principal(users, username)
    allowed = allowed_sets(dashboard_env, scope)
    month = running_period(dashboard_env, "month")
    for grain, kind in (("team", "teams"), ("rep", "reps"), ("customer", "customers")):
        other = forbidden(dashboard_env, kind, allowed[kind])
        assert data.indicator_snapshot(scope, grain, "month", month, entity_ids=[other]).empty
        assert data.indicator_trend(scope, grain, "month", month, entity_ids=[other]).empty
    for other_team in set(dimension_tables(dashboard_env)["dim_teams"]["team_id"]) - allowed["teams"]:
        owned = data.customers_owned(scope, "month", month, team_ids=[other_team])
        assert set(owned["customer_id"]) <= allowed["customers"]  # a rep's own customers are in their team
        assert data.reps_in_team(scope, other_team, month, month).empty
    other_customer = forbidden(dashboard_env, "customers", allowed["customers"])
    snapshots = data.clv_snapshots(scope, other_customer, month)
    assert snapshots is None or snapshots.empty
    assert data.visible_products(scope).empty


# ------------------------------------------------------------------------------------------------
# The app: what every page shows, with forbidden ids in the URL
# ------------------------------------------------------------------------------------------------


def selectbox(at, key: str):
    """The selectbox of a selection (its widget key is "<key>.<lang>")."""
    found = [box for box in at.selectbox if box.key and box.key.split(".")[0] == key]
    assert len(found) == 1, [box.key for box in at.selectbox]
    return found[0]


def option_id(option: str) -> str:
    """The id of a selectbox option shown as "name (id)"; "" for the "All" option."""
    return option.rsplit("(", 1)[1].rstrip(")") if option.endswith(")") else ""


def shown_ids(at) -> dict[str, set[str]]:
    """Team, rep and customer ids in every table and selectbox option of a run."""
    ids: dict[str, set[str]] = {"teams": set(), "reps": set(), "customers": set()}
    for element in at.dataframe:
        frame = element.value
        for column, kind in (("team_id", "teams"), ("rep_id", "reps"), ("customer_id", "customers"),
                             ("owner_rep_id", "reps")):  # fmt: skip
            if column in frame.columns:
                ids[kind] |= set(frame[column].dropna())
        if "grain" in frame.columns and "entity_id" in frame.columns:
            for grain, kind in (("team", "teams"), ("rep", "reps")):
                ids[kind] |= set(frame.loc[frame["grain"] == grain, "entity_id"])
    for key, kind in (("team", "teams"), ("rep", "reps"), ("customer", "customers")):
        for box in at.selectbox:
            if box.key.split(".")[0] == key:
                ids[kind] |= {option_id(option) for option in box.options} - {""}
                ids[kind] |= {box.value} if box.value else set()
    return ids


@pytest.mark.parametrize("username", ["manager_east", "rep_demo"])
def test_pages_show_only_allowed_ids_even_with_forbidden_ids_in_the_url(
    users: dict, dashboard_env: Path, username: str
) -> None:
    scope = principal(users, username)
    allowed = allowed_sets(dashboard_env, scope)
    params = {
        "team": forbidden(dashboard_env, "teams", allowed["teams"]),
        "rep": forbidden(dashboard_env, "reps", allowed["reps"]),
        "customer": forbidden(dashboard_env, "customers", allowed["customers"]),
    }
    at = app_test(username, params).run()
    assert not at.exception
    for page in ROLE_PAGES[scope.role]:
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, page
        ids = shown_ids(at)
        for kind in ("teams", "reps", "customers"):
            assert ids[kind] <= allowed[kind], (page, kind, ids[kind] - allowed[kind])
        text = " ".join(str(e.value) for e in [*at.markdown, *at.header, *at.subheader, *at.caption])
        for value in params.values():
            assert value not in text, (page, value)
        assert at.query_params.get("team") != params["team"]
        assert at.query_params.get("rep") != params["rep"]
        assert at.query_params.get("customer") != params["customer"]


def test_manager_teams_page_lists_exactly_their_teams(users: dict, dashboard_env: Path) -> None:
    scope = principal(users, "manager_east")
    allowed = allowed_sets(dashboard_env, scope)
    at = app_test("manager_east", {"team": forbidden(dashboard_env, "teams", allowed["teams"])}).run()
    at.switch_page("app_pages/teams.py").run()
    assert set(at.dataframe[0].value["team_id"]) == allowed["teams"]
    assert {option_id(option) for option in selectbox(at, "team").options} - {""} == allowed["teams"]


def test_manager_drills_only_into_own_teams_and_reps(users: dict, dashboard_env: Path) -> None:
    scope = principal(users, "manager_east")
    allowed = allowed_sets(dashboard_env, scope)
    at = app_test("manager_east").run()
    at.switch_page("app_pages/teams.py").run()
    drill_buttons = {button.key for button in at.button if button.key and button.key.startswith("drill_team_")}
    assert {key.removeprefix("drill_team_") for key in drill_buttons} == allowed["teams"]
    at.button(key="drill_team_T008").click().run()
    reps = set(at.dataframe[0].value["rep_id"])
    assert reps and reps <= allowed["reps"]
    at.switch_page("app_pages/rep.py").run()
    assert {option_id(option) for option in selectbox(at, "rep").options} <= allowed["reps"]


def test_rep_sees_only_themselves(users: dict, dashboard_env: Path) -> None:
    at = app_test("rep_demo", {"rep": "R0002"}).run()
    at.switch_page("app_pages/rep.py").run()
    assert [option_id(option) for option in selectbox(at, "rep").options] == ["R0026"]
    assert selectbox(at, "rep").value == "R0026"
    for hidden in ("teams", "products"):  # not in a rep's menu, and not reachable by its path
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"app_pages/{hidden}.py")


# ------------------------------------------------------------------------------------------------
# Scope by period, defaults and messages (issue 15, items 5 and 13)
# ------------------------------------------------------------------------------------------------


def moved_rep(warehouse: Path, allowed_teams: set[str]) -> tuple[str, pd.Timestamp]:
    """A rep who left the manager's teams for a team outside them: (rep id, date of the move)."""
    history = dimension_tables(warehouse)["dim_rep_team_history"].sort_values(["rep_id", "valid_from"])
    for rep_id, rows in history.groupby("rep_id"):
        inside = rows.loc[rows["team_id"].isin(allowed_teams)]
        later = rows.loc[~rows["team_id"].isin(allowed_teams) & rows["valid_to"].isna()]
        if not inside.empty and not later.empty and inside["valid_to"].notna().all():
            return str(rep_id), pd.Timestamp(later["valid_from"].iloc[0])
    raise AssertionError("the demo data has no rep who moved out of these teams")


def test_a_moved_reps_later_periods_are_hidden_from_the_old_manager(users: dict, dashboard_env: Path) -> None:
    scope = principal(users, "manager_east")
    allowed = allowed_sets(dashboard_env, scope)
    rep_id, moved_on = moved_rep(dashboard_env, allowed["teams"])
    history = dimension_tables(dashboard_env)["dim_rep_team_history"]
    spans = history.loc[(history["rep_id"] == rep_id) & history["team_id"].isin(allowed["teams"])]
    con = duckdb.connect(str(dashboard_env), read_only=True)
    try:
        months = con.execute("select period_start, period_end from main.dim_periods where period_type = 'month'").df()
        with_sales = set(
            con.execute(
                "select period_start from main.indicator_values where indicator_code = 'sales_amount'"
                " and grain = 'rep' and entity_id = ? and period_type = 'month'",
                [rep_id],
            )
            .df()["period_start"]
            .map(pd.Timestamp)
        )
    finally:
        con.close()
    expected = set()
    for _, month in months.iterrows():
        start, end = pd.Timestamp(month["period_start"]), pd.Timestamp(month["period_end"])
        in_team = any(
            pd.Timestamp(span["valid_from"]) <= end
            and (pd.isna(span["valid_to"]) or pd.Timestamp(span["valid_to"]) > start)
            for _, span in spans.iterrows()
        )
        if in_team and start in with_sales:
            expected.add(start)
    latest = running_period(dashboard_env, "month")
    trend = data.indicator_trend(scope, "rep", "month", latest, ["sales_amount"], [rep_id], periods_back=200)
    shown = set(trend["period_start"].map(pd.Timestamp))
    assert shown == expected
    assert shown and max(shown) < moved_on and max(shown) >= moved_on - pd.offsets.MonthBegin(1)
    assert any(start >= moved_on for start in with_sales)  # the rep has later figures, hidden here
    # the director still sees every period
    director = principal(users, "director")
    everything = data.indicator_trend(director, "rep", "month", latest, ["sales_amount"], [rep_id], periods_back=200)
    assert set(everything["period_start"].map(pd.Timestamp)) == with_sales

    # the rep page: a month after the move names no figure of the rep and says why
    after = (moved_on + pd.offsets.MonthBegin(2)).date()
    at = app_test("manager_east", {"rep": rep_id, "period": after.isoformat()}).run()
    at.switch_page("app_pages/rep.py").run()
    assert not at.exception
    assert selectbox(at, "rep").value != rep_id
    assert rep_id not in {option_id(option) for option in selectbox(at, "rep").options}
    assert any("not in your scope" in info.value for info in at.info)
    # ... a month before the move shows the rep
    before = (moved_on - pd.offsets.MonthBegin(2)).date()
    at = app_test("manager_east", {"rep": rep_id, "period": before.isoformat()}).run()
    at.switch_page("app_pages/rep.py").run()
    assert not at.exception and selectbox(at, "rep").value == rep_id


def test_a_manager_opening_the_rep_page_lands_on_one_of_her_reps(users: dict, dashboard_env: Path) -> None:
    scope = principal(users, "manager_east")
    reps = dimension_tables(dashboard_env)["dim_sales_reps"].set_index("rep_id")
    at = app_test("manager_east").run()
    at.switch_page("app_pages/rep.py").run()
    chosen = selectbox(at, "rep").value
    assert chosen not in auth.staff_rep_ids(users)  # not the director R0001, not herself
    assert reps.loc[chosen, "current_team_id"] in allowed_sets(dashboard_env, scope)["teams"]
    assert not at.warning and not at.info


@pytest.mark.parametrize(("lang", "text"), [("en", "Not in your scope"), ("zh", "无权查看")])
def test_an_out_of_scope_id_in_the_url_says_so(users: dict, dashboard_env: Path, lang: str, text: str) -> None:
    scope = principal(users, "manager_east")
    allowed = allowed_sets(dashboard_env, scope)
    other_rep = forbidden(dashboard_env, "reps", allowed["reps"])
    at = app_test("manager_east", {"lang": lang, "rep": other_rep}).run()
    at.switch_page("app_pages/rep.py").run()
    assert not at.exception
    assert any(text in warning.value for warning in at.warning)
    shown = selectbox(at, "rep").value
    assert shown in allowed["reps"]
    # the notice stays through a rerun (a cookie being set, a lazy section opening) ...
    at.run()
    assert any(text in warning.value for warning in at.warning)
    # ... until the visitor picks a rep herself
    box = selectbox(at, "rep")
    box.select(next(option_id(o) for o in box.options if option_id(o) not in ("", shown))).run()
    assert not any(text in warning.value for warning in at.warning)
    other_team = forbidden(dashboard_env, "teams", allowed["teams"])
    at = app_test("manager_east", {"lang": lang, "team": other_team}).run()
    assert any(text in warning.value for warning in at.warning)
    rep_at = app_test("rep_demo", {"lang": lang, "rep": "R0002"}).run()
    rep_at.switch_page("app_pages/rep.py").run()
    assert any(text in warning.value for warning in rep_at.warning)
    assert selectbox(rep_at, "rep").value == "R0026"
