"""Server-side state of the dashboard's logins: sessions, login attempts and the lockout rule.

A small SQLite file beside the app (env ``SALESPERF_DASHBOARD_STATE``, default
``dashboard/state/auth.sqlite3``), never the published warehouse. It survives reruns and server
restarts, and every server process on the machine shares it.

- ``sessions``: one row per login (random session id, username, a fingerprint of the password hash
  it was made with, expiry, revocation). A browser cookie is only a signed pointer to a row here:
  logout revokes the row, a changed password makes the fingerprint differ, so a saved cookie is
  refused afterwards.
- ``login_attempts``: every attempt (time, username, client address, outcome) — the log of the
  lockout rule.
- ``settings``: the generated cookie key outside production mode (so a restart keeps logins).

Lockout (per user and per client, counted since the last success of that user / within the
window for the client): from ``BACKOFF_AFTER`` failures on, the next attempt must wait
2, 4, 8 … seconds after the last failure; from ``MAX_FAILURES`` (per client ``CLIENT_MAX_FAILURES``)
failures within ``WINDOW`` on, attempts are refused until ``LOCKOUT`` after the last failure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import sqlite3
import time
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
DEFAULT_STATE_FILE = PROJECT_DIR / "dashboard" / "state" / "auth.sqlite3"
KEEP_ATTEMPTS_DAYS = 90  # the login-attempt log is kept this long

SCHEMA = """
create table if not exists sessions (
    session_id text primary key,
    username text not null,
    password_fingerprint text not null,
    created_at real not null,
    expires_at real not null,
    revoked_at real,
    revoked_reason text
);
create table if not exists login_attempts (
    attempted_at real not null,
    username text not null,
    client text not null,
    outcome text not null  -- success | wrong_password | unknown_user | locked
);
create index if not exists login_attempts_user on login_attempts (username, attempted_at);
create index if not exists login_attempts_client on login_attempts (client, attempted_at);
create table if not exists settings (name text primary key, value text not null);
"""


def _int_env(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def state_file() -> Path:
    path = Path(os.environ.get("SALESPERF_DASHBOARD_STATE", str(DEFAULT_STATE_FILE))).expanduser()
    return path if path.is_absolute() else PROJECT_DIR / path


@dataclass(frozen=True)
class Policy:
    """The lockout rule (env SALESPERF_DASHBOARD_MAX_FAILURES, _LOCKOUT_SECONDS, _WINDOW_SECONDS)."""

    backoff_after: int = 3
    max_failures: int = 5
    client_max_failures: int = 20
    window: float = 900.0
    lockout: float = 900.0

    @classmethod
    def from_env(cls) -> Policy:
        max_failures = max(2, _int_env("SALESPERF_DASHBOARD_MAX_FAILURES", 5))
        return cls(
            backoff_after=min(3, max_failures - 1),
            max_failures=max_failures,
            client_max_failures=max(
                max_failures, _int_env("SALESPERF_DASHBOARD_CLIENT_MAX_FAILURES", 4 * max_failures)
            ),
            window=float(_int_env("SALESPERF_DASHBOARD_WINDOW_SECONDS", 900)),
            lockout=float(_int_env("SALESPERF_DASHBOARD_LOCKOUT_SECONDS", 900)),
        )

    def wait(self, failures: int, max_failures: int) -> float:
        """Seconds after the last failure before the next attempt is allowed."""
        if failures >= max_failures:
            return self.lockout
        backoff_after = max_failures - (self.max_failures - self.backoff_after)  # same distance below the limit
        if failures >= backoff_after:
            return min(self.lockout, float(2 ** (failures - backoff_after + 1)))
        return 0.0


def connect(path: Path | None = None) -> sqlite3.Connection:
    path = path or state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(str(path), timeout=10, isolation_level=None)
    con.executescript(SCHEMA)
    with suppress(OSError):
        os.chmod(path, 0o600)
    return con


def password_fingerprint(password_hash: str) -> str:
    """A short digest of the bcrypt hash a session was made with (the hash itself is not stored)."""
    return hashlib.sha256(str(password_hash).encode("utf-8")).hexdigest()[:32]


# ---------------------------------------------------------------------------------------------
# Sessions
# ---------------------------------------------------------------------------------------------


def create_session(username: str, password_hash: str, lifetime_seconds: float) -> tuple[str, float]:
    """A new session row: (session id, expiry as a Unix time)."""
    session_id = secrets.token_urlsafe(32)
    now = time.time()
    expires_at = now + lifetime_seconds
    with closing(connect()) as con:
        con.execute(
            "insert into sessions (session_id, username, password_fingerprint, created_at, expires_at)"
            " values (?, ?, ?, ?, ?)",
            (session_id, username, password_fingerprint(password_hash), now, expires_at),
        )
        # housekeeping: sessions ended a week ago, attempts older than the audit period
        con.execute("delete from sessions where expires_at < ?", (now - 7 * 86400,))
        con.execute("delete from login_attempts where attempted_at < ?", (now - KEEP_ATTEMPTS_DAYS * 86400,))
    return session_id, expires_at


def session_valid(session_id: str, username: str, password_hash: str) -> bool:
    """Whether the session exists, belongs to ``username``, is neither revoked nor expired, and was
    made with the user's current password."""
    with closing(connect()) as con:
        row = con.execute(
            "select username, password_fingerprint, expires_at, revoked_at from sessions where session_id = ?",
            (str(session_id),),
        ).fetchone()
    if row is None:
        return False
    owner, fingerprint, expires_at, revoked_at = row
    return (
        owner == username
        and revoked_at is None
        and expires_at > time.time()
        and secrets.compare_digest(fingerprint, password_fingerprint(password_hash))
    )


