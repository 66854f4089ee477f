"""The project's lint: ruff (check and format) on the Python, sqlfluff on the dbt models.

    python3.11 tasks.py lint          # every check; exit 1 and the findings on any finding
    python3.11 tasks.py lint --fix    # ruff format, ruff check --fix, sqlfluff fix; then check again

`python3.11 tasks.py test` runs it before pytest. Configuration: pyproject.toml ([tool.ruff]),
.sqlfluff and .sqlfluffignore (every excluded rule and path with its reason).

sqlfluff's dbt templater compiles every model, and the project's macros query DuckDB while they
compile (landing_source globs the landing folder, the wide reports read the indicator catalog
seed). So the lint prepares what a compile needs on its own, in a scratch folder
(``target/lint``, git-ignored; SALESPERF_LINT_DIR moves it): demo landing files (the generator,
once) and a DuckDB file with the seeds (rebuilt when a seed changes). It never touches the
warehouse, the landing folder or the target folder a build uses, and works in a clean clone.

A clean sqlfluff lint leaves a stamp in that folder named by a fingerprint of everything its result
depends on (the linted paths, models, macros, seeds, the dbt and sqlfluff configuration, the tools'
versions): the next lint of exactly the same tree says so and does not compile every model again
(`tasks.py test` lints before pytest, and the suite's test of the tree then finds the stamp).
Any change to those files gives another fingerprint, and a lint with findings writes no stamp.
"""

from __future__ import annotations

import argparse
import configparser
import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from salesperf.contract import REQUIRED_TABLES
from salesperf.settings import PROJECT_DIR, installed_version

BIN = Path(sys.executable).parent
# What sqlfluff lints (the dbt templater compiles these); exclusions are in .sqlfluffignore.
SQL_PATHS = ("models",)
# What the result of a sqlfluff lint depends on besides the linted paths (the dbt templater renders
# the models with the macros, seeds and project configuration).
LINT_INPUTS = ("models", "macros", "seeds", "data-tests", "analyses")
LINT_CONFIG = ("dbt_project.yml", "profiles.yml", "selectors.yml", ".sqlfluff", ".sqlfluffignore", "pyproject.toml")
LINT_TOOLS = ("sqlfluff", "sqlfluff-templater-dbt", "dbt-core", "dbt-duckdb")
# sqlfluff worker processes: the dbt templater compiles model by model, two halves the wall time.
SQL_PROCESSES = 2


def scratch_dir(root: Path = PROJECT_DIR) -> Path:
    override = os.environ.get("SALESPERF_LINT_DIR")
    return Path(override).expanduser().resolve() if override else root / "target" / "lint"


def _run(cmd: Sequence[str], root: Path, env: dict[str, str] | None = None, quiet: bool = False) -> int:
    """Run one tool from the project folder; its findings go straight to our stdout/stderr."""
    out = subprocess.DEVNULL if quiet else None
    return subprocess.run(list(cmd), cwd=root, env=env, stdout=out).returncode


def _hash_files(digest: Any, root: Path, paths: Sequence[Path]) -> None:
    """Add each file of ``paths`` (its path relative to ``root``, then its bytes) to ``digest``."""
    for path in paths:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())


def _seeds_fingerprint(root: Path) -> str:
    digest = hashlib.sha256()
    _hash_files(digest, root, sorted((root / "seeds").rglob("*")))
    return digest.hexdigest()


def lint_fingerprint(paths: Sequence[str], root: Path = PROJECT_DIR) -> str:
    """sha256 of what a sqlfluff lint of ``paths`` depends on: the paths themselves, every file of
    LINT_INPUTS and LINT_CONFIG (names and bytes) and the versions of LINT_TOOLS."""
    digest = hashlib.sha256()
    digest.update("\0".join(sorted(paths)).encode())
    for tool in LINT_TOOLS:
        digest.update(f"\0{tool}={installed_version(tool)}".encode())
    files = [root / name for name in LINT_CONFIG]
    for folder in LINT_INPUTS:
        files.extend(sorted((root / folder).rglob("*")))
    _hash_files(digest, root, files)
    return digest.hexdigest()


def clean_stamp(scratch: Path, fingerprint: str) -> Path:
    """The file a clean sqlfluff lint of the tree with ``fingerprint`` leaves in ``scratch``."""
    return scratch / f"sqlfluff-clean-{fingerprint[:32]}"


