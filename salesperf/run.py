"""The main job and the test runner, behind ``python3.11 tasks.py <command>``.

Commands:
  demo      generate the demo landing data (unless present), build and publish, start the dashboard
  build     dbt build into a working copy, run the data-quality gate (GX checkpoint), publish it
            atomically when no error-severity check failed; print the data-quality summary
  prepare   the landing preflight only: check every landing file and write the all-text Parquet files
            dbt reads (warehouse/.build/landing/); for `dbt build` by hand (README, Run dbt yourself)
  serve     start the dashboard on the published warehouse
  generate  the landing-data generator (python -m salesperf.generate)
  import    map a CRM export (Salesforce, a Chinese CRM's Excel/CSV) into landing files and a report
  test      lint (ruff, sqlfluff), then the whole test suite (pytest)
  lint      ruff check, ruff format --check and sqlfluff lint; --fix applies their fixes
  digest    compute the alerts of the published warehouse and send the digests (see digest --help);
            build and demo send them by themselves after a publish when SALESPERF_DIGEST_CONFIG is set

Exit codes of build (and demo): 0 published; 1 dbt build failed (an unreadable landing file, a model
error or a failed error-severity dbt test); 2 no landing data (a required table has no file); 3 the
data-quality gate failed (a critical GX expectation); 4 another build is running (lock); 5 the CRM import of
`build --from` could not run; 6 the Parquet exports (salesperf/exports.py) could not be written. In every case
but 0 the published warehouse is left exactly as it was.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from salesperf import build_record, operation
from salesperf import landing as landing_mod
from salesperf import settings as settings_mod
from salesperf.contract import REQUIRED_TABLES
from salesperf.operation import LOCK_NAME, BuildLock, BuildLocked

BIN = Path(sys.executable).parent
EXIT_DBT_FAILED = 1
EXIT_NO_LANDING = 2
EXIT_GATE_FAILED = 3
EXIT_LOCKED = 4


def target_dir() -> Path:
    """Where dbt writes run_results.json and manifest.json (DBT_TARGET_PATH, else target/)."""
    path = Path(os.environ.get("DBT_TARGET_PATH", "target")).expanduser()
    return path if path.is_absolute() else settings_mod.PROJECT_DIR / path


def data_docs_dir(settings: settings_mod.Settings) -> Path:
    """The GX Data Docs of the last build: SALESPERF_DATA_DOCS, else data_docs/ beside the warehouse."""
    override = os.environ.get("SALESPERF_DATA_DOCS")
    return Path(override).expanduser().resolve() if override else settings.warehouse.parent / "data_docs"


def base_currency(warehouse: Path) -> str:
    """The base currency the build of ``warehouse`` used (its main.warehouse_settings): the one
    resolved value, whether set in dbt_project.yml, by --vars or by SALESPERF_BASE_CURRENCY."""
    return str(settings_mod.warehouse_settings(warehouse).get("base_currency") or "")


def _env(settings: settings_mod.Settings, warehouse: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["SALESPERF_LANDING_DIR"] = str(settings.landing_dir)
    env["SALESPERF_WAREHOUSE"] = str(warehouse)
    env["SALESPERF_THREADS"] = str(settings.threads)
    env.setdefault("DBT_PROFILES_DIR", str(settings_mod.PROJECT_DIR))
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return env


# dbt's partial parsing across builds
# ---------------------------------------------------------------------------------------------
# dbt re-parses the whole project (~13 CPU-s on the demo) unless the partial_parse.msgpack of its target folder
# was written with the same rendered dbt_project.yml and profiles.yml. Those name the warehouse file and the
# landing folders, which differ from build to build (another company, a test's temporary folder), so a build
# runs dbt in its build folder with those paths relative to it, and starts from the last parse made with the
# same settings (PARSE_CACHE below the project's target/). dbt still checks that the parse fits (dbt version,
# vars, profile, every file's checksum) and parses again whatever does not; DBT_PARTIAL_PARSE=false turns it off.

PARSE_FILE = "partial_parse.msgpack"
EXTRACTS_LINK = "extracts"


def parse_cache_dir() -> Path:
    return settings_mod.PROJECT_DIR / "target" / "parse_cache"


def in_build_folder(
    env: dict[str, str], settings: settings_mod.Settings, work: Path, prepared: Path, target: Path
) -> dict[str, str]:
    """``env`` for dbt run in the build folder ``work.parent``: the working copy, the prepared landing and the
    extracts (a symlink ``extracts`` to ``settings.landing_dir``) named relative to it; the target and log
    folders and DuckDB's temp directory stay where they were."""
    folder = work.parent
    env = dict(env)
    link = folder / EXTRACTS_LINK
    try:
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(settings.landing_dir, target_is_directory=True)
        env["SALESPERF_LANDING_DIR"] = EXTRACTS_LINK
    except OSError:  # no symlinks here: the absolute path (a full parse, nothing else changes)
        env["SALESPERF_LANDING_DIR"] = str(settings.landing_dir)
    env["SALESPERF_WAREHOUSE"] = os.path.relpath(work, folder)
    env[landing_mod.PREPARED_ENV] = os.path.relpath(prepared, folder)
    env["DBT_TARGET_PATH"] = str(target)
    for name, default in (("DBT_LOG_PATH", "logs"), ("DBT_PROFILES_DIR", ""), ("SALESPERF_DUCKDB_TEMP_DIR", "")):
        value = env.get(name, default).strip()
        if value and not Path(value).expanduser().is_absolute():  # relative to the project, as before
            env[name] = str(settings_mod.PROJECT_DIR / Path(value).expanduser())
    return env


