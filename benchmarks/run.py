"""Benchmark harness of issue 12: generation, scan floor, full build and dashboard queries per scale.

    .venv/bin/python benchmarks/run.py                          # small and medium (cached landing data)
    .venv/bin/python benchmarks/run.py --scales small,medium,large --json out.json
    .venv/bin/python benchmarks/run.py --generate-only large    # time generating large, no build
    .venv/bin/python benchmarks/run.py --landing DIR --warehouse FILE   # measure an existing build

For every scale asked for, in one run:

1. **generation**: ``python -m salesperf.generate --seed S --scale X --out <work>/landing/X-seedS``,
   timed; a complete earlier generation with the same seed and scale is reused (its recorded time
   is reported, marked ``cached``);
2. **scan floor**: DuckDB reading every landing file once, with the readers the build uses
   (``read_parquet``; ``read_csv`` with the fixed dialect of ``macros/landing_source.sql``), every
   column touched (``hash(columns(*))``), best of ``--repeat``;
3. **build**: ``python tasks.py build`` (preflight + dbt build + quality gate + publish, the command a
   user runs) with scratch ``SALESPERF_WAREHOUSE``, ``SALESPERF_LANDING_DIR``, ``DBT_TARGET_PATH`` and
   ``DBT_LOG_PATH``; wall time, stage times from the runner's own log lines (``[landing]``, ``[build]
   dbt build``, ``[gate]``, ``[build] published``), the slowest dbt nodes (run_results.json) and the
   peak memory: **peak RSS** is the larger of (a) ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` of a wrapper
   process whose only descendants are the build (the largest single process of the build: dbt or
   the gate) and (b) the largest *sum* of RSS over the build's process tree, sampled from /proc
   every 0.2 s; both are in the JSON;
4. **dashboard**: the queries each page of ``dashboard/app_pages`` runs on a page load with its default
   selection (a director, period type month, the latest period, the first rep / customer / products
   a page selects by default), through the functions of ``dashboard/data.py`` (their cache cleared
   before every repetition), including the queries every page load runs first
   (``streamlit_app.py`` and ``ui.build_context``); best of ``--repeat``, in ms;
5. **incremental day** (after a measured build; ``--no-incremental`` skips it): the full build reads a
   copy of the landing, ``<work>/landing/X-seedS-daily`` (copied before it, not timed); one day is
   appended there (``python -m salesperf.generate --append-day``: the next day's orders and lines,
   every existing row unchanged; docs/incremental.md) and ``python tasks.py build --incremental`` runs
   on the same folder against the warehouse the full build just published (the daily run of issue 12:
   the same landing folder and scratch folders, as a scheduled run has them; the run starts from the
   published warehouse only for the folder it was built from); wall time, stages, peak RSS and its
   share of the full build's time. That the incremental result equals a full build of the same
   landing is a test (tests/test_incremental_build.py), not part of the benchmark.

Then it prints a Markdown table of the figures and ratios, the machine (cores, RAM, load average
before and after every step) and one PASS / FAIL / not measured line per goal of issue 12. A goal
whose figures were not measured in this run is never PASS. Timings depend on the machine and its
load: run it on a quiet machine (the build holds no lock against other work).
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ORDER_LINES_TABLE = "erp_sales_order_lines"
PAGES = ("overview", "teams", "rep", "customers", "products", "data_quality")
GB = 1024**3
GOAL_INCREMENTAL_SHARE = 0.10  # incremental day / full build, at medium
NOT_MEASURED = "not measured"

# Goals of issue 12 (seconds, bytes, ratios).
GOAL_MEDIUM_BUILD_S = 90
GOAL_LARGE_BUILD_S = 15 * 60
GOAL_FLOOR_RATIO = 100
GOAL_PEAK_BYTES = 6 * GB
GOAL_DASHBOARD_RATIO = 1.5
GOAL_LARGE_GENERATION_S = 5 * 60
GOAL_SCALING_FACTOR = 1.1

# The wrapper the build runs under: its RUSAGE_CHILDREN covers the build's processes only.
_RUSAGE_WRAPPER = (
    "import json, resource, subprocess, sys\n"
    "rc = subprocess.call(sys.argv[2:])\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "open(sys.argv[1], 'w').write(json.dumps({'returncode': rc, 'ru_maxrss_kib': peak}))\n"
    "sys.exit(rc)\n"
)


# ---------------------------------------------------------------------------------------------
# Machine facts
# ---------------------------------------------------------------------------------------------


def load() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def machine() -> dict[str, Any]:
    mem_total = 0
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                mem_total = int(line.split()[1]) * 1024
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import duckdb

    return {
        "date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": model,
        "ram_gb": round(mem_total / GB, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "load_at_start": load(),
    }


class Step:
    """Times one step and records the load average before and after it."""

    def __init__(self, log: list[dict[str, Any]], scale: str, name: str) -> None:
        self.log, self.scale, self.name = log, scale, name

    def __enter__(self) -> Step:
        self.load_before = load()
        self.started = time.perf_counter()
        print(f"[bench] {self.scale}: {self.name} (load {self.load_before})", flush=True)
        return self

    def __exit__(self, *exc: object) -> None:
        seconds = time.perf_counter() - self.started
        entry = {
            "scale": self.scale,
            "step": self.name,
            "seconds": round(seconds, 3),
            "load_before": self.load_before,
            "load_after": load(),
        }
        self.log.append(entry)
        print(f"[bench] {self.scale}: {self.name} done in {seconds:.1f} s (load {entry['load_after']})", flush=True)


# ---------------------------------------------------------------------------------------------
# 1. Generation
# ---------------------------------------------------------------------------------------------

MARKER = "_bench_generation.json"


def generate(scale: str, seed: int, out: Path, timeout: float | None) -> dict[str, Any]:
    """Generate ``scale`` into ``out`` unless a complete generation is there; the recorded time."""
    marker = out / MARKER
    if marker.exists():
        recorded = json.loads(marker.read_text(encoding="utf-8"))
        return {**recorded, "cached": True}
    shutil.rmtree(out, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "salesperf.generate", "--seed", str(seed), "--scale", scale, "--out", str(out)]
    started = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        shutil.rmtree(out, ignore_errors=True)
        return {"seconds": None, "timed_out_after_s": timeout, "cached": False}
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"[bench] generation of {scale} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    recorded = {"seconds": round(seconds, 2), "seed": seed, "scale": scale, "generated_at": machine()["date_utc"]}
    marker.write_text(json.dumps(recorded), encoding="utf-8")
    return {**recorded, "cached": False}


# ---------------------------------------------------------------------------------------------
# 2. Scan floor
# ---------------------------------------------------------------------------------------------


def landing_files(landing: Path) -> list[Path]:
    from salesperf.contract import TABLES

    found = []
    for table in TABLES:
        for suffix in (".parquet", ".csv"):
            path = landing / f"{table.name}{suffix}"
            if path.exists():
                found.append(path)
    return found


def reader(path: Path) -> str:
    """The relation one landing file is read through: the gate's reader (``landing_source``'s fixed dialect)."""
    from salesperf.quality.freshness import landing_reader

    return landing_reader(path)


def order_lines(landing: Path) -> int:
    import duckdb

    files = [p for p in landing_files(landing) if p.stem == ORDER_LINES_TABLE]
    if not files:
        return 0
    with duckdb.connect() as con:
        return int(con.execute(f"select count(*) from {reader(files[0])}").fetchone()[0])


def scan_floor(landing: Path, repeat: int) -> dict[str, Any]:
    """Best-of-``repeat`` seconds for DuckDB to read every column of every landing file once."""
    import duckdb

    files = landing_files(landing)
    if not files:
        raise SystemExit(f"[bench] no landing files in {landing}")
    times = []
    for _ in range(repeat):
        con = duckdb.connect()
        started = time.perf_counter()
        for path in files:
            con.execute(f"select count(*), max(hash(columns(*))) from {reader(path)}").fetchall()
        times.append(time.perf_counter() - started)
        con.close()
    return {"seconds": round(min(times), 4), "runs": [round(t, 4) for t in times], "files": len(files)}


# ---------------------------------------------------------------------------------------------
# 3. Build
# ---------------------------------------------------------------------------------------------


def _tree_rss(root_pid: int) -> int:
    """Sum of the RSS of ``root_pid`` and all its descendants now (bytes), from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