def revoke_session(session_id: str, reason: str = "logout") -> None:
    with closing(connect()) as con:
        con.execute(
            "update sessions set revoked_at = ?, revoked_reason = ? where session_id = ? and revoked_at is null",
            (time.time(), reason, str(session_id)),
        )


def revoke_user_sessions(username: str, reason: str = "password_change") -> int:
    """Revoke every open session of a user (also done implicitly when the password hash changes)."""
    with closing(connect()) as con:
        cursor = con.execute(
            "update sessions set revoked_at = ?, revoked_reason = ? where username = ? and revoked_at is null",
            (time.time(), reason, username),
        )
        return cursor.rowcount


# ---------------------------------------------------------------------------------------------
# Attempts and lockout
# ---------------------------------------------------------------------------------------------


def record_attempt(username: str, client: str, outcome: str) -> None:
    with closing(connect()) as con:
        con.execute(
            "insert into login_attempts (attempted_at, username, client, outcome) values (?, ?, ?, ?)",
            (time.time(), username, client, outcome),
        )


def _failures(con: sqlite3.Connection, column: str, value: str, since: float) -> tuple[int, float | None]:
    """Failed attempts (wrong password, unknown user) by ``column`` = value after ``since``; the
    time of the last one."""
    count, last = con.execute(
        f"select count(*), max(attempted_at) from login_attempts where {column} = ? and attempted_at > ?"
        " and outcome in ('wrong_password', 'unknown_user')",
        (value, since),
    ).fetchone()
    return int(count), last


def retry_after(username: str, client: str, policy: Policy | None = None, now: float | None = None) -> float:
    """Seconds until this user / client may try again (0 = now)."""
    policy = policy or Policy.from_env()
    now = time.time() if now is None else now
    with closing(connect()) as con:
        last_success = con.execute(
            "select max(attempted_at) from login_attempts where username = ? and outcome = 'success'", (username,)
        ).fetchone()[0]
        since = max(now - policy.window, last_success or 0.0)
        user_failures, user_last = _failures(con, "username", username, since)
        client_failures, client_last = _failures(con, "client", client, now - policy.window)
    wait = 0.0
    if user_last is not None:
        wait = max(wait, user_last + policy.wait(user_failures, policy.max_failures) - now)
    if client_last is not None:
        wait = max(wait, client_last + policy.wait(client_failures, policy.client_max_failures) - now)
    return max(0.0, wait)


def attempts(username: str | None = None) -> list[tuple[str, str, str, str]]:
    """Logged attempts (UTC time, username, client, outcome), oldest first."""
    with closing(connect()) as con:
        rows = con.execute(
            "select attempted_at, username, client, outcome from login_attempts"
            " where ? is null or username = ? order by attempted_at",
            (username, username),
        ).fetchall()
    return [(dt.datetime.fromtimestamp(t, dt.UTC).isoformat(), u, c, o) for t, u, c, o in rows]


# ---------------------------------------------------------------------------------------------
# The generated cookie key (outside production mode)
# ---------------------------------------------------------------------------------------------


def stored_cookie_key() -> str:
    """A random key generated once and kept in the state file (development and demo only)."""
    with closing(connect()) as con:
        con.execute(
            "insert or ignore into settings (name, value) values ('cookie_key', ?)", (secrets.token_urlsafe(32),)
        )
        return con.execute("select value from settings where name = 'cookie_key'").fetchone()[0]