def leave_out_unit_tests(env: dict[str, str]) -> None:
    """Leave dbt's unit tests out of this build: dbt's DBT_EXCLUDE_RESOURCE_TYPES, added to what the user set."""
    excluded = env.get("DBT_EXCLUDE_RESOURCE_TYPES", "").split()
    if "unit_test" not in excluded:
        env["DBT_EXCLUDE_RESOURCE_TYPES"] = " ".join([*excluded, "unit_test"])


def dbt_env_vars() -> set[str]:
    """The environment variables the dbt project reads (``env_var('NAME'...)`` in its files)."""
    import re

    found: set[str] = set()
    for name in settings_mod.DBT_PROJECT_FILES:
        path = settings_mod.PROJECT_DIR / name
        for file in [path] if path.is_file() else path.rglob("*"):
            if file.suffix in (".yml", ".yaml", ".sql", ".py") and file.is_file():
                found.update(re.findall(r"env_var\(\s*['\"](\w+)['\"]", file.read_text(encoding="utf-8")))
    return found


def parse_cache(env: dict[str, str], dbt_args: list[str]) -> Path:
    """The cached parse for these settings: the variables the project reads and the dbt arguments."""
    import hashlib
    import json

    settings = sorted((name, env[name]) for name in dbt_env_vars() if name in env)
    key = hashlib.sha256(json.dumps([settings, dbt_args]).encode()).hexdigest()[:16]
    return parse_cache_dir() / f"{key}.msgpack"


def reuse_parse(cache: Path, target: Path) -> None:
    """Start dbt from the cached parse, if there is one (dbt checks it and parses what changed)."""
    try:
        if cache.exists():
            target.mkdir(parents=True, exist_ok=True)
            _copy_atomically(cache, target / PARSE_FILE)
    except OSError:
        pass  # no cache: dbt parses the whole project


def keep_parse(target: Path, cache: Path) -> None:
    """Keep the parse of a build that passed for the next build with the same settings."""
    try:
        if (target / PARSE_FILE).exists():
            cache.parent.mkdir(parents=True, exist_ok=True)
            _copy_atomically(target / PARSE_FILE, cache)
    except OSError:
        pass  # the next build parses the whole project


def _copy_atomically(source: Path, dest: Path) -> None:
    tmp = dest.with_name(f"{dest.name}.{os.getpid()}.tmp")
    shutil.copyfile(source, tmp)
    os.replace(tmp, dest)


def landing_present(landing_dir: Path) -> bool:
    return all((landing_dir / f"{t}.parquet").exists() or (landing_dir / f"{t}.csv").exists() for t in REQUIRED_TABLES)


def build_lock(settings: settings_mod.Settings) -> BuildLock:
    """The lock of everything a build writes: working copy, dbt target folder, Data Docs."""
    paths = [settings.build_warehouse.parent / LOCK_NAME, target_dir() / LOCK_NAME]
    docs = data_docs_dir(settings)
    if docs.parent != settings.warehouse.parent:  # SALESPERF_DATA_DOCS elsewhere: lock it too
        paths.append(docs.with_name(docs.name + ".lock"))
    return BuildLock(paths)


