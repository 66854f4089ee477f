#!/usr/bin/env python3
"""The project's two commands, runnable with nothing but Python 3.11 on the machine.

    python3.11 tasks.py demo   # venv + demo landing data + dbt build + publish + dashboard
    python3.11 tasks.py test   # venv + lint + the whole test suite

Creates `.venv` (reinstalling when requirements.lock or pyproject.toml change), then hands over
to `python -m salesperf.run <command>` inside it. Standard library only.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
STAMP = VENV / ".installed.sha256"


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("requirements.lock", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_venv() -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"Python 3.11 is required (this is {sys.version.split()[0]}): run `python3.11 tasks.py ...`")
    if not PYTHON.exists():
        print(f"[setup] creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    want = _fingerprint()
    if STAMP.exists() and STAMP.read_text() == want:
        return
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "-q"]
    print("[setup] installing pinned requirements (requirements.lock)", flush=True)
    subprocess.run([*pip, "install", "-r", str(ROOT / "requirements.lock")], check=True)
    subprocess.run([*pip, "install", "--no-deps", "-e", str(ROOT)], check=True)
    STAMP.write_text(want)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] in {"-h", "--help"}:
        print(__doc__)
        print("Other commands: build, prepare, serve, generate, lint (see `python3.11 tasks.py <command> --help`).")
        sys.exit(0 if len(sys.argv) >= 2 else 2)
    ensure_venv()
    os.chdir(ROOT)
    os.execv(str(PYTHON), [str(PYTHON), "-m", "salesperf.run", *sys.argv[1:]])


if __name__ == "__main__":
    main()
