"""The daily build as Dagster assets: landing check -> dbt project (dagster-dbt) -> gate -> publish.

    pip install -e '.[orchestration]'          # dagster, dagster-dbt, dagster-webserver
    export DAGSTER_HOME=~/.dagster_salesperf    # run history survives restarts
    dagster dev -m salesperf.orchestration.definitions    # UI on http://127.0.0.1:3000

The same steps as ``tasks.py build`` (salesperf/run.py), each an asset with its own logs and
metadata in the UI:

- ``landing_check``: the landing preflight (one asset per landing source of the dbt project,
  the sources' own asset keys), writing the prepared Parquet files dbt reads;
- the dbt project, every model, seed and snapshot an asset and every dbt test an asset check
  (``@dbt_assets`` on the manifest), built into the working copy;
- ``quality_gate``: the GX checkpoint and ``dq_results`` on the working copy;
- ``published_warehouse``: the atomic publish, then the digests when ``SALESPERF_DIGEST_CONFIG``
  is set (salesperf/alerts). A failed step sends the failure alert with its reason.

The job runs in one process (``in_process_executor``) and holds the build lock of ``tasks.py
build`` for the whole run: a cron build and a Dagster run never write the same files at once.
dbt gets the lock too (lock_handover.py: dagster-dbt starts dbt through a wrapper that takes over
the run's locked files), so a Dagster process killed mid-run leaves the lock held until its dbt
has exited, as ``tasks.py build`` does.
Schedule ``salesperf_daily``: ``SALESPERF_SCHEDULE_CRON`` (default ``0 6 * * *``) in
``SALESPERF_TIMEZONE`` (the company time zone, default Asia/Shanghai). Sensor
``new_landing_files``: a run when the landing folder holds files newer than the published
warehouse, once they have not changed for ``SALESPERF_LANDING_SETTLE_SECONDS`` (default 60).

dagster-dbt needs the dbt manifest: :func:`manifest_path` runs ``dbt parse`` (offline, ~15 s)
into ``<target>/dagster/`` when it is missing or older than the project files, and always under
``dagster dev``.
"""

# no `from __future__ import annotations`: Dagster reads the context type hints at definition time

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetSpec,
    ConfigurableResource,
    DefaultSensorStatus,
    Definitions,
    Failure,
    InitResourceContext,
    MaterializeResult,
    MetadataValue,
    RunRequest,
    ScheduleDefinition,
    SensorEvaluationContext,
    SkipReason,
    asset,
    define_asset_job,
    in_process_executor,
    multi_asset,
    sensor,
)
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets
from pydantic import PrivateAttr

from salesperf import landing as landing_mod
from salesperf import run as run_mod
from salesperf import settings as settings_mod
from salesperf.operation import BuildLock, BuildLocked
from salesperf.orchestration import lock_handover

PROJECT_DIR = settings_mod.PROJECT_DIR
PROJECT_FILES = settings_mod.DBT_PROJECT_FILES
LANDING_SUFFIXES = (".csv", ".parquet", ".xlsx", ".txt", ".tsv")


# ---------------------------------------------------------------------------------------------
# The dbt manifest
# ---------------------------------------------------------------------------------------------


def manifest_dir() -> Path:
    return run_mod.target_dir() / "dagster"


def _newest_project_file() -> float:
    newest = 0.0
    for name in PROJECT_FILES:
        path = PROJECT_DIR / name
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
        elif path.is_dir():
            for file in path.rglob("*"):
                if file.is_file():
                    newest = max(newest, file.stat().st_mtime)
    return newest


