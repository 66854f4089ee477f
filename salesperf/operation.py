"""Safe operation of the build: one build at a time, and folders replaced in one step.

``BuildLock``: a build holds an exclusive ``flock`` on ``warehouse/.build/build.lock`` (and on a lock
file in the dbt target folder and beside the Data Docs folder when those are elsewhere) from before
it touches the working copy until it has published. The lock file says who holds it (PID, start
time, command). The kernel releases a ``flock`` when its holder dies, so the lock of a killed build
(kill -9, a crash) is stale and simply taken over; a live holder makes the next build refuse at once,
naming it. The dbt child process inherits the lock, so a build whose parent was killed while dbt
still runs keeps it until dbt has exited too.

``swap_in(new, live)``: replace the folder ``live`` by the folder ``new`` (same parent) with one
``renameat2(RENAME_EXCHANGE)`` where the system has it (Linux), else two renames; the previous
folder is then removed. A build killed at any moment leaves either the old or the new folder in
place, never an empty one (``recover`` puts back a folder left aside by the two-rename fallback).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import errno
import fcntl
import json
import os
import shutil
import sys
from pathlib import Path

LOCK_NAME = "build.lock"


class BuildLocked(Exception):
    """Another build holds the lock."""


class BuildLock:
    def __init__(self, paths: list[Path]) -> None:
        unique: list[Path] = []
        for path in paths:
            path = path.resolve()
            if path not in unique:
                unique.append(path)
        self.paths = unique
        self.fds: list[int] = []

    def acquire(self) -> BuildLock:
        info = {
            "pid": os.getpid(),
            "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": " ".join(sys.argv),
        }
        try:
            for path in self.paths:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as error:
                    os.close(fd)
                    if error.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                        raise
                    raise BuildLocked(holder_message(path)) from None
                os.ftruncate(fd, 0)
                os.write(fd, json.dumps(info).encode())
                os.fsync(fd)
                self.fds.append(fd)
        except BaseException:
            self.release()
            raise
        return self

    def release(self) -> None:
        while self.fds:
            fd = self.fds.pop()
            try:
                os.ftruncate(fd, 0)
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    def __enter__(self) -> BuildLock:
        return self.acquire()

    def __exit__(self, *_exc: object) -> None:
        self.release()


def holder(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def holder_message(path: Path) -> str:
    info = holder(path)
    pid = info.get("pid")
    who = f"PID {pid}" if pid else "another process"
    if pid and not pid_alive(int(pid)):
        who += " (exited; its dbt process is still running)"
    started = f", started {info['started']}" if info.get("started") else ""
    return (
        f"Another build is running ({who}{started}; lock {path}). It uses the same working copy, target folder "
        "and Data Docs: wait until it has finished, then build again."
    )


# ---------------------------------------------------------------------------------------------
# swapping a folder in
# ---------------------------------------------------------------------------------------------

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False when the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def aside(live: Path) -> Path:
    return live.with_name(live.name + ".old")


def staging(live: Path) -> Path:
    return live.with_name(live.name + ".new")


def recover(live: Path) -> None:
    """Put back a folder a killed swap left aside; drop a half-written new one."""
    old = aside(live)
    if not live.exists() and old.exists():
        os.replace(old, live)
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(staging(live), ignore_errors=True)


def swap_in(new: Path, live: Path) -> None:
    """Make ``new`` the folder ``live``; the previous ``live`` is removed."""
    if live.exists() and _exchange(new, live):
        shutil.rmtree(new, ignore_errors=True)  # the old content, now under the new name
        return
    old = aside(live)
    shutil.rmtree(old, ignore_errors=True)
    if live.exists():
        os.replace(live, old)
    os.replace(new, live)
    shutil.rmtree(old, ignore_errors=True)