def build(settings: settings_mod.Settings, dbt_args: list[str] | None = None, incremental: bool = False) -> int:
    """Under the build lock: the landing preflight, then dbt build and the gate (see _build)."""
    lock = build_lock(settings)
    try:
        lock.acquire()
    except BuildLocked as busy:
        print(f"[build] {busy}", file=sys.stderr)
        print(f"[build] not built; the published warehouse {settings.warehouse} is unchanged.", file=sys.stderr)
        return EXIT_LOCKED
    try:
        return _build(settings, dbt_args, lock, incremental)
    finally:
        lock.release()


def prepare_landing(settings: settings_mod.Settings) -> tuple[int, Path]:
    """The landing preflight into the build folder: 0, or the exit code after printing every problem."""
    from salesperf import landing

    prepared = settings.build_warehouse.parent / "landing"
    print(f"[landing] reading {settings.landing_dir} -> {prepared}", flush=True)
    result = landing.prepare(settings.landing_dir, prepared, say=lambda m: print(m, flush=True))
    if result.ok:
        rows = result.rows()
        print(f"[landing] {sum(rows.values()):,} rows of {len(rows)} landing files read", flush=True)
        return 0, prepared
    for line in landing.report(result):
        print(line, file=sys.stderr)
    print(f"[build] not built; the published warehouse {settings.warehouse} is unchanged.", file=sys.stderr)
    return (EXIT_NO_LANDING if result.only_missing else EXIT_DBT_FAILED), prepared


def prepare(settings: settings_mod.Settings) -> int:
    """`tasks.py prepare`: the preflight under the build lock, and how to point dbt at its output."""
    try:
        with build_lock(settings):
            rc, prepared = prepare_landing(settings)
    except BuildLocked as busy:
        print(f"[build] {busy}", file=sys.stderr)
        return EXIT_LOCKED
    if rc == 0:
        print(f"[landing] prepared; for dbt by hand: export {landing_mod.PREPARED_ENV}={prepared}", flush=True)
    return rc


def _build(
    settings: settings_mod.Settings, dbt_args: list[str] | None, lock: BuildLock, incremental: bool = False
) -> int:
    """dbt build into the working copy; replace the published file only if the build passed.

    ``incremental``: the working copy starts as a copy of the published warehouse, so dbt's incremental
    models (docs/incremental.md) add the new days to it; otherwise (and with dbt's --full-refresh, or
    when nothing is published yet) it starts empty and every model is built from the whole landing."""
    from salesperf import spark_build

    on_spark = spark_build.is_spark()
    if on_spark and incremental:
        print("[build] --incremental is not supported on Spark yet: run `build` (a full build)", file=sys.stderr)
        return EXIT_DBT_FAILED
    work = settings.build_warehouse
    work.parent.mkdir(parents=True, exist_ok=True)
    for stale in (work, work.with_name(work.name + ".wal")):
        stale.unlink(missing_ok=True)
    env = _env(settings, work)
    record = build_record.current(settings.landing_dir, env, dbt_args or [], dbt_env_vars())
    carried: list = []  # the published build's unit-test results, kept when they are not run again
    if incremental and "--full-refresh" not in (dbt_args or []):
        why = (
            build_record.reason_for_full_build(build_record.read(settings.warehouse), record)
            if settings.warehouse.exists()
            else "nothing published yet"
        )
        if why is None:
            print(f"[build] incremental: starting from the published warehouse {settings.warehouse}", flush=True)
            shutil.copyfile(settings.warehouse, work)
            # the same code as the published build: dbt's unit tests (fixed rows, not the landing) would give
            # the results it recorded (read now: dbt creates dq_results anew), kept instead of run again
            from salesperf.quality.results import read_results

            carried = read_results(work, check_type="dbt_unit_test")
            leave_out_unit_tests(env)
        else:
            print(f"[build] incremental: {why}: building everything", flush=True)
    started = time.monotonic()
    rc, prepared = prepare_landing(settings)
    if rc != 0:
        return rc
    target = target_dir()
    (target / "run_results.json").unlink(missing_ok=True)  # never read a previous build's results
    env[landing_mod.PREPARED_ENV] = str(prepared)
    dbt_cwd = settings_mod.PROJECT_DIR
    if on_spark:  # salesperf/spark_build.py: dbt on Spark, then its tables in the working copy, tested
        print(f"[build] dbt build on Spark: landing {settings.landing_dir} -> working copy {work}", flush=True)
        rc = spark_build.build_on_spark(work, target, env, dbt_args or [], tuple(lock.fds))
        env["SALESPERF_TARGET"] = "dev"  # what follows (gate, exports, docs) reads the DuckDB working copy
    else:
        print(f"[build] dbt build: landing {settings.landing_dir} -> working copy {work}", flush=True)
        env, dbt_cwd = in_build_folder(env, settings, work, prepared, target), work.parent
        cache = parse_cache(env, dbt_args or [])
        reuse_parse(cache, target)
        cmd = [str(BIN / "dbt"), "build", "--project-dir", str(settings_mod.PROJECT_DIR), *(dbt_args or [])]
        # dbt inherits the lock: a build killed while dbt runs stays locked until dbt has exited
        rc = subprocess.run(cmd, env=env, cwd=dbt_cwd, pass_fds=tuple(lock.fds)).returncode
        if rc == 0:
            keep_parse(target, cache)
    if rc != 0:
        from salesperf.quality.dbt_checks import failed_nodes

        for line in failed_nodes(target):
            print(f"[build] failed: {line}", file=sys.stderr)
        print(
            f"[build] dbt build failed (exit {rc}); the published warehouse {settings.warehouse} is unchanged.",
            file=sys.stderr,
        )
        return rc or EXIT_DBT_FAILED
    rc = quality_gate(settings, work, target, prepared, carried)
    if rc != 0:
        return rc
    build_record.write(work, record)
    from salesperf import exports  # Parquet exports (and dbt docs) published with the warehouse

    project, fds = settings_mod.PROJECT_DIR, tuple(lock.fds)
    rc = exports.publish_build(
        work, settings.warehouse, target, dbt=BIN / "dbt", project=project, env=env, fds=fds, cwd=dbt_cwd
    )
    if rc != 0:
        return rc
    print(f"[build] published {settings.warehouse} in {time.monotonic() - started:.0f} s", flush=True)
    return 0