STAGE_MARKS = (
    ("[landing] reading", "preflight"),
    ("[build] dbt build:", "dbt build"),
    ("[gate] data-quality checkpoint", "gate + publish"),
)


def build(
    landing: Path, scratch: Path, threads: int, *, incremental: bool = False, log_name: str = "build.log"
) -> dict[str, Any]:
    """``python tasks.py build`` into ``scratch``: wall time, stages, peak RSS, slowest dbt nodes.

    ``incremental``: ``build --incremental`` from the warehouse an earlier build published in the same
    ``scratch`` (kept, with its dbt target folder); otherwise ``scratch`` starts empty."""
    if not incremental:
        shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True, exist_ok=True)
    warehouse = scratch / "warehouse" / "sales_performance.duckdb"
    env = dict(os.environ)
    env.update(
        SALESPERF_LANDING_DIR=str(landing),
        SALESPERF_WAREHOUSE=str(warehouse),
        SALESPERF_THREADS=str(threads),
        SALESPERF_DATA_DOCS=str(scratch / "data_docs"),
        DBT_TARGET_PATH=str(scratch / "target"),
        DBT_LOG_PATH=str(scratch / "logs"),
    )
    rusage_file = scratch / "rusage.json"
    cmd = [sys.executable, "-c", _RUSAGE_WRAPPER, str(rusage_file), sys.executable, str(ROOT / "tasks.py"), "build"]
    if incremental:
        cmd.append("--incremental")
    log_lines: list[tuple[float, str]] = []
    peak_tree = 0
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not done.is_set():
            peak_tree = max(peak_tree, _tree_rss(proc.pid))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stdout is not None
    with open(scratch / log_name, "w", encoding="utf-8") as log:
        for line in proc.stdout:
            log_lines.append((time.perf_counter() - started, line.rstrip("\n")))
            log.write(line)
    returncode = proc.wait()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if returncode != 0:
        tail = "\n".join(line for _, line in log_lines[-40:])
        raise SystemExit(f"[bench] build failed (exit {returncode}), log {scratch / log_name}:\n{tail}")
    rusage = json.loads(rusage_file.read_text(encoding="utf-8"))
    largest_process = rusage["ru_maxrss_kib"] * 1024
    return {
        "seconds": round(seconds, 2),
        "stages": stages(log_lines, seconds),
        "peak_rss_bytes": max(largest_process, peak_tree),
        "peak_rss_largest_process_bytes": largest_process,
        "peak_rss_tree_sampled_bytes": peak_tree,
        "slowest_dbt_nodes": slowest_nodes(scratch / "target" / "run_results.json"),
        "warehouse": str(warehouse),
        "threads": threads,
    }


