"""Start the dashboard's Streamlit server on 127.0.0.1 and wait until it answers; stop it with its
process group. Shared by the browser tests and benchmarks/dashboard_pages.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
APP = PROJECT_DIR / "dashboard" / "streamlit_app.py"


def start(
    env: dict[str, str], port: int, log: Path, timeout: float = 60, python: str | None = None
) -> subprocess.Popen:
    """`streamlit run` of the app with ``env``, output in ``log``; returns once /_stcore/health says 200
    (RuntimeError with the log's tail if the server exits or does not answer within ``timeout`` s)."""
    streamlit = Path(python or sys.executable).parent / "streamlit"
    process = subprocess.Popen(
        [str(streamlit), "run", str(APP), "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        env=env, cwd=PROJECT_DIR, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    stop(process)
    raise RuntimeError(f"streamlit did not start within {timeout:.0f} s: {log.read_text()[-2000:]}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the server's process group, SIGKILL after 15 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
