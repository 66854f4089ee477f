"""What a published warehouse was built from, so that ``build --incremental`` knows whether it may
start from it (docs/incremental.md, "When a daily run builds everything").

A build that passes its gate writes one row into ``salesperf_meta.build_record`` of the warehouse it
publishes (a schema of its own: not exported, not a mart):

* ``code_fingerprint``: the project's dbt files (models, macros, seeds, tests, dbt_project.yml,
  profiles.yml), the ``salesperf`` package (the Python models and the gate run it) and the versions of
  dbt, DuckDB and the numeric libraries;
* ``settings_fingerprint``: every environment variable the dbt project reads that can change a figure
  (base currency, time zone, fiscal year, as-of date, lookback, ...; not the paths, threads or memory)
  and the ``--vars`` of the dbt arguments;
* ``landing_folder``: the extracts' folder (resolved).

An incremental run starts from the published warehouse only when all three are those of the run;
otherwise it builds everything and says why (:func:`reason_for_full_build`). With the same code, dbt's
unit tests cannot give another result than they gave for the published build (they read fixed rows,
not the landing): the daily run leaves them out and the gate carries their results over, with the time
they were checked (salesperf.quality.gate).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from salesperf import settings as settings_mod

SCHEMA = "salesperf_meta"
TABLE = f"{SCHEMA}.build_record"
PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb", "numpy", "scipy", "pandas", "pyarrow")
# project variables that name places or resources, not what a figure is
NOT_SETTINGS = frozenset(
    {
        "SALESPERF_LANDING_DIR",
        "SALESPERF_LANDING_PREPARED",
        "SALESPERF_WAREHOUSE",
        "SALESPERF_THREADS",
        "SALESPERF_MEMORY",
        "SALESPERF_DUCKDB_MEMORY_LIMIT",
        "SALESPERF_DUCKDB_TEMP_DIR",
        "SALESPERF_DUCKDB_THREADS",
        "SALESPERF_SPARK_MEMORY",
        "SALESPERF_SPARK_WAREHOUSE",
    }
)


@dataclass(frozen=True)
class BuildRecord:
    code_fingerprint: str
    settings_fingerprint: str
    landing_folder: str


def _files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


def code_fingerprint() -> str:
    """Digest of the project's dbt files, the salesperf package and the versions of PACKAGES."""
    digest = hashlib.blake2b(digest_size=16)
    project = settings_mod.PROJECT_DIR
    package = Path(__file__).resolve().parent
    roots = [project / name for name in settings_mod.DBT_PROJECT_FILES] + [package]
    for root in roots:
        if not root.exists():
            continue
        for path in _files(root):
            digest.update(f"{path.relative_to(root.parent).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    for name in PACKAGES:
        digest.update(f"{name}=={settings_mod.installed_version(name)};".encode())
    return digest.hexdigest()


def dbt_vars(dbt_args: list[str]) -> list[str]:
    """The values of every ``--vars`` option of ``dbt_args`` (``--vars X`` or ``--vars=X``), in order."""
    out = []
    for i, arg in enumerate(dbt_args):
        if arg == "--vars" and i + 1 < len(dbt_args):
            out.append(dbt_args[i + 1])
        elif arg.startswith("--vars="):
            out.append(arg.split("=", 1)[1])
    return out


def settings_fingerprint(env: dict[str, str], dbt_args: list[str], project_env_vars: set[str]) -> str:
    """Digest of the settings a build's figures depend on: the values of ``project_env_vars`` (the
    variables the dbt project reads) in ``env`` but NOT_SETTINGS, and the ``--vars`` of ``dbt_args``."""
    values = sorted((name, env[name]) for name in project_env_vars - NOT_SETTINGS if env.get(name, "") != "")
    return hashlib.blake2b(json.dumps([values, dbt_vars(dbt_args)]).encode(), digest_size=16).hexdigest()


def current(landing_dir: Path, env: dict[str, str], dbt_args: list[str], project_env_vars: set[str]) -> BuildRecord:
    """The record of a build with these extracts, environment and dbt arguments."""
    return BuildRecord(
        code_fingerprint(),
        settings_fingerprint(env, dbt_args, project_env_vars),
        str(Path(landing_dir).expanduser().resolve()),
    )


def read(warehouse: Path) -> BuildRecord | None:
    """The record of the build that wrote ``warehouse``; None for a warehouse without one (built by
    an earlier version) or a file DuckDB cannot open."""
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            exists = con.execute(
                "select count(*) from information_schema.tables where table_schema = ? and table_name = 'build_record'",
                [SCHEMA],
            ).fetchone()[0]
            if not exists:
                return None
            row = con.execute(
                f"select code_fingerprint, settings_fingerprint, landing_folder from {TABLE} limit 2"
            ).fetchall()
    except duckdb.Error:
        return None
    return BuildRecord(*row[0]) if len(row) == 1 else None


def write(warehouse: Path, record: BuildRecord) -> None:
    """Put ``record`` (alone) into ``warehouse``'s build record."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"create schema if not exists {SCHEMA}")
        con.execute(
            f"create or replace table {TABLE} (code_fingerprint varchar not null,"
            " settings_fingerprint varchar not null, landing_folder varchar not null)"
        )
        con.execute(
            f"insert into {TABLE} values (?, ?, ?)",
            [record.code_fingerprint, record.settings_fingerprint, record.landing_folder],
        )


def reason_for_full_build(published: BuildRecord | None, now: BuildRecord) -> str | None:
    """Why an incremental run may not start from the warehouse recorded as ``published``; None if it may."""
    if published is None:
        return "the published warehouse does not record what it was built from (built by an earlier version)"
    if published.landing_folder != now.landing_folder:
        return f"the published warehouse was built from other extracts ({published.landing_folder})"
    if published.code_fingerprint != now.code_fingerprint:
        return "the project's code (models, macros, seeds, the salesperf package or a library version) changed"
    if published.settings_fingerprint != now.settings_fingerprint:
        return "the settings (SALESPERF_* variables or --vars) differ from those of the published build"
    return None