def quality_gate(
    settings: settings_mod.Settings,
    work: Path,
    target: Path,
    prepared: Path | None = None,
    carried: list | None = None,
) -> int:
    """GX checkpoint + dq_results + summary on the working copy; 0 when it may be published.

    ``carried``: results of the published build kept in dq_results with the time they were checked
    (:func:`salesperf.quality.results.read_results`): its unit tests', when dbt ran without them on an
    incremental run of the same code.

    The gate reads the landing files the preflight prepared (``prepared``), the very ones dbt read.
    The Data Docs are written into a sibling folder and swapped in when complete."""
    from salesperf.quality.gate import run_gate, summary_lines

    docs = data_docs_dir(settings)
    operation.recover(docs)
    new_docs = operation.staging(docs)
    print(f"[gate] data-quality checkpoint on {work}", flush=True)
    try:
        currency = base_currency(work)
        outcome = run_gate(
            work,
            prepared or settings.landing_dir,
            target,
            new_docs,
            work.parent,
            currency,
            say=lambda m: print(m, flush=True),
            carried=carried or (),
        )
    except Exception as error:  # the gate itself broke (a bug): never publish what was not checked
        import traceback

        shutil.rmtree(new_docs, ignore_errors=True)
        log = work.parent / "gate_error.log"
        log.write_text(traceback.format_exc(), encoding="utf-8")
        print(
            f"[gate] the data-quality gate could not run: {type(error).__name__}: {error} (details: {log})",
            file=sys.stderr,
        )
        print(f"[build] not published; the published warehouse {settings.warehouse} is unchanged.", file=sys.stderr)
        return EXIT_GATE_FAILED
    operation.swap_in(new_docs, docs)
    outcome.docs_index = docs / "index.html"
    outcome.summary_page = docs / "summary.html"
    for line in summary_lines(outcome):
        print(line, flush=True)
    if not outcome.passed:
        for result in outcome.blocking:
            print(f"[gate] {result.one_line()}", file=sys.stderr)
        print(
            f"[build] data-quality gate failed: {len(outcome.blocking)} check(s) of severity error "
            f"(details: {outcome.summary_page}); the published warehouse {settings.warehouse} is unchanged.",
            file=sys.stderr,
        )
        return EXIT_GATE_FAILED
    return 0


