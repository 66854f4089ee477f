"""Login (streamlit-authenticator, bcrypt hashes in a YAML file) and the user's access scope.

The users file (env ``SALESPERF_DASHBOARD_USERS``, default ``dashboard/users.yaml``) has the
streamlit-authenticator ``credentials`` section and an ``access`` section that maps each
username to a role and ids::

    access:
      director:    {role: director}
      manager_t01: {role: manager, rep_id: R0003, teams: [T01]}
      rep_r0007:   {role: rep, rep_id: R0007}

The cookie that keeps a browser logged in is signed with ``SALESPERF_DASHBOARD_COOKIE_KEY``;
without it a random key is made per server process (logins then last until a restart).
"""

from __future__ import annotations

import copy
import os
import secrets
from pathlib import Path
from typing import Any

import streamlit as st
import yaml

from dashboard import data, i18n

DEFAULT_USERS_FILE = Path(__file__).resolve().parent / "users.yaml"


def users_file() -> Path:
    return Path(os.environ.get("SALESPERF_DASHBOARD_USERS", str(DEFAULT_USERS_FILE))).expanduser()


def load_users(path: Path | None = None) -> dict[str, Any]:
    """The users file, checked: every credential has an access entry with a known role."""
    with open(path or users_file(), encoding="utf-8") as handle:
        config = yaml.safe_load(handle) or {}
    usernames = (config.get("credentials") or {}).get("usernames") or {}
    access = config.get("access") or {}
    for username in usernames:
        entry = access.get(username)
        if entry is None or entry.get("role") not in data.ROLES:
            raise ValueError(f"users file: {username!r} needs an access entry with a role in {data.ROLES}")
    return config


def principal_for(username: str | None, config: dict[str, Any]) -> data.Principal | None:
    """The access scope of a username from the users file (None for an unknown user)."""
    if not username:
        return None
    entry = (config.get("access") or {}).get(str(username).lower())
    if entry is None:
        return None
    return data.Principal(
        username=str(username).lower(),
        role=entry["role"],
        rep_id=entry.get("rep_id"),
        team_ids=tuple(str(team) for team in entry.get("teams") or ()),
    )


@st.cache_resource
def _process_cookie_key() -> str:
    return secrets.token_urlsafe(32)


def _authenticator(config: dict[str, Any]) -> Any:
    import streamlit_authenticator as stauth

    cookie = config.get("cookie") or {}
    return stauth.Authenticate(
        copy.deepcopy(config["credentials"]),
        cookie_name=cookie.get("name", "salesperf_dashboard"),
        cookie_key=os.environ.get("SALESPERF_DASHBOARD_COOKIE_KEY") or _process_cookie_key(),
        cookie_expiry_days=float(cookie.get("expiry_days", 1)),
        auto_hash=False,
    )


def login(lang: str) -> data.Principal | None:
    """Show the login form until the user is authenticated; then the logout button and scope."""
    config = load_users()
    authenticator = _authenticator(config)
    authenticator.login(
        location="main",
        fields={
            "Form name": i18n.t("login_title", lang),
            "Username": i18n.t("username", lang),
            "Password": i18n.t("password", lang),
            "Login": i18n.t("login_button", lang),
        },
        key="login",
    )
    status = st.session_state.get("authentication_status")
    if status is False:
        st.error(i18n.t("login_failed", lang))
    if not status:
        st.caption(i18n.t("login_hint", lang))
        return None
    principal = principal_for(st.session_state.get("username"), config)
    if principal is None:
        st.error(i18n.t("unknown_user", lang))
        return None
    st.sidebar.caption(
        i18n.t(
            "signed_in_as",
            lang,
            name=st.session_state.get("name") or principal.username,
            role=i18n.t(f"role_{principal.role}", lang),
        )
    )
    authenticator.logout(i18n.t("logout", lang), location="sidebar", key="logout_button")
    if not st.session_state.get("authentication_status"):
        st.rerun()
    return principal