def dbt_env(scratch: Path, root: Path = PROJECT_DIR) -> dict[str, str]:
    """The environment of a dbt compile that reads nothing of the user's: scratch warehouse,
    scratch landing files, scratch target and log folders."""
    env = dict(os.environ)
    env.update(
        {
            "SALESPERF_WAREHOUSE": str(scratch / "lint.duckdb"),
            "SALESPERF_LANDING_DIR": str(scratch / "landing"),
            "SALESPERF_LANDING_PREPARED": "",  # read the scratch landing files themselves
            "SALESPERF_LANDING_FORMAT": "parquet",
            "SALESPERF_TARGET": "dev",
            "SALESPERF_THREADS": "1",
            "DBT_PROFILES_DIR": str(root),
            "DBT_TARGET_PATH": str(scratch / "dbt_target"),
            "DBT_LOG_PATH": str(scratch / "dbt_logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
    )
    # dbt's partial parsing stays on (unless the caller's environment turns it off): `dbt seed` leaves its
    # parse in the scratch target folder, and each sqlfluff process's dbt templater starts from it instead
    # of parsing the whole project again (dbt checks it: vars, profile, every file's checksum)
    return env


def templater_profile(root: Path = PROJECT_DIR) -> list[str]:
    """``--profile``/``--target`` as .sqlfluff's dbt templater gives them: `dbt seed` then leaves a parse the
    templater's dbt can start from (dbt parses the whole project again when either differs)."""
    config = configparser.ConfigParser()
    config.read(root / ".sqlfluff", encoding="utf-8")
    section = "sqlfluff:templater:dbt"
    return [
        arg
        for key in ("profile", "target")
        if config.has_option(section, key)
        for arg in (f"--{key}", config.get(section, key))
    ]


def prepare_dbt(scratch: Path, root: Path = PROJECT_DIR) -> int:
    """Landing files and a seeded DuckDB file in ``scratch``, for the dbt templater; 0 when ready."""
    scratch.mkdir(parents=True, exist_ok=True)
    landing = scratch / "landing"
    if not all((landing / f"{table}.parquet").exists() for table in REQUIRED_TABLES):
        print(f"[lint] writing demo landing files for the dbt templater to {landing}", flush=True)
        cmd = [str(BIN / "python"), "-m", "salesperf.generate", "--out", str(landing)]
        if _run(cmd, root, quiet=True) != 0:
            print("[lint] the demo landing data could not be generated", file=sys.stderr)
            return 1
    env = dbt_env(scratch, root)
    warehouse = Path(env["SALESPERF_WAREHOUSE"])
    stamp = scratch / "seeds.sha256"
    want = _seeds_fingerprint(root)
    if warehouse.exists() and stamp.exists() and stamp.read_text() == want:
        return 0
    print(f"[lint] loading the seeds into {warehouse} for the dbt templater", flush=True)
    stamp.unlink(missing_ok=True)
    warehouse.unlink(missing_ok=True)
    cmd = [str(BIN / "dbt"), "seed", "--project-dir", str(root), *templater_profile(root), "--quiet"]
    if _run(cmd, root, env=env) != 0:
        print("[lint] dbt seed failed: the dbt templater cannot compile the models", file=sys.stderr)
        return 1
    stamp.write_text(want)
    return 0


def ruff(fix: bool = False, root: Path = PROJECT_DIR) -> int:
    """ruff check and ruff format --check on the whole tree (pyproject.toml: rules and exclusions)."""
    ruff_bin = str(BIN / "ruff")
    rc = 0
    if fix:
        _run([ruff_bin, "format", "."], root)
        _run([ruff_bin, "check", "--fix", "."], root)
    print("[lint] ruff check", flush=True)
    rc |= _run([ruff_bin, "check", "."], root)
    print("[lint] ruff format --check", flush=True)
    rc |= _run([ruff_bin, "format", "--check", "."], root)
    return rc


def sqlfluff(paths: Sequence[str] = SQL_PATHS, fix: bool = False, root: Path = PROJECT_DIR) -> int:
    """sqlfluff lint (after sqlfluff fix with ``fix``) of ``paths`` with the dbt templater; 0 at
    once when this exact tree was linted clean before (its stamp, see the module docstring)."""
    scratch = scratch_dir(root)
    fingerprint = lint_fingerprint(paths, root)
    stamp = clean_stamp(scratch, fingerprint)
    if not fix and stamp.exists():
        print(f"[lint] sqlfluff lint {' '.join(paths)}: clean (this exact tree was linted clean: {stamp})", flush=True)
        return 0
    if prepare_dbt(scratch, root) != 0:
        return 1
    env = dbt_env(scratch, root)
    sqlfluff_bin = str(BIN / "sqlfluff")
    common = ["--processes", str(SQL_PROCESSES), *paths]
    if fix:
        _run([sqlfluff_bin, "fix", "--quiet", *common], root, env=env)
        fingerprint = lint_fingerprint(paths, root)  # of the fixed tree
        stamp = clean_stamp(scratch, fingerprint)
    print(f"[lint] sqlfluff lint {' '.join(paths)}", flush=True)
    rc = _run([sqlfluff_bin, "lint", "--nocolor", *common], root, env=env)
    if rc == 0 and lint_fingerprint(paths, root) == fingerprint:  # no file edited while it ran
        stamp.write_text(f"sqlfluff lint of {' '.join(paths)} clean at {time.strftime('%Y-%m-%dT%H:%M:%S')}\n")
    return rc


def lint(
    fix: bool = False,
    python: bool = True,
    sql: bool = True,
    sql_paths: Sequence[str] = SQL_PATHS,
    root: Path = PROJECT_DIR,
) -> int:
    """Every check; 0 when there is no finding, else 1 (the findings are printed)."""
    started = time.monotonic()
    failed = []
    if python and ruff(fix, root) != 0:
        failed.append("ruff")
    if sql and sqlfluff(sql_paths, fix, root) != 0:
        failed.append("sqlfluff")
    took = time.monotonic() - started
    if failed:
        print(f"[lint] FAILED ({', '.join(failed)}) in {took:.0f} s: fix the findings above", file=sys.stderr)
        if not fix:
            print("[lint] many are fixed by `python3.11 tasks.py lint --fix`", file=sys.stderr)
        return 1
    print(f"[lint] clean in {took:.0f} s", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tasks.py lint", description=__doc__.split("\n\n")[0])
    parser.add_argument("--fix", action="store_true", help="apply ruff format, ruff --fix and sqlfluff fix first")
    parser.add_argument("--python-only", action="store_true", help="ruff only")
    parser.add_argument("--sql-only", action="store_true", help="sqlfluff only")
    parser.add_argument("paths", nargs="*", help=f"SQL files or folders for sqlfluff (default: {' '.join(SQL_PATHS)})")
    args = parser.parse_args(argv)
    return lint(
        fix=args.fix,
        python=not args.sql_only,
        sql=not args.python_only,
        sql_paths=args.paths or SQL_PATHS,
    )


if __name__ == "__main__":
    sys.exit(main())
