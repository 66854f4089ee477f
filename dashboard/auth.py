"""Login, server-side sessions, lockout and the user's access scope.

The users file (env ``SALESPERF_DASHBOARD_USERS``, default ``dashboard/users.yaml``) has the
streamlit-authenticator ``credentials`` section (bcrypt hashes) and an ``access`` section that maps
each username to a role and ids::

    access:
      director:    {role: director}
      manager_t01: {role: manager, rep_id: R0003, teams: [T01]}
      rep_r0007:   {role: rep, rep_id: R0007}

Sessions (see :mod:`dashboard.auth_store`): a login creates a server-side session row; the browser
cookie is a JWT (HS256 only) signed with ``SALESPERF_DASHBOARD_COOKIE_KEY`` that carries the
username, the session id and the expiry. A cookie is accepted only when its signature, algorithm
and expiry are right *and* its session is open (not logged out, not expired, same password hash);
anything else — forged, ``alg: none``, expired, garbage, replayed after logout — gives the login
form. Failed attempts are counted per user and per client (backoff, then lockout) in the same
state file, and every attempt is logged there and in the server log.

Production mode (``SALESPERF_DASHBOARD_MODE=production``) refuses to serve without a cookie key of
at least 32 characters; elsewhere a random key is generated once and kept in the state file.

streamlit-authenticator 0.4.2 is used for its password check (``Hasher.check_pw``) and its cookie
component (extra-streamlit-components' CookieManager); its own login widget is not used: it reads
the cookie with a decoder that lets ``InvalidAlgorithmError`` escape as a traceback, has no
server-side session and cannot refuse a replayed cookie. The cookie is written by JavaScript in a
component frame, so it **cannot be HttpOnly**; it is ``SameSite=Strict``, ``Path=/`` and
``Secure`` when ``SALESPERF_DASHBOARD_COOKIE_SECURE=1`` (default in production mode: serve over
HTTPS). A stolen cookie is limited by the session row: logout, a password change or expiry end it.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import logging
import math
import os
import time
from pathlib import Path
from typing import Any

import streamlit as st
import yaml

from dashboard import auth_store, data, i18n

DEFAULT_USERS_FILE = Path(__file__).resolve().parent / "users.yaml"
COOKIE_NAME = "salesperf_dashboard"
MIN_KEY_LENGTH = 32
LOG = logging.getLogger("salesperf.dashboard.auth")

_SESSION_ID = "_auth_session_id"
_COOKIE_TOKEN = "_auth_cookie_token"
_COOKIE_EXPIRES = "_auth_cookie_expires"
_COOKIE_DELETE = "_auth_cookie_delete"
_LOGGED_OUT = "_auth_logged_out"
_COOKIE_CHECKED = "_auth_cookie_checked"


def users_file() -> Path:
    return Path(os.environ.get("SALESPERF_DASHBOARD_USERS", str(DEFAULT_USERS_FILE))).expanduser()


def load_users(path: Path | None = None) -> dict[str, Any]:
    """The users file, checked: every credential has an access entry with a known role (read at
    every call, parsed once per content: a new password hash counts at once)."""
    text = Path(path or users_file()).read_text(encoding="utf-8")
    return copy.deepcopy(_parse_users(text))


@functools.lru_cache(maxsize=8)
def _parse_users(text: str) -> dict[str, Any]:
    config = yaml.safe_load(text) or {}
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


def staff_rep_ids(config: dict[str, Any]) -> set[str]:
    """Rep ids of the users file's directors and managers (not a manager's "own reps")."""
    return {
        str(entry["rep_id"])
        for entry in (config.get("access") or {}).values()
        if entry.get("rep_id") and entry.get("role") in ("director", "manager")
    }


# ---------------------------------------------------------------------------------------------
# Configuration: production mode and the cookie key
# ---------------------------------------------------------------------------------------------


def production_mode() -> bool:
    return os.environ.get("SALESPERF_DASHBOARD_MODE", "").strip().lower() in ("production", "prod")


def configuration_problem() -> str | None:
    """Why the dashboard must not serve (production mode without a proper cookie key), else None."""
    if not production_mode():
        return None
    key = os.environ.get("SALESPERF_DASHBOARD_COOKIE_KEY", "")
    if len(key) < MIN_KEY_LENGTH:
        return (
            "SALESPERF_DASHBOARD_MODE=production needs SALESPERF_DASHBOARD_COOKIE_KEY (at least "
            f'{MIN_KEY_LENGTH} characters), e.g. export SALESPERF_DASHBOARD_COOKIE_KEY="$(python3 -c '
            "'import secrets; print(secrets.token_urlsafe(48))')\""
        )
    return None


def check_startup() -> None:
    """Exit the process (a server start command) when production mode lacks its cookie key."""
    problem = configuration_problem()
    if problem:
        raise SystemExit(f"dashboard: refusing to start: {problem}")


def cookie_key() -> str:
    key = os.environ.get("SALESPERF_DASHBOARD_COOKIE_KEY", "")
    if key:
        return key
    if production_mode():  # configuration_problem() stops the app before this
        raise RuntimeError("production mode without SALESPERF_DASHBOARD_COOKIE_KEY")
    return auth_store.stored_cookie_key()


def cookie_secure() -> bool:
    value = os.environ.get("SALESPERF_DASHBOARD_COOKIE_SECURE")
    if value is None:
        return production_mode()
    return value.strip().lower() in ("1", "true", "yes")


def cookie_settings(config: dict[str, Any]) -> tuple[str, float]:
    cookie = config.get("cookie") or {}
    return str(cookie.get("name") or COOKIE_NAME), float(cookie.get("expiry_days", 1))


def client_address() -> str:
    """The visitor's address as Streamlit sees it ("unknown" outside a server, e.g. AppTest).
    Behind a reverse proxy every visitor has the proxy's address: with
    ``SALESPERF_DASHBOARD_TRUST_PROXY=1`` the first address of ``X-Forwarded-For`` is used (only
    when the proxy sets that header itself; otherwise a visitor could choose their address)."""
    try:
        address = st.context.ip_address
        if os.environ.get("SALESPERF_DASHBOARD_TRUST_PROXY") == "1":
            forwarded = st.context.headers.get("X-Forwarded-For")
            if isinstance(forwarded, str) and forwarded.strip():
                address = forwarded.split(",")[0].strip()
    except Exception:  # noqa: BLE001 - no request context
        return "unknown"
    return address if isinstance(address, str) and address else "unknown"


# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------


def encode_token(username: str, session_id: str, expires_at: float, key: str) -> str:
    import jwt

    return jwt.encode(
        {"username": username, "sid": session_id, "exp": int(expires_at), "iat": int(time.time())},
        key,
        algorithm="HS256",
    )


def user_for_token(token: Any, config: dict[str, Any], key: str) -> tuple[str, str] | None:
    """(username, session id) of a valid cookie, else None — never raises: a forged, unsigned
    (``alg: none``), expired, revoked or garbage cookie is simply not a login."""
    import jwt

    if not isinstance(token, str) or not token or len(token) > 4096:
        return None
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"], options={"require": ["exp", "sid", "username"]})
        username, session_id = str(claims["username"]).lower(), str(claims["sid"])
        user = ((config.get("credentials") or {}).get("usernames") or {}).get(username)
        if user is None or principal_for(username, config) is None:
            return None
        if not auth_store.session_valid(session_id, username, str(user.get("password", ""))):
            return None
        return username, session_id
    except Exception as error:  # noqa: BLE001 - any bad cookie is a logged-out visitor
        LOG.info("refused a dashboard cookie from %s: %s", client_address(), type(error).__name__)
        return None


# ---------------------------------------------------------------------------------------------
# The cookie component (extra-streamlit-components, as streamlit-authenticator uses it)
# ---------------------------------------------------------------------------------------------


def _cookie_component(**kwargs: Any) -> None:
    from extra_streamlit_components.CookieManager import _component_func

    with st.sidebar:
        st.markdown(
            '<style>.element-container:has(iframe[height="0"]) { display: none; }</style>', unsafe_allow_html=True
        )
        _component_func(default=False, **kwargs)


def _sync_cookie(name: str) -> None:
    """Write (or delete) the browser cookie. Rendered in *every* run with the same arguments, so the
    component stays mounted across the rerun that follows a login: a component drawn only in the
    run that logged in is dropped by that rerun before its script runs in some browsers (the
    cookie was then set after only some logins)."""
    token = st.session_state.get(_COOKIE_TOKEN)
    if token and st.session_state.get("authentication_status"):
        options = {
            "path": "/",
            "expires": dt.datetime.fromtimestamp(st.session_state[_COOKIE_EXPIRES], dt.UTC).isoformat(),
            "sameSite": "strict",
        }
        if cookie_secure():
            options["secure"] = True
        _cookie_component(method="set", cookie=name, value=token, options=options, key="auth_cookie_set")
    elif st.session_state.get(_COOKIE_DELETE):
        _cookie_component(method="delete", cookie=name, key="auth_cookie_delete")


def _start_session(username: str, name: str | None, session_id: str, token: str | None, expires: float) -> None:
    st.session_state.update(
        {
            "authentication_status": True,
            "username": username,
            "name": name or username,
            _SESSION_ID: session_id,
            _COOKIE_TOKEN: token,
            _COOKIE_EXPIRES: expires,
        }
    )
    st.session_state.pop(_COOKIE_DELETE, None)
    st.session_state.pop(_LOGGED_OUT, None)


def _restore_from_cookie(config: dict[str, Any], name: str) -> None:
    """Log in from the browser's cookie once per browser session (not after a logout in it)."""
    if st.session_state.get(_LOGGED_OUT) or st.session_state.get(_COOKIE_CHECKED):
        return
    st.session_state[_COOKIE_CHECKED] = True
    try:
        token = st.context.cookies.get(name)
    except Exception:  # noqa: BLE001 - no request context (AppTest)
        token = None
    if not token:
        return
    found = user_for_token(token, config, cookie_key())
    if found is None:
        st.session_state[_COOKIE_DELETE] = True  # drop the bad cookie from the browser
        return
    username, session_id = found
    import jwt

    expires = float(jwt.decode(token, options={"verify_signature": False})["exp"])
    user = config["credentials"]["usernames"][username]
    _start_session(username, user.get("name"), session_id, token, expires)


