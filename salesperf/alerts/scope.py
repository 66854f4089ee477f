"""The dashboard's access rules, reused: who sees which teams, reps and customers.

The digest imports the dashboard's own scope (``dashboard/data.py``: :class:`Principal`,
``SCOPE_CTES``) and users file (``dashboard/users.yaml`` or ``SALESPERF_DASHBOARD_USERS``:
the ``access`` section), so a recipient's digest and her dashboard can never disagree.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import yaml

from salesperf.settings import PROJECT_DIR

if str(PROJECT_DIR) not in sys.path:  # the dashboard package lives beside salesperf, not installed
    sys.path.insert(0, str(PROJECT_DIR))


def _quiet_streamlit() -> None:
    """dashboard.data decorates its queries with st.cache_data; outside `streamlit run` that logs
    a warning ("No runtime found") at import, which is noise in a cron mail."""
    from streamlit.logger import get_logger

    get_logger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)


_quiet_streamlit()

from dashboard.data import ROLES, SCOPE_CTES, Principal, _bind  # noqa: E402

# Alerts narrow the dashboard's rep scope for managers: reps now in one of her teams (and herself),
# not every rep who ever was (a rep who moved on is the new team's business).
ALERT_CTES = """,
alert_reps as (
    select allowed_reps.rep_id
    from allowed_reps
    left join main.dim_sales_reps as reps on allowed_reps.rep_id = reps.rep_id
    where $scope_role <> 'manager'
        or reps.current_team_id in (select team_id from allowed_teams)
        or allowed_reps.rep_id = $scope_rep_id
)
"""

__all__ = ["ALERT_CTES", "ROLES", "SCOPE_CTES", "Principal", "bind", "principal_from", "users_file_access"]


def bind(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """Only the named parameters the statement uses (the dashboard's binder)."""
    return _bind(sql, params)


def users_file_access(path: Path) -> dict[str, Any]:
    """The ``access`` section of a dashboard users file."""
    with open(path, encoding="utf-8") as handle:
        return (yaml.safe_load(handle) or {}).get("access") or {}


def principal_from(entry: dict[str, Any], access: dict[str, Any], where: str) -> Principal:
    """A recipient's scope: ``user: <dashboard username>`` (its access entry), or inline
    ``role`` / ``rep_id`` / ``teams`` with the users file's meaning."""
    if entry.get("user"):
        username = str(entry["user"]).lower()
        found = access.get(username)
        if found is None:
            raise ValueError(f"{where}: user {username!r} has no entry in the users file's access section")
        entry = {**found, "user": username}
    role = entry.get("role")
    if role not in ROLES:
        raise ValueError(f"{where}: role must be one of {ROLES} (or give `user:`), got {role!r}")
    if role in ("rep",) and not entry.get("rep_id"):
        raise ValueError(f"{where}: a rep needs rep_id")
    if role == "manager" and not (entry.get("teams") or entry.get("rep_id")):
        raise ValueError(f"{where}: a manager needs teams or rep_id (the teams she manages)")
    return Principal(
        username=str(entry.get("user") or entry.get("name") or role),
        role=role,
        rep_id=entry.get("rep_id"),
        team_ids=tuple(str(team) for team in entry.get("teams") or ()),
    )