class AppendDayError(RuntimeError):
    """The generator could not append a day to the copied landing (e.g. a company's own extracts, CSV)."""


def daily_landing(landing: Path, out: Path) -> Path:
    """``landing`` copied to ``out`` (replacing it): the folder a scheduled run reads, built in full, then
    given a day in place (:func:`append_day`) and built incrementally (``build --incremental`` starts from
    the published warehouse only for the landing folder it was built from: salesperf.build_record)."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(landing, out)
    (out / MARKER).unlink(missing_ok=True)  # not a generation of its own: never reused as a cached one
    return out


def append_day(folder: Path) -> dict[str, Any]:
    """The next day appended to the landing ``folder`` (in place) by the generator.

    Raises :class:`AppendDayError` with the generator's message when it cannot (its ``--append-day`` needs
    the Parquet order files it writes): the incremental day is then not measured, the rest of the run is."""
    cmd = [sys.executable, "-m", "salesperf.generate", "--append-day", "--out", str(folder)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        message = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-1:] or ["no message"]
        raise AppendDayError(f"--append-day in {folder} failed (exit {proc.returncode}): {message[0]}")
    return {"landing": str(folder), "generator": proc.stdout.strip()}


def stages(log_lines: list[tuple[float, str]], total: float) -> dict[str, float]:
    """Seconds per stage, from the time the runner printed each stage's first line."""
    starts: list[tuple[str, float]] = [("start-up", 0.0)]
    for mark, name in STAGE_MARKS:
        at = next((t for t, line in log_lines if line.startswith(mark)), None)
        if at is not None:
            starts.append((name, at))
    result = {}
    for (name, at), (_, until) in zip(starts, [*starts[1:], ("end", total)], strict=True):
        result[name] = round(until - at, 2)
    return result


