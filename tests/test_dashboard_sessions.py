"""Sessions of the dashboard (issue 15): lockout that survives reruns and new sessions, server-side
revocation (logout, password change), invalid cookies refused without a traceback, production mode.

The state file is per test (fixture ``dashboard_state``); the login goes through the real form
(AppTest) and the real bcrypt check.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import jwt
import pytest
import yaml

pytest.register_assert_rewrite("dashboard_fixtures")
from dashboard_fixtures import DEMO_PASSWORDS, USERS_FILE, app_test  # noqa: E402

from dashboard import auth, auth_store  # noqa: E402

pytest_plugins = ["dashboard_fixtures"]

KEY = "k" * 48


def submit(at, username: str, password: str):
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click().run()
    return at


def messages(at) -> str:
    return " ".join(str(e.value) for e in [*at.error, *at.warning, *at.info])


# ------------------------------------------------------------------------------------------------
# Lockout
# ------------------------------------------------------------------------------------------------


def test_lockout_after_repeated_failures_survives_a_new_session(
    dashboard_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESPERF_DASHBOARD_MAX_FAILURES", "3")
    at = app_test().run()
    for _ in range(2):
        submit(at, "manager_east", "wrong password")
        assert not at.metric
    # backoff: after two failures the next try must wait 2 s, even with the right password
    submit(at, "manager_east", DEMO_PASSWORDS["manager_east"])
    assert not at.metric and re.search(r"try again in [12] s", messages(at))
    time.sleep(2.2)
    submit(at, "manager_east", "wrong password")  # the third failure locks the user
    assert "min" in messages(at)
    # the right password is refused now, also from a fresh browser session (state is server-side)
    submit(at, "manager_east", DEMO_PASSWORDS["manager_east"])
    assert not at.metric and not at.session_state["authentication_status"]
    assert "15 min" in messages(at)
    fresh = submit(app_test().run(), "manager_east", DEMO_PASSWORDS["manager_east"])
    assert not fresh.metric and not fresh.exception and "15 min" in messages(fresh)
    outcomes = [outcome for _, user, _, outcome in auth_store.attempts("manager_east")]
    assert outcomes == ["wrong_password", "wrong_password", "locked", "wrong_password", "locked", "locked"]
    # another user from another client is not affected
    other = submit(app_test().run(), "rep_demo", DEMO_PASSWORDS["rep_demo"])
    assert other.session_state["username"] == "rep_demo" and not other.exception


def test_backoff_then_lockout_per_user_and_per_client(dashboard_state: Path) -> None:
    policy = auth_store.Policy(backoff_after=3, max_failures=5, client_max_failures=8, window=900, lockout=600)
    now = time.time()
    assert auth_store.retry_after("alice", "10.0.0.1", policy, now) == 0
    for _ in range(2):
        auth_store.record_attempt("alice", "10.0.0.1", "wrong_password")
    assert auth_store.retry_after("alice", "10.0.0.1", policy) == 0  # two failures: no wait yet
    auth_store.record_attempt("alice", "10.0.0.1", "wrong_password")
    assert 0 < auth_store.retry_after("alice", "10.0.0.1", policy) <= 2  # backoff 2 s
    auth_store.record_attempt("alice", "10.0.0.1", "wrong_password")
    assert 2 < auth_store.retry_after("alice", "10.0.0.9", policy) <= 4  # 4 s, from any client
    auth_store.record_attempt("alice", "10.0.0.1", "wrong_password")
    assert auth_store.retry_after("alice", "10.0.0.9", policy) > 590  # locked out
    # a success resets the user's count
    auth_store.record_attempt("alice", "10.0.0.1", "success")
    assert auth_store.retry_after("alice", "10.0.0.2", policy) == 0
    # one client guessing many usernames is locked as a client
    for number in range(8):
        auth_store.record_attempt(f"user{number}", "10.0.0.66", "unknown_user")
    assert auth_store.retry_after("someone_else", "10.0.0.66", policy) > 590
    assert auth_store.retry_after("someone_else", "10.0.0.67", policy) == 0


# ------------------------------------------------------------------------------------------------
# Cookies and server-side sessions
# ------------------------------------------------------------------------------------------------


@pytest.fixture
def users() -> dict:
    return auth.load_users(USERS_FILE)


def valid_token(users: dict, username: str = "manager_east") -> tuple[str, str]:
    password_hash = users["credentials"]["usernames"][username]["password"]
    session_id, expires = auth_store.create_session(username, password_hash, 3600)
    return auth.encode_token(username, session_id, expires, KEY), session_id


def test_a_cookie_replayed_after_logout_is_refused(dashboard_state: Path, users: dict) -> None:
    token, session_id = valid_token(users)
    assert auth.user_for_token(token, users, KEY) == ("manager_east", session_id)
    auth_store.revoke_session(session_id, "logout")
    assert auth.user_for_token(token, users, KEY) is None


def test_a_password_change_ends_every_session(dashboard_state: Path, users: dict, tmp_path: Path) -> None:
    token, _ = valid_token(users)
    changed = yaml.safe_load(USERS_FILE.read_text(encoding="utf-8"))
    changed["credentials"]["usernames"]["manager_east"]["password"] = (
        "$2b$12$SYKqYyVXmkViNqOUuKX7GOkfPiDtRCUvFAWylHVxztUm6y4wsB6Ex"
    )
    assert auth.user_for_token(token, users, KEY) is not None
    assert auth.user_for_token(token, changed, KEY) is None


@pytest.mark.parametrize(
    "kind", ["alg_none", "wrong_key", "expired", "garbage", "no_session", "other_users_session", "empty"]
)
def test_invalid_cookies_are_no_login_and_raise_nothing(dashboard_state: Path, users: dict, kind: str) -> None:
    token, session_id = valid_token(users)
    claims = {"username": "director", "sid": session_id, "exp": int(time.time()) + 3600}
    forged = {
        "alg_none": jwt.encode(claims, None, algorithm="none"),
        "wrong_key": jwt.encode(claims, "x" * 48, algorithm="HS256"),
        "expired": jwt.encode({**claims, "username": "manager_east", "exp": 1}, KEY, algorithm="HS256"),
        "garbage": "%%%not-a-jwt%%%" * 10,
        "no_session": jwt.encode({**claims, "sid": "made-up"}, KEY, algorithm="HS256"),
        "other_users_session": jwt.encode(claims, KEY, algorithm="HS256"),  # manager_east's session, as director
        "empty": "",
    }[kind]
    assert auth.user_for_token(forged, users, KEY) is None


def test_login_logout_and_the_old_session_is_closed(dashboard_env: Path) -> None:
    at = submit(app_test().run(), "rep_demo", DEMO_PASSWORDS["rep_demo"])
    assert not at.exception and at.metric
    session_id = at.session_state[auth._SESSION_ID]
    token = at.session_state[auth._COOKIE_TOKEN]
    users = auth.load_users(USERS_FILE)
    assert auth.user_for_token(token, users, auth.cookie_key()) == ("rep_demo", session_id)
    at.button(key="logout_button").click().run()
    assert not at.exception and not at.metric and at.text_input  # the login form again
    assert auth.user_for_token(token, users, auth.cookie_key()) is None  # the cookie is dead server-side


# ------------------------------------------------------------------------------------------------
# Production mode
# ------------------------------------------------------------------------------------------------


def test_production_mode_refuses_to_serve_without_a_cookie_key(
    dashboard_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESPERF_DASHBOARD_MODE", "production")
    monkeypatch.delenv("SALESPERF_DASHBOARD_COOKIE_KEY", raising=False)
    problem = auth.configuration_problem()
    assert problem and "SALESPERF_DASHBOARD_COOKIE_KEY" in problem and "secrets.token_urlsafe" in problem
    with pytest.raises(SystemExit, match="refusing to start"):
        auth.check_startup()
    at = app_test().run()
    assert not at.exception and not at.text_input and not at.metric
    assert "SALESPERF_DASHBOARD_COOKIE_KEY" in messages(at)
    monkeypatch.setenv("SALESPERF_DASHBOARD_COOKIE_KEY", "short")
    assert auth.configuration_problem()
    monkeypatch.setenv("SALESPERF_DASHBOARD_COOKIE_KEY", KEY)
    assert auth.configuration_problem() is None
    assert auth.cookie_secure()  # Secure cookies in production unless told otherwise
    at = app_test().run()
    assert not at.exception and at.text_input


def test_outside_production_the_generated_key_survives_a_restart(
    dashboard_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SALESPERF_DASHBOARD_COOKIE_KEY", raising=False)
    first = auth.cookie_key()
    assert len(first) >= 32 and auth.cookie_key() == first
    assert auth_store.state_file() == dashboard_state and dashboard_state.exists()


def test_an_unexpected_error_shows_a_friendly_message_and_logs_the_details(
    dashboard_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "secret-folder" / "users.yaml"
    broken.parent.mkdir()
    broken.write_text("credentials: [this is: not: valid yaml\n", encoding="utf-8")
    monkeypatch.setenv("SALESPERF_DASHBOARD_USERS", str(broken))
    monkeypatch.delenv("SALESPERF_DASHBOARD_RAISE_ERRORS")
    with caplog.at_level("ERROR", logger="salesperf.dashboard"):
        at = app_test().run()
    assert not at.exception
    shown = messages(at) + " ".join(str(e.value) for e in [*at.markdown, *at.caption])
    assert "出现了一个内部错误" in shown and "Something went wrong" in shown
    assert "secret-folder" not in shown and "yaml" not in shown.lower() and "Traceback" not in shown
    incident = re.search(r"#([0-9a-f]{8})", shown).group(1)
    assert incident in caplog.text and "Traceback" in caplog.text  # the details are in the server log


def test_serve_refuses_to_start_in_production_without_a_cookie_key(dashboard_state: Path) -> None:
    import os
    import subprocess

    from dashboard_fixtures import PROJECT_DIR, project_python

    env = {**os.environ, "SALESPERF_DASHBOARD_MODE": "production"}
    env.pop("SALESPERF_DASHBOARD_COOKIE_KEY", None)
    result = subprocess.run(
        [project_python(), "-m", "salesperf.run", "serve", "--port", "8599"],
        env=env, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert "refusing to start" in result.stderr and "secrets.token_urlsafe" in result.stderr


def test_client_address_behind_a_trusted_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    context = SimpleNamespace(ip_address="10.0.0.1", headers={"X-Forwarded-For": "203.0.113.7, 10.0.0.1"})
    monkeypatch.setattr(auth, "st", SimpleNamespace(context=context))
    monkeypatch.delenv("SALESPERF_DASHBOARD_TRUST_PROXY", raising=False)
    assert auth.client_address() == "10.0.0.1"  # the header is the visitor's to choose: ignored
    monkeypatch.setenv("SALESPERF_DASHBOARD_TRUST_PROXY", "1")
    assert auth.client_address() == "203.0.113.7"
    monkeypatch.setattr(auth, "st", SimpleNamespace(context=SimpleNamespace(ip_address=None, headers={})))
    assert auth.client_address() == "unknown"