def serve(settings: settings_mod.Settings, port: int) -> int:
    app = settings_mod.PROJECT_DIR / "dashboard" / "streamlit_app.py"
    from dashboard.auth import configuration_problem  # production mode needs a cookie key (issue 15)

    problem = configuration_problem()
    if problem:
        print(f"[serve] refusing to start: {problem}", file=sys.stderr, flush=True)
        return 2
    print(f"[serve] dashboard on http://127.0.0.1:{port} (warehouse {settings.warehouse}); Ctrl+C stops it", flush=True)
    cmd = [
        str(BIN / "streamlit"),
        "run",
        str(app),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    return subprocess.run(cmd, env=_env(settings, settings.warehouse)).returncode


BROWSER_PACKAGES = ("chromium", "chromium-driver", "fonts-wqy-microhei")


def ensure_browser() -> None:
    """The dashboard's real-browser test needs Debian's Chromium and a CJK font: install them
    when missing (CI runs as root on a fresh machine). Prints why it could not, and goes on."""
    if Path("/usr/bin/chromium").exists() and Path("/usr/share/fonts/truetype/wqy").exists():
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        print("[test] chromium is missing and cannot be installed here (needs apt-get as root)", file=sys.stderr)
        return
    print("[test] installing chromium and a CJK font for the browser test (apt-get)", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    subprocess.run(["apt-get", "install", "-y", "-qq", *BROWSER_PACKAGES], env=env, check=False)


def parallel_args(pytest_args: list[str]) -> list[str]:
    """pytest-xdist workers for the suite: one per core and one more, at most 3 (SALESPERF_TEST_WORKERS
    overrides; 0 runs in one process). A worker often waits, for a build another worker is making and
    shares (tests/conftest.py shared_across_workers), for a browser, a server or a subprocess's I/O: on
    two cores, two workers kept them ~80 % busy; the third worker runs while one waits. A test file
    stays on one worker (its module fixtures are built once); the session's demo build is shared by the
    workers (tests/conftest.py). The 30 slowest tests are listed at the end. Nothing is added when the
    caller passes -n/--numprocesses or -p no:xdist."""
    if any(a.startswith(("-n", "--numprocesses", "--dist")) or a == "no:xdist" for a in pytest_args):
        return []
    workers = int(os.environ.get("SALESPERF_TEST_WORKERS", min(3, (os.cpu_count() or 1) + 1)))
    durations = ["--durations=30"]
    # files in collection order, which tests/conftest.py sorts longest first (not xdist's "most tests first")
    parallel = ["-n", str(workers), "--dist", "loadfile", "--no-loadscope-reorder"]
    return [*durations, *parallel] if workers > 1 else durations


def run_tests(pytest_args: list[str]) -> int:
    from salesperf.lint import lint

    if lint() != 0:  # ruff and sqlfluff first: a finding fails the run (salesperf/lint.py)
        print("[test] lint found problems (above): not running pytest.", file=sys.stderr)
        return 1
    ensure_browser()
    rc = subprocess.run(
        [sys.executable, "-m", "pytest", *parallel_args(pytest_args), *pytest_args], cwd=settings_mod.PROJECT_DIR
    ).returncode
    if rc == 5:
        print("[test] pytest collected no tests: that is a failure here.", file=sys.stderr)
        return 1
    return rc


EXIT_IMPORT_FAILED = 5  # 4 is "another build is running"


def import_export(
    preset: str, source_dir: str, out: str | None, strict: bool = False, encoding: str | None = None
) -> int:
    """Map a CRM export into the landing folder (salesperf/adapters); print and write the report."""
    from salesperf.adapters.importer import ImportFailed, report_lines, run_import
    from salesperf.adapters.mapping import load_mapping
    from salesperf.adapters.yamlnodes import MappingError

    out_dir = Path(out).expanduser().resolve() if out else settings_mod.load().landing_dir
    try:
        mapping = load_mapping(preset)
        currency = settings_mod.configured_var("base_currency")
        result = run_import(mapping, Path(source_dir).expanduser(), out_dir, currency, encoding)
    except (MappingError, ImportFailed) as error:
        print(f"[import] {error}", file=sys.stderr)
        print("[import] nothing was written.", file=sys.stderr)
        return EXIT_IMPORT_FAILED
    for line in report_lines(result):
        print(line, flush=True)
    if strict and (result.unmapped or result.rejected):
        print(
            f"[import] --strict: {result.rejected} row(s) rejected, {len(result.unmapped)} value(s) unmapped",
            file=sys.stderr,
        )
        return EXIT_IMPORT_FAILED
    return 0


def build_and_notify(
    settings: settings_mod.Settings, dbt_args: list[str] | None = None, incremental: bool = False
) -> int:
    """build; then, when SALESPERF_DIGEST_CONFIG names a digest configuration, the digests of the
    new warehouse or the alert of the failure (salesperf/alerts). The exit code is the build's."""
    from salesperf.alerts.digest import after_build

    return after_build(settings, lambda: build(settings, dbt_args, incremental))


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        prog="tasks.py", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="generate demo data, build, publish and serve the dashboard")
    demo.add_argument("--regenerate", action="store_true", help="write the demo landing data even if present")
    demo.add_argument("--no-serve", action="store_true", help="stop after publishing")
    demo.add_argument("--port", type=int, default=8501)
    bld = sub.add_parser("build", help="dbt build + publish (extra arguments go to dbt build)")
    bld.add_argument(
        "--from",
        dest="from_preset",
        nargs=2,
        metavar=("PRESET", "EXPORT_DIR"),
        help="first import a CRM export with this preset or mapping file into the landing folder",
    )
    bld.add_argument(
        "--incremental",
        action="store_true",
        help="start from the published warehouse: the incremental models add the new days of the landing "
        "(docs/incremental.md); a correction older than incremental_lookback_days needs a build without it",
    )
    sub.add_parser("prepare", help="check and prepare the landing files for dbt build by hand")
    imp = sub.add_parser("import", help="map a CRM export into landing files (README: Bring your CRM)")
    imp.add_argument("export_dir", help="folder of the CRM export (CSV / .xlsx files)")
    imp.add_argument("--from", dest="preset", required=True, help="preset (salesforce, cn_crm) or a mapping .yml")
    imp.add_argument("--out", help="landing folder to write (default: SALESPERF_LANDING_DIR)")
    imp.add_argument("--encoding", help="CSV encoding of every source file (utf-8, gb18030, auto ...)")
    imp.add_argument("--strict", action="store_true", help="exit 5 when a row was rejected or a value unmapped")
    srv = sub.add_parser("serve", help="start the dashboard")
    srv.add_argument("--port", type=int, default=8501)
    sub.add_parser("generate", help="the landing-data generator (see generate --help)", add_help=False)
    sub.add_parser("test", help="lint, then the whole test suite (extra arguments go to pytest)", add_help=False)
    sub.add_parser("lint", help="ruff and sqlfluff (see lint --help)", add_help=False)
    sub.add_parser("digest", help="alerts and digests to e-mail and chat (see digest --help)", add_help=False)

    args, extra = parser.parse_known_args(argv)
    settings = settings_mod.load()
    if args.command == "generate":
        from salesperf.generate.__main__ import main as generate_main

        sys.exit(generate_main(extra))
    if args.command == "test":
        sys.exit(run_tests(extra))
    if args.command == "lint":
        from salesperf.lint import main as lint_main

        sys.exit(lint_main(extra))
    if args.command == "digest":
        from salesperf.alerts.digest import main as digest_main

        sys.exit(digest_main(extra))
    if args.command == "import":
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        sys.exit(import_export(args.preset, args.export_dir, args.out, args.strict, args.encoding))
    if args.command == "build":
        if args.from_preset:
            rc = import_export(args.from_preset[0], args.from_preset[1], None)
            if rc != 0:
                sys.exit(rc)
        sys.exit(build_and_notify(settings, extra, args.incremental))
    if args.command == "prepare":
        sys.exit(prepare(settings))
    if args.command == "serve":
        sys.exit(serve(settings, args.port))
    if args.command == "demo":
        if args.regenerate or not landing_present(settings.landing_dir):
            from salesperf.generate import generate

            if args.regenerate:
                shutil.rmtree(settings.landing_dir, ignore_errors=True)
            print(f"[demo] generating demo landing data (scale small) into {settings.landing_dir}", flush=True)
            generate(settings.landing_dir, scale="small")
        rc = build_and_notify(settings)
        if rc != 0:
            sys.exit(rc)
        if args.no_serve:
            sys.exit(0)
        sys.exit(serve(settings, args.port))


if __name__ == "__main__":
    main()