def slowest_nodes(run_results: Path, top: int = 8) -> list[dict[str, Any]]:
    if not run_results.exists():
        return []
    results = json.loads(run_results.read_text(encoding="utf-8")).get("results", [])
    ranked = sorted(results, key=lambda r: r.get("execution_time") or 0, reverse=True)[:top]
    return [{"node": r["unique_id"], "seconds": round(r.get("execution_time") or 0, 2)} for r in ranked]


# ---------------------------------------------------------------------------------------------
# 4. Dashboard
# ---------------------------------------------------------------------------------------------


def page_constants(page: str) -> dict[str, Any]:
    """The module-level constants (indicator code lists) of a dashboard page, read without running it."""
    tree = ast.parse((ROOT / "dashboard" / "app_pages" / f"{page}.py").read_text(encoding="utf-8"))
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id.isupper() and node.value is not None:
                    try:
                        found[target.id] = ast.literal_eval(node.value)
                    except ValueError:
                        continue
    return found


def _page_load(data: Any) -> dict[str, Any]:
    """What every page load queries first (streamlit_app.main and ui.build_context), default selection."""
    data.warehouse_status()
    data.base_currency()
    data.catalog()
    data.as_of_date()
    periods = data.periods("month")
    period = periods.iloc[0]
    principal = data.Principal("benchmark", "director")
    teams = data.visible_teams(principal)
    reps = data.visible_reps(principal)
    return {
        "principal": principal,
        "period_type": "month",
        "start": period["period_start"].date() if hasattr(period["period_start"], "date") else period["period_start"],
        "end_as_of": period["period_end_as_of"],
        "team_ids": list(teams["team_id"]),
        "rep_ids": list(reps["rep_id"]),
    }


def _wide(frame: Any, index: str = "entity_id") -> Any:
    if frame.empty:
        return frame
    return frame.pivot_table(index=index, columns="indicator_code", values="value", aggfunc="first")


def dashboard_page(data: Any, page: str) -> None:
    """One page load of ``page``: the calls its render() makes, with its default selection."""
    import pandas as pd

    ctx = _page_load(data)
    p, pt, start = ctx["principal"], ctx["period_type"], ctx["start"]
    c = page_constants(page)
    if page == "overview":
        codes = [code for codes in c["HEADLINES"].values() for code in codes]
        data.indicator_snapshot(p, "company", pt, start, entity_ids=["company"])
        data.indicator_trend(p, "company", pt, start, codes=codes, entity_ids=["company"])
    elif page == "teams":
        data.indicator_snapshot(p, "team", pt, start, c["LEADERBOARD_CODES"], ctx["team_ids"])
        data.indicator_trend(p, "team", pt, start, [c["TREND_CODES"][0]], ctx["team_ids"])
    elif page == "rep":
        rep_id = ctx["rep_ids"][0]
        data.indicator_snapshot(p, "rep", pt, start, entity_ids=[rep_id])
        data.indicator_trend(p, "rep", pt, start, entity_ids=[rep_id])
        customers = data.customers_owned(p, pt, start, rep_ids=[rep_id])
        data.indicator_snapshot(p, "customer", pt, start, c["CUSTOMER_CODES"], list(customers["customer_id"]))
    elif page == "customers":
        customers = data.customers_owned(p, pt, start, team_ids=None, rep_ids=None)
        values = data.indicator_snapshot(p, "customer", pt, start, c["CUSTOMER_CODES"])
        for grain, ids in (("team", ctx["team_ids"]), ("rep", ctx["rep_ids"])):
            if ids:
                data.indicator_snapshot(p, grain, pt, start, c["CONCENTRATION_CODES"], ids)
        if not customers.empty:
            wide = _wide(values)
            table = customers.merge(wide, left_on="customer_id", right_index=True, how="left")
            for code in ("clv_predicted", "sales_amount"):
                if code not in table.columns:
                    table[code] = float("nan")
            first = table.sort_values(["clv_predicted", "sales_amount"], ascending=False, na_position="last")
            customer_id = first["customer_id"].iloc[0]
            data.indicator_trend(p, "customer", pt, start, c["HISTORY_CODES"], [customer_id], periods_back=24)
            data.clv_snapshots(p, customer_id, pd.Timestamp(ctx["end_as_of"]).date())
    elif page == "products":
        products = data.visible_products(p)
        snapshot = data.indicator_snapshot(p, "product", pt, start, c["PRODUCT_CODES"])
        frame = products.merge(_wide(snapshot), left_on="product_id", right_index=True, how="left")
        if "sales_amount" not in frame.columns:
            frame["sales_amount"] = float("nan")
        chosen = list(frame.sort_values("sales_amount", ascending=False, na_position="last")["product_id"])[:5]
        if chosen:
            data.indicator_trend(p, "product", pt, start, ["sales_amount"], chosen)
    elif page == "data_quality":
        for table, groups in (("dq_results", c["RESULT_GROUPS"]), ("dq_rejected_rows", c["REJECTED_GROUPS"])):
            if data.dq_summary(table, groups) is not None:
                data.dq_table(p, table)
        data.dq_table(p, "dq_row_accounting")
        data.published_at()
        data.freshness()
    else:
        raise ValueError(f"unknown page {page}")