def _lockout_message(lang: str, seconds: float) -> str:
    if seconds >= 60:
        return i18n.t("login_locked_minutes", lang, minutes=math.ceil(seconds / 60))
    return i18n.t("login_locked_seconds", lang, seconds=math.ceil(seconds))


def _attempt(config: dict[str, Any], username: str, password: str, lang: str) -> bool:
    """One login attempt through the lockout rule; True when it logged in."""
    from streamlit_authenticator import Hasher

    username = username.strip().lower()
    client = client_address()
    wait = auth_store.retry_after(username, client)
    if wait > 0:
        auth_store.record_attempt(username, client, "locked")
        LOG.warning("dashboard login refused (locked, %.0f s left): user=%r client=%s", wait, username, client)
        st.error(_lockout_message(lang, wait))
        return False
    user = ((config.get("credentials") or {}).get("usernames") or {}).get(username)
    valid = False
    if user is not None and principal_for(username, config) is not None:
        try:
            valid = bool(Hasher.check_pw(password, str(user.get("password", ""))))
        except (TypeError, ValueError):
            LOG.error("users file: the password of %r is not a bcrypt hash", username)
    else:
        Hasher.check_pw(password, _dummy_hash())  # the same time as for a known user: no user enumeration
    if not valid:
        outcome = "wrong_password" if user is not None else "unknown_user"
        auth_store.record_attempt(username, client, outcome)
        LOG.warning("dashboard login failed (%s): user=%r client=%s", outcome, username, client)
        st.session_state["authentication_status"] = False
        wait = auth_store.retry_after(username, client)
        st.error(i18n.t("login_failed", lang) + (" " + _lockout_message(lang, wait) if wait > 0 else ""))
        return False
    auth_store.record_attempt(username, client, "success")
    LOG.info("dashboard login: user=%r client=%s", username, client)
    _, expiry_days = cookie_settings(config)
    lifetime = max(expiry_days, 1 / 24) * 86400
    session_id, expires = auth_store.create_session(username, str(user["password"]), lifetime)
    token = encode_token(username, session_id, expires, cookie_key()) if expiry_days > 0 else None
    _start_session(username, user.get("name"), session_id, token, expires)
    return True