def manifest_path(force: bool = False) -> Path:
    """The manifest of the dbt project: ``dbt parse`` (no network, no warehouse) when missing,
    older than a project file, or under ``dagster dev``.

    Several processes may import this module at once (pytest's workers, a Dagster daemon beside the
    web server): one parses at a time (a lock file in the target folder), into a scratch folder whose
    files are then moved into place, so no process reads a manifest another one is still writing."""
    target = manifest_dir()
    manifest = target / "manifest.json"
    target.mkdir(parents=True, exist_ok=True)
    with open(target / ".parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stale = not manifest.exists() or manifest.stat().st_mtime < _newest_project_file()
        if force or stale or os.environ.get("DAGSTER_IS_DEV_CLI"):
            scratch = Path(tempfile.mkdtemp(prefix="parse-", dir=target))
            try:
                env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="false")
                env.setdefault("DBT_PROFILES_DIR", str(PROJECT_DIR))
                dbt = str(run_mod.BIN / "dbt")
                cmd = [dbt, "parse", "--project-dir", str(PROJECT_DIR), "--target-path", str(scratch)]
                done = subprocess.run(cmd, env=env, cwd=PROJECT_DIR, capture_output=True, text=True)
                if done.returncode != 0 or not (scratch / "manifest.json").exists():
                    raise RuntimeError(
                        f"dbt parse failed (exit {done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-2000:]}"
                    )
                for item in scratch.iterdir():
                    if item.is_file():
                        os.replace(item, target / item.name)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
    return manifest


DBT_PROJECT = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR, target_path=manifest_dir())
MANIFEST = manifest_path()


# ---------------------------------------------------------------------------------------------
# The build: settings, lock, failure alerts
# ---------------------------------------------------------------------------------------------


class SalesperfBuild(ConfigurableResource):
    """Where the run reads and writes (empty: SALESPERF_LANDING_DIR / SALESPERF_WAREHOUSE, as
    ``tasks.py build``), and the build lock, held from the first step to the end of the run."""

    landing_dir: str = ""
    warehouse: str = ""
    threads: int = 0

    _lock: BuildLock | None = PrivateAttr(default=None)
    _handovers: list = PrivateAttr(default_factory=list)

    def settings(self) -> settings_mod.Settings:
        base = settings_mod.load()
        return settings_mod.Settings(
            landing_dir=Path(self.landing_dir).expanduser() if self.landing_dir else base.landing_dir,
            warehouse=Path(self.warehouse).expanduser() if self.warehouse else base.warehouse,
            threads=self.threads or base.threads,
        )

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._lock = run_mod.build_lock(self.settings())
        try:
            self._lock.acquire()
        except BuildLocked as busy:
            self._lock = None
            raise Failure(description=f"another build is running: {busy}", metadata={"exit_code": 4}) from None

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._lock is not None:
            if any(handover.holders_alive() for handover in self._handovers):
                # a dbt process still holds the lock (it did not stop on the interrupt): close our
                # descriptors only, never unlock; the lock ends when that dbt exits
                while self._lock.fds:
                    os.close(self._lock.fds.pop())
            else:
                self._lock.release()
            self._lock = None
        self._handovers = []

    @contextmanager
    def lock_for_dbt(self) -> Iterator[None]:
        """The run's build lock offered to the dbt process dagster-dbt starts (lock_handover): dbt
        holds it too, so the lock outlives a Dagster process killed while dbt runs."""
        with lock_handover.serve(self.lock_fds) as handover:
            self._handovers.append(handover)
            yield

    @property
    def lock_fds(self) -> tuple[int, ...]:
        return tuple(self._lock.fds) if self._lock else ()

    def prepared_dir(self) -> Path:
        return self.settings().build_warehouse.parent / "landing"

    @contextmanager
    def dbt_env(self) -> Iterator[None]:
        """The environment of `dbt build` on the working copy (dagster-dbt passes os.environ on)."""
        settings = self.settings()
        values = {
            "SALESPERF_LANDING_DIR": str(settings.landing_dir),
            "SALESPERF_WAREHOUSE": str(settings.build_warehouse),
            "SALESPERF_THREADS": str(settings.threads),
            landing_mod.PREPARED_ENV: str(self.prepared_dir()),
        }
        saved = {name: os.environ.get(name) for name in values}
        os.environ.update(values)
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    def fail(self, context: AssetExecutionContext, rc: int, reason: list[str]) -> Failure:
        """The failure of a step: its alert (when configured) and the Failure that stops the run."""
        from salesperf.alerts import digest

        path = digest.config_path()
        if path is not None:
            digest.notify(self.settings(), rc, reason, path)
        for line in reason:
            context.log.error(line)
        meaning = digest.EXIT_MEANINGS.get(rc, ("", "build failed"))[1]
        return Failure(
            description=f"exit {rc}: {meaning}; the published warehouse is unchanged",
            metadata={"exit_code": rc, "reason": MetadataValue.md("\n".join(f"- {r}" for r in reason[-50:]))},
        )


