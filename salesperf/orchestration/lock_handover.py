"""The build lock handed to the dbt process that dagster-dbt starts (stdlib only, no Dagster).

``tasks.py build`` (salesperf/run.py) runs dbt with ``pass_fds``: dbt holds the same locked open
files as the build, so a build killed while dbt runs stays locked until dbt has exited. dagster-dbt
starts dbt itself (``subprocess.Popen`` with ``close_fds``), which would leave dbt without the lock:
killed mid-run, the Dagster process would free the lock while its dbt still writes the working
copy and the target folder, and a cron build could start on them.

So the Dagster run hands its lock over: while the dbt step runs, :func:`serve` offers the locked
file descriptors on a Unix socket (in a private temporary folder, named by ``SALESPERF_LOCK_SOCKET``),
and dagster-dbt's dbt executable is this file as a script (``python lock_handover.py <dbt> <args>``,
see :func:`write_wrapper`): it receives the descriptors (``SCM_RIGHTS``), keeps them open across
``exec`` and becomes dbt. Both processes then hold the same open files, whose lock lasts until
both have closed them: the lock is held as long as either the Dagster process or dbt lives.
Without ``SALESPERF_LOCK_SOCKET`` the script only runs dbt (``dbt --version``, manual use); when the
hand-over fails it exits 4 (another build is running / lock) without starting dbt.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import socket
import struct
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

SOCKET_ENV = "SALESPERF_LOCK_SOCKET"
EXIT_LOCKED = 4  # salesperf.run.EXIT_LOCKED (not imported: this script starts before dbt, stdlib only)
_MESSAGE = b"salesperf-build-lock"
_MAX_FDS = 16


class Handover:
    """The lock offered to child processes; ``pids``: the processes that have taken it."""

    def __init__(self, fds: tuple[int, ...]) -> None:
        self.fds = fds
        self.pids: list[int] = []
        self.path = ""

    def holders_alive(self) -> list[int]:
        alive = []
        for pid in self.pids:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                continue
            except PermissionError:
                pass
            alive.append(pid)
        return alive


@contextlib.contextmanager
def serve(fds: tuple[int, ...] | list[int]) -> Iterator[Handover]:
    """Offer the locked ``fds`` to the processes started inside the block (``SALESPERF_LOCK_SOCKET``
    in ``os.environ``, which dagster-dbt passes on to dbt)."""
    if not fds:
        raise RuntimeError("the build lock is not held: nothing to hand over to dbt")
    handover = Handover(tuple(fds))
    stop = threading.Event()
    with tempfile.TemporaryDirectory(prefix="salesperf-lock-") as folder:  # mode 0700: this user only
        handover.path = os.path.join(folder, "lock.sock")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(handover.path)
        server.listen()
        server.settimeout(0.2)

        def answer() -> None:
            while not stop.is_set():
                try:
                    conn, _ = server.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                with conn:
                    try:
                        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
                        handover.pids.append(struct.unpack("3i", creds)[0])
                        socket.send_fds(conn, [_MESSAGE], list(handover.fds))
                    except OSError:
                        continue

        thread = threading.Thread(target=answer, name="salesperf-lock-handover", daemon=True)
        thread.start()
        saved = os.environ.get(SOCKET_ENV)
        os.environ[SOCKET_ENV] = handover.path
        try:
            yield handover
        finally:
            if saved is None:
                os.environ.pop(SOCKET_ENV, None)
            else:
                os.environ[SOCKET_ENV] = saved
            stop.set()
            thread.join(timeout=5)
            server.close()


def receive(path: str, timeout: float = 30.0) -> list[int]:
    """The locked descriptors offered on the socket ``path`` (inheritable, to survive ``exec``)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(timeout)
        client.connect(path)
        message, fds, _flags, _address = socket.recv_fds(client, len(_MESSAGE), _MAX_FDS)
    if message != _MESSAGE or not fds:
        for fd in fds:
            os.close(fd)
        raise OSError(f"no build lock received from {path}")
    for fd in fds:
        os.set_inheritable(fd, True)
    return fds


def write_wrapper(path: Path, dbt: Path, python: str = sys.executable) -> Path:
    """The executable dagster-dbt starts as dbt: ``python lock_handover.py <dbt> "$@"`` (rewritten
    only when it changes, atomically)."""
    text = (
        "#!/bin/sh\n"
        "# dbt under the build lock of the Dagster run (salesperf/orchestration/lock_handover.py)\n"
        f'exec {shlex.quote(python)} {shlex.quote(str(Path(__file__).resolve()))} {shlex.quote(str(dbt))} "$@"\n'
    )
    if not path.exists() or path.read_text(encoding="utf-8") != text or not os.access(path, os.X_OK):
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_text(text, encoding="utf-8")
        partial.chmod(0o755)
        os.replace(partial, path)
    return path


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: lock_handover.py <dbt executable> [dbt arguments]", file=sys.stderr)
        return 2
    executable, args = argv[1], argv[2:]
    path = os.environ.pop(SOCKET_ENV, None)
    if path:
        try:
            receive(path)
        except OSError as error:
            print(
                f"[build] dbt not started: the build lock of the Dagster run could not be handed over ({error})",
                file=sys.stderr,
            )
            return EXIT_LOCKED
    os.execv(executable, [executable, *args])
    return 0  # pragma: no cover (execv does not return)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