@st.cache_resource
def _dummy_hash() -> str:
    import bcrypt

    return bcrypt.hashpw(b"not a password of anyone", bcrypt.gensalt(12)).decode()


def _login_form(config: dict[str, Any], lang: str) -> None:
    with st.form("login"):
        st.subheader(i18n.t("login_title", lang))
        username = st.text_input(i18n.t("username", lang), autocomplete="username")
        password = st.text_input(i18n.t("password", lang), type="password", autocomplete="current-password")
        if st.form_submit_button(i18n.t("login_button", lang)) and username:
            _attempt(config, username, password, lang)


def logout() -> None:
    """Button callback: revoke the server-side session and forget it in this browser session."""
    session_id = st.session_state.get(_SESSION_ID)
    if session_id:
        auth_store.revoke_session(session_id, "logout")
    LOG.info("dashboard logout: user=%r", st.session_state.get("username"))
    for key in ("name", "username", "authentication_status", _SESSION_ID, _COOKIE_TOKEN, _COOKIE_EXPIRES):
        st.session_state.pop(key, None)
    st.session_state[_LOGGED_OUT] = True
    st.session_state[_COOKIE_DELETE] = True


def session_still_valid(config: dict[str, Any]) -> bool:
    """An open browser session whose server-side session was revoked (logout elsewhere, password
    changed) ends at its next run."""
    session_id = st.session_state.get(_SESSION_ID)
    username = st.session_state.get("username")
    if session_id is None:  # logged in without a session row (tests set the session state)
        return True
    user = ((config.get("credentials") or {}).get("usernames") or {}).get(username or "")
    return user is not None and auth_store.session_valid(session_id, username, str(user.get("password", "")))


def login(lang: str) -> data.Principal | None:
    """Show the login form until the user is authenticated; then the logout button and scope."""
    config = load_users()
    name, _ = cookie_settings(config)
    if st.session_state.get("authentication_status") and not session_still_valid(config):
        logout()
    if not st.session_state.get("authentication_status"):
        _restore_from_cookie(config, name)
    if not st.session_state.get("authentication_status"):
        _login_form(config, lang)
        if not st.session_state.get("authentication_status"):
            _sync_cookie(name)  # deletes a logged-out or invalid cookie
            if not production_mode():
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
    st.sidebar.button(i18n.t("logout", lang), key="logout_button", on_click=logout)
    _sync_cookie(name)
    return principal


def current_principal() -> data.Principal | None:
    """The logged-in principal of this browser session before the login runs (for the menu)."""
    if not st.session_state.get("authentication_status"):
        return None
    try:
        return principal_for(st.session_state.get("username"), load_users())
    except Exception:  # noqa: BLE001 - the login reports a broken users file
        return None