def dashboard(warehouse: Path, repeat: int) -> dict[str, float]:
    """Best-of-``repeat`` ms of each page's queries on ``warehouse`` (query cache cleared each time)."""
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)
    os.environ["SALESPERF_WAREHOUSE"] = str(warehouse)
    from dashboard import data

    result = {}
    for page in PAGES:
        times = []
        for _ in range(repeat):
            data._cached_query.clear()
            started = time.perf_counter()
            dashboard_page(data, page)
            times.append(time.perf_counter() - started)
        result[page] = round(min(times) * 1000, 1)
    data._cached_query.clear()
    return result


# ---------------------------------------------------------------------------------------------
# Ratios, goals and the table
# ---------------------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def ratios(results: dict[str, dict[str, Any]]) -> None:
    """Adds build ÷ floor, the scaling against the previous scale and page time ÷ small, in place."""
    order = [s for s in ("small", "medium", "large") if s in results] + [
        s for s in results if s not in ("small", "medium", "large")
    ]
    small = results.get("small", {}).get("dashboard_ms")
    previous = None
    for scale in order:
        r = results[scale]
        build_s = (r.get("build") or {}).get("seconds")
        floor_s = (r.get("scan_floor") or {}).get("seconds")
        r["build_over_floor"] = round(build_s / floor_s, 1) if build_s and floor_s else None
        incremental_s = (r.get("incremental") or {}).get("seconds")
        r["incremental_over_full"] = round(incremental_s / build_s, 3) if incremental_s and build_s else None
        pages = r.get("dashboard_ms")
        r["dashboard_over_small"] = (
            {page: round(ms / small[page], 2) for page, ms in pages.items() if small.get(page)}
            if pages and small
            else None
        )
        if previous is not None:
            p = results[previous]
            prev_build = (p.get("build") or {}).get("seconds")
            line_ratio = r["order_lines"] / p["order_lines"] if p.get("order_lines") else None
            r["vs_previous"] = {
                "scale": previous,
                "order_line_ratio": round(line_ratio, 2) if line_ratio else None,
                "build_time_ratio": round(build_s / prev_build, 2) if build_s and prev_build else None,
            }
        previous = scale