# ---------------------------------------------------------------------------------------------
# Assets
# ---------------------------------------------------------------------------------------------


@dbt_assets(manifest=MANIFEST, project=DBT_PROJECT)
def salesperf_dbt(context: AssetExecutionContext, dbt: DbtCliResource, build: SalesperfBuild):
    """`dbt build` of the whole project into the working copy (models, seeds, tests, unit tests)."""
    target = run_mod.target_dir()
    (target / "run_results.json").unlink(missing_ok=True)  # never read a previous build's results
    with build.dbt_env(), build.lock_for_dbt():
        invocation = dbt.cli(["build"], context=context, target_path=target, raise_on_error=False)
        yield from invocation.stream()
    if not invocation.is_successful():
        from salesperf.quality.dbt_checks import failed_nodes

        reason = [f"[build] failed: {line}" for line in failed_nodes(target)] or ["[build] dbt build failed"]
        raise build.fail(context, run_mod.EXIT_DBT_FAILED, reason)


LANDING_KEYS = sorted(salesperf_dbt.dependency_keys - set(salesperf_dbt.keys), key=lambda k: k.to_user_string())


@multi_asset(
    specs=[
        AssetSpec(key, group_name="landing", description="a landing file, checked and prepared") for key in LANDING_KEYS
    ],
    name="landing_check",
)
def landing_check(context: AssetExecutionContext, build: SalesperfBuild):
    """The landing preflight (salesperf/landing.py): every landing file read and checked against
    the landing contract; the prepared all-text Parquet files are what dbt reads."""
    from salesperf.alerts.digest import capture_stderr

    settings = build.settings()
    work = settings.build_warehouse
    work.parent.mkdir(parents=True, exist_ok=True)
    for stale in (work, work.with_name(work.name + ".wal")):
        stale.unlink(missing_ok=True)
    with capture_stderr() as reason:
        rc, prepared = run_mod.prepare_landing(settings)
    if rc != 0:
        raise build.fail(context, rc, reason)
    tables = landing_mod.read_manifest(prepared)
    for key in LANDING_KEYS:
        info = tables.get(key.path[-1], {})
        yield MaterializeResult(
            asset_key=key,
            metadata={"rows": int(info.get("rows") or 0), "source": str(info.get("source") or "")},
        )


@asset(deps=[salesperf_dbt], description="the data-quality gate on the working copy (GX, dq_results)")
def quality_gate(context: AssetExecutionContext, build: SalesperfBuild) -> MaterializeResult:
    from salesperf.alerts.digest import capture_stderr

    settings = build.settings()
    with capture_stderr() as reason:
        rc = run_mod.quality_gate(settings, settings.build_warehouse, run_mod.target_dir(), build.prepared_dir())
    if rc != 0:
        raise build.fail(context, rc, reason)
    return MaterializeResult(metadata={"data_docs": str(run_mod.data_docs_dir(settings) / "index.html")})