def goals(results: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    """One row per goal of issue 12: target, what was measured, PASS / FAIL / not measured."""
    rows = []

    def build_s(scale: str) -> float | None:
        return ((results.get(scale) or {}).get("build") or {}).get("seconds")

    def add(goal: str, measured: str, verdict: str) -> None:
        rows.append({"goal": goal, "measured": measured, "result": verdict})

    for scale, limit, label in (
        ("medium", GOAL_MEDIUM_BUILD_S, "≤ 90 s"),
        ("large", GOAL_LARGE_BUILD_S, "≤ 15 min"),
    ):
        seconds = build_s(scale)
        if seconds is None:
            add(f"full build {scale} {label}", "—", NOT_MEASURED)
        else:
            add(f"full build {scale} {label}", f"{seconds:.0f} s", _verdict(seconds <= limit))

    def every_scale(goal: str, values: dict[str, float | None], limit: float, fmt: str) -> None:
        measured = {s: v for s, v in values.items() if v is not None}
        text = ", ".join(f"{s} {fmt.format(v)}" for s, v in measured.items()) or "—"
        missing = [s for s in ("small", "medium", "large") if s not in measured]
        if any(v > limit for v in measured.values()):
            add(goal, text, "FAIL")
        elif missing:
            add(goal, text, f"{NOT_MEASURED} ({', '.join(missing)})")
        else:
            add(goal, text, "PASS")

    every_scale(
        "build ≤ 100× scan floor, every scale",
        {s: r.get("build_over_floor") for s, r in results.items()},
        GOAL_FLOOR_RATIO,
        "{:.0f}×",
    )
    large = results.get("large") or {}
    scaling = large.get("vs_previous") or {}
    if scaling.get("scale") == "medium" and scaling.get("build_time_ratio") and scaling.get("order_line_ratio"):
        limit = GOAL_SCALING_FACTOR * scaling["order_line_ratio"]
        add(
            "time(large)/time(medium) ≤ 1.1 × order-line ratio",
            f"{scaling['build_time_ratio']} vs 1.1 × {scaling['order_line_ratio']}",
            _verdict(scaling["build_time_ratio"] <= limit),
        )
    else:
        add("time(large)/time(medium) ≤ 1.1 × order-line ratio", "—", NOT_MEASURED)
    every_scale(
        "peak RSS ≤ 6 GB, every scale",
        {
            s: (r.get("build") or {}).get("peak_rss_bytes") / GB
            if (r.get("build") or {}).get("peak_rss_bytes")
            else None
            for s, r in results.items()
        },
        GOAL_PEAK_BYTES / GB,
        "{:.1f} GB",
    )
    shares = {s: r.get("incremental_over_full") for s, r in results.items() if r.get("incremental_over_full")}
    text = ", ".join(
        f"{s} {results[s]['incremental']['seconds']:.0f} s = {share:.1%} of {results[s]['build']['seconds']:.0f} s"
        for s, share in shares.items()
    )
    medium_share = shares.get("medium")
    if medium_share is None:
        verdict = ((results.get("medium") or {}).get("incremental") or {}).get("note") or f"{NOT_MEASURED} (medium)"
    else:
        verdict = _verdict(medium_share <= GOAL_INCREMENTAL_SHARE)
    add("incremental daily run ≤ 10 % of full build (medium)", text or "—", verdict)
    over_small = large.get("dashboard_over_small")
    if over_small:
        worst = max(over_small.values())
        add("dashboard pages at large ≤ 1.5× small", f"worst {worst:.2f}×", _verdict(worst <= GOAL_DASHBOARD_RATIO))
    else:
        add("dashboard pages at large ≤ 1.5× small", "—", NOT_MEASURED)
    generation = large.get("generation") or {}
    if generation.get("seconds"):
        seconds = generation["seconds"]
        add(
            "generation --scale large ≤ 5 min",
            f"{seconds:.0f} s",
            _verdict(seconds <= GOAL_LARGE_GENERATION_S),
        )
    elif generation.get("timed_out_after_s"):
        add("generation --scale large ≤ 5 min", f"> {generation['timed_out_after_s']:.0f} s (stopped)", "FAIL")
    else:
        add("generation --scale large ≤ 5 min", "—", NOT_MEASURED)
    return rows


def _fmt(value: Any, spec: str = "{:.1f}", missing: str = NOT_MEASURED) -> str:
    return missing if value is None else spec.format(value)


def table(report: dict[str, Any]) -> str:
    """The Markdown report: figures per scale, dashboard per page, goals, machine and load."""
    results = report["results"]
    lines = []
    m = report["machine"]
    lines.append(
        f"Measured {m['date_utc']} on {m['cores']} cores ({m['cpu'] or 'unknown CPU'}), {m['ram_gb']} GB RAM, "
        f"{m['os']}, Python {m['python']}, DuckDB {m['duckdb']}; dbt threads {report['threads']}; "
        f"load average (1, 5, 15 min) at start {m['load_at_start']}, at end {report['load_at_end']}."
    )
    lines.append("")
    lines.append(
        "| scale | order lines | generation s | scan floor s | build s | build ÷ floor | peak RSS GB "
        "| build time ratio vs previous scale (order-line ratio) | ≤ 100× floor | peak ≤ 6 GB |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    for scale, r in results.items():
        gen = r.get("generation") or {}
        if gen.get("seconds") is not None:
            gen_text = f"{gen['seconds']:.1f}" + (" (cached)" if gen.get("cached") else "")
        elif gen.get("timed_out_after_s"):
            gen_text = f"> {gen['timed_out_after_s']:.0f} (stopped)"
        else:
            gen_text = gen.get("note", NOT_MEASURED)
        b = r.get("build") or {}
        floor = (r.get("scan_floor") or {}).get("seconds")
        peak = b.get("peak_rss_bytes")
        vs = r.get("vs_previous") or {}
        vs_text = (
            f"{vs['build_time_ratio']} vs {scale}/{vs['scale']} ({vs['order_line_ratio']})"
            if vs.get("build_time_ratio")
            else "—"
        )
        lines.append(
            "| "
            + " | ".join(
                [
                    scale,
                    f"{r['order_lines']:,}" if r.get("order_lines") else NOT_MEASURED,
                    gen_text,
                    _fmt(floor, "{:.3f}"),
                    _fmt(b.get("seconds"), "{:.1f}", b.get("note", NOT_MEASURED)),
                    _fmt(r.get("build_over_floor"), "{:.0f}×"),
                    _fmt(peak / GB if peak else None, "{:.2f}"),
                    vs_text,
                    NOT_MEASURED if r.get("build_over_floor") is None else _verdict(r["build_over_floor"] <= 100),
                    NOT_MEASURED if not peak else _verdict(peak <= GOAL_PEAK_BYTES),
                ]
            )
            + " |"
        )
    lines.append("")
    with_pages = {s: r for s, r in results.items() if r.get("dashboard_ms")}
    if with_pages:
        lines.append(
            "Dashboard, ms per page load (queries of the page and of the sidebar context, best of "
            f"{report['repeat']}; × = time ÷ small):"
        )
        lines.append("")
        lines.append("| scale | " + " | ".join(PAGES) + " |")
        lines.append("|---|" + "---|" * len(PAGES))
        for scale, r in with_pages.items():
            over = r.get("dashboard_over_small") or {}
            cells = [
                f"{r['dashboard_ms'][p]:.0f}" + (f" ({over[p]:.2f}×)" if p in over else "")
                for p in PAGES
                if p in r["dashboard_ms"]
            ]
            lines.append(f"| {scale} | " + " | ".join(cells) + " |")
        lines.append("")
    with_stages = {s: r["build"] for s, r in results.items() if (r.get("build") or {}).get("stages")}
    if with_stages:
        lines.append("Build stages, s (from the runner's log lines):")
        lines.append("")
        names = list(dict.fromkeys(n for b in with_stages.values() for n in b["stages"]))
        lines.append("| scale | " + " | ".join(names) + " | peak RSS: largest process / process tree, GB |")
        lines.append("|---|" + "---|" * (len(names) + 1))
        for scale, b in with_stages.items():
            cells = [_fmt(b["stages"].get(n), "{:.1f}", "—") for n in names]
            rss = f"{b['peak_rss_largest_process_bytes'] / GB:.2f} / {b['peak_rss_tree_sampled_bytes'] / GB:.2f}"
            lines.append(f"| {scale} | " + " | ".join(cells) + f" | {rss} |")
        lines.append("")
    incremental = {s: r for s, r in results.items() if (r.get("incremental") or {}).get("seconds")}
    if incremental:
        lines.append("Incremental day (`generate --append-day`, then `tasks.py build --incremental`):")
        lines.append("")
        lines.append("| scale | full build s | incremental s | ÷ full build | stages s | peak RSS GB |")
        lines.append("|---|---|---|---|---|---|")
        for scale, r in incremental.items():
            inc = r["incremental"]
            stage_text = ", ".join(f"{k} {v:.1f}" for k, v in (inc.get("stages") or {}).items())
            lines.append(
                f"| {scale} | {_fmt(r['build'].get('seconds'))} | {inc['seconds']:.1f} "
                f"| {_fmt(r.get('incremental_over_full'), '{:.1%}')} | {stage_text} "
                f"| {_fmt(inc['peak_rss_bytes'] / GB if inc.get('peak_rss_bytes') else None, '{:.2f}')} |"
            )
        lines.append("")
    lines.append("| goal (issue 12) | measured | result |")
    lines.append("|---|---|---|")
    for g in report["goals"]:
        lines.append(f"| {g['goal']} | {g['measured']} | {g['result']} |")
    lines.append("")
    lines.append("Load average before → after each step:")
    lines.append("")
    lines.append("| scale | step | s | load before | load after |")
    lines.append("|---|---|---|---|---|")
    for s in report["steps"]:
        lines.append(f"| {s['scale']} | {s['step']} | {s['seconds']:.1f} | {s['load_before']} | {s['load_after']} |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", default="small,medium", help="comma-separated scales (default small,medium)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", default="/tmp/salesperf-bench", help="cache and scratch folder")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of the scan floor and dashboard (best of)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2, help="dbt threads (SALESPERF_THREADS)")
    parser.add_argument(
        "--generate-only",
        default="",
        help="comma-separated scales to generate and time only (no scan floor, build or dashboard)",
    )
    parser.add_argument(
        "--generate-timeout", type=float, default=None, help="stop a generation after this many seconds"
    )
    parser.add_argument("--landing", help="measure this existing landing folder (one scale; not generated)")
    parser.add_argument(
        "--warehouse", help="with --landing: this existing published warehouse (not built: build not measured)"
    )
    parser.add_argument(
        "--no-incremental", action="store_true", help="skip the incremental day after each measured build"
    )
    parser.add_argument("--json", dest="json_out", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    args.scales = [s.strip() for s in args.scales.split(",") if s.strip()]
    args.generate_only = [s.strip() for s in args.generate_only.split(",") if s.strip()]
    if args.warehouse and not args.landing:
        parser.error("--warehouse needs --landing")
    if args.landing and len(args.scales) != 1:
        parser.error("--landing measures one scale: give it with --scales")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def daily_folder(work: Path, scale: str, args: argparse.Namespace) -> Path:
    """The landing folder of the daily scenario of ``scale`` (see :func:`daily_landing`)."""
    return work / "landing" / f"{scale}-seed{args.seed}-daily"


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    work = Path(args.work).expanduser().resolve()
    report: dict[str, Any] = {
        "machine": machine(),
        "threads": args.threads,
        "repeat": args.repeat,
        "seed": args.seed,
        "results": {},
        "steps": [],
    }
    steps = report["steps"]
    for scale in args.scales + [s for s in args.generate_only if s not in args.scales]:
        r: dict[str, Any] = {}
        report["results"][scale] = r
        if args.landing:
            landing = Path(args.landing).expanduser().resolve()
            r["generation"] = {"seconds": None, "note": "not measured (existing landing folder)"}
        else:
            landing = work / "landing" / f"{scale}-seed{args.seed}"
            with Step(steps, scale, "generation"):
                r["generation"] = generate(scale, args.seed, landing, args.generate_timeout)
            if r["generation"].get("seconds") is None:
                continue
        r["landing"] = str(landing)
        r["order_lines"] = order_lines(landing)
        if scale not in args.scales:
            continue
        with Step(steps, scale, "scan floor"):
            r["scan_floor"] = scan_floor(landing, args.repeat)
        if args.warehouse:
            warehouse = Path(args.warehouse).expanduser().resolve()
            r["build"] = {"seconds": None, "note": "not measured (existing warehouse)"}
        else:
            # the daily scenario builds, then appends to, one folder: a copy, so the generation stays cached
            built_from = landing if args.no_incremental else daily_landing(landing, daily_folder(work, scale, args))
            with Step(steps, scale, "build (tasks.py build)"):
                r["build"] = build(built_from, work / "build" / f"{scale}-seed{args.seed}", args.threads)
            warehouse = Path(r["build"]["warehouse"])
        with Step(steps, scale, "dashboard queries"):
            r["dashboard_ms"] = dashboard(warehouse, args.repeat)
        if r["build"].get("seconds") and not args.no_incremental:
            plus = daily_folder(work, scale, args)
            try:
                with Step(steps, scale, "append a day (generate --append-day)"):
                    r["append_day"] = append_day(plus)
            except AppendDayError as exc:
                print(f"[bench] {scale}: incremental day not measured: {exc}", flush=True)
                r["incremental"] = {"seconds": None, "note": f"not measured ({exc})"}
                continue
            with Step(steps, scale, "incremental build (tasks.py build --incremental)"):
                r["incremental"] = build(
                    plus,
                    work / "build" / f"{scale}-seed{args.seed}",
                    args.threads,
                    incremental=True,
                    log_name="build_incremental.log",
                )
    report["load_at_end"] = load()
    ratios(report["results"])
    report["goals"] = goals(report["results"])
    text = table(report)
    report["markdown"] = text
    print()
    print(text)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