@asset(deps=[quality_gate], description="the published warehouse file, replaced atomically")
def published_warehouse(context: AssetExecutionContext, build: SalesperfBuild) -> MaterializeResult:
    from salesperf import build_record, exports
    from salesperf.alerts import digest
    from salesperf.alerts.digest import capture_stderr

    settings = build.settings()
    env = run_mod._env(settings, settings.build_warehouse)
    # what it was built from, as `tasks.py build` records it: a later `build --incremental` may start from it
    build_record.write(
        settings.build_warehouse, build_record.current(settings.landing_dir, env, [], run_mod.dbt_env_vars())
    )
    with capture_stderr() as reason:
        rc = exports.publish_build(
            settings.build_warehouse,
            settings.warehouse,
            run_mod.target_dir(),
            dbt=run_mod.BIN / "dbt",
            project=PROJECT_DIR,
            env=env,
        )
    if rc != 0:
        raise build.fail(context, rc, reason)
    context.log.info(f"published {settings.warehouse} and its Parquet exports")
    path = digest.config_path()
    if path is not None:
        digest.notify(settings, 0, [], path)
    return MaterializeResult(metadata={"path": str(settings.warehouse), "bytes": settings.warehouse.stat().st_size})


# ---------------------------------------------------------------------------------------------
# Job, schedule, sensor
# ---------------------------------------------------------------------------------------------

build_job = define_asset_job(
    "salesperf_build",
    description="landing check, dbt build, data-quality gate and publish (as `tasks.py build`)",
    executor_def=in_process_executor,
)

daily_schedule = ScheduleDefinition(
    name="salesperf_daily",
    job=build_job,
    cron_schedule=os.environ.get("SALESPERF_SCHEDULE_CRON", "0 6 * * *"),
    execution_timezone=settings_mod.configured_var("company_timezone") or "UTC",
)


def landing_fingerprint(landing_dir: Path) -> tuple[str, float] | None:
    """(digest of names, sizes and mtimes; newest mtime) of the landing files, None when none."""
    if not landing_dir.is_dir():
        return None
    files = sorted(p for p in landing_dir.iterdir() if p.is_file() and p.suffix.lower() in LANDING_SUFFIXES)
    if not files:
        return None
    digest = hashlib.sha256()
    newest = 0.0
    for path in files:
        stat = path.stat()
        digest.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        newest = max(newest, stat.st_mtime)
    return digest.hexdigest()[:16], newest


@sensor(job=build_job, minimum_interval_seconds=60, default_status=DefaultSensorStatus.STOPPED)
def new_landing_files(context: SensorEvaluationContext):
    """A build when the landing folder holds files newer than the published warehouse (once per
    set of files, after they have stopped changing)."""
    settings = settings_mod.load()
    found = landing_fingerprint(settings.landing_dir)
    if found is None:
        return SkipReason(f"no landing files in {settings.landing_dir}")
    fingerprint, newest = found
    if fingerprint == context.cursor:
        return SkipReason("no new landing files since the last request")
    settle = float(os.environ.get("SALESPERF_LANDING_SETTLE_SECONDS", "60"))
    if time.time() - newest < settle:
        return SkipReason(f"landing files changed less than {settle:.0f} s ago; waiting for the copy to finish")
    published = settings.warehouse.stat().st_mtime if settings.warehouse.exists() else 0.0
    context.update_cursor(fingerprint)
    if newest <= published:
        return SkipReason("the published warehouse is newer than every landing file")
    return RunRequest(run_key=f"landing-{fingerprint}", tags={"salesperf/landing": str(settings.landing_dir)})


def dbt_executable() -> Path:
    """What dagster-dbt starts as dbt: dbt under the run's build lock (lock_handover)."""
    return lock_handover.write_wrapper(manifest_dir() / "dbt-under-build-lock", run_mod.BIN / "dbt")


def definitions(**resources: Any) -> Definitions:
    return Definitions(
        assets=[landing_check, salesperf_dbt, quality_gate, published_warehouse],
        jobs=[build_job],
        schedules=[daily_schedule],
        sensors=[new_landing_files],
        resources={
            "dbt": DbtCliResource(
                project_dir=DBT_PROJECT, profiles_dir=str(PROJECT_DIR), dbt_executable=str(dbt_executable())
            ),
            "build": SalesperfBuild(),
            **resources,
        },
    )


defs = definitions()

if __name__ == "__main__":  # pragma: no cover
    print(f"load with: dagster dev -m {__name__}", file=sys.stderr)
