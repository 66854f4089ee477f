"""The benchmark harness of issue 12 (benchmarks/run.py): its table, ratios and goal verdicts.

The slow test runs the harness for real on the session's demo landing data and demo build (no
second build: ``--landing`` / ``--warehouse``), one repetition. The others check the ratio and
verdict logic on hand-made figures: a goal that was not measured is never PASS.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[1]
GB = 1024**3


def harness():
    spec = importlib.util.spec_from_file_location("benchmarks_run", PROJECT_DIR / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def figures(build_s: float, floor_s: float, lines: int, peak_gb: float, pages_ms: dict[str, float]) -> dict:
    return {
        "order_lines": lines,
        "generation": {"seconds": 10.0, "cached": False},
        "scan_floor": {"seconds": floor_s},
        "build": {
            "seconds": build_s,
            "peak_rss_bytes": int(peak_gb * GB),
            "peak_rss_largest_process_bytes": int(peak_gb * GB),
            "peak_rss_tree_sampled_bytes": int(peak_gb * GB),
            "stages": {"dbt build": build_s - 1, "gate + publish": 1.0},
        },
        "dashboard_ms": pages_ms,
    }


def verdicts(goals: list[dict]) -> dict[str, str]:
    return {g["goal"]: g["result"] for g in goals}


def test_ratios_and_goals_from_hand_made_figures() -> None:
    run = harness()
    pages = dict.fromkeys(run.PAGES, 100.0)
    results = {
        "small": figures(50.0, 0.1, 100_000, 1.0, pages),
        "medium": figures(80.0, 1.0, 2_000_000, 2.0, {p: 120.0 for p in run.PAGES}),
        "large": figures(850.0, 10.0, 20_000_000, 7.0, {p: 200.0 if p == "customers" else 140.0 for p in run.PAGES}),
    }
    results["large"]["generation"] = {"seconds": 290.0, "cached": False}
    run.ratios(results)
    assert results["small"]["build_over_floor"] == 500.0
    assert results["medium"]["build_over_floor"] == 80.0
    assert results["large"]["build_over_floor"] == 85.0
    assert results["medium"]["vs_previous"] == {"scale": "small", "order_line_ratio": 20.0, "build_time_ratio": 1.6}
    assert results["large"]["vs_previous"] == {"scale": "medium", "order_line_ratio": 10.0, "build_time_ratio": 10.62}
    assert results["medium"]["dashboard_over_small"]["rep"] == 1.2
    assert results["large"]["dashboard_over_small"]["customers"] == 2.0

    got = verdicts(run.goals(results))
    assert got["full build medium ≤ 90 s"] == "PASS"  # 80 s
    assert got["full build large ≤ 15 min"] == "PASS"  # 850 s
    assert got["build ≤ 100× scan floor, every scale"] == "FAIL"  # small 500×
    assert got["time(large)/time(medium) ≤ 1.1 × order-line ratio"] == "PASS"  # 10.62 ≤ 11
    assert got["peak RSS ≤ 6 GB, every scale"] == "FAIL"  # large 7 GB
    assert got["dashboard pages at large ≤ 1.5× small"] == "FAIL"  # customers 2×
    assert got["generation --scale large ≤ 5 min"] == "PASS"  # 290 s
    assert got["incremental daily run ≤ 10 % of full build (medium)"] == "not measured (medium)"

    # the incremental day: its share of the full build, PASS at medium within 10 %, shown in the table
    results["small"]["incremental"] = {"seconds": 40.0, "stages": {"dbt build": 30.0}, "peak_rss_bytes": GB}
    results["medium"]["incremental"] = {"seconds": 6.0, "stages": {"dbt build": 5.0}, "peak_rss_bytes": 2 * GB}
    run.ratios(results)
    assert results["small"]["incremental_over_full"] == 0.8
    assert results["medium"]["incremental_over_full"] == 0.075
    got = {g["goal"]: g for g in run.goals(results)}["incremental daily run ≤ 10 % of full build (medium)"]
    assert got["result"] == "PASS"
    assert got["measured"] == "small 40 s = 80.0% of 50 s, medium 6 s = 7.5% of 80 s"
    results["medium"]["incremental"]["seconds"] = 8.5  # 10.6 %
    run.ratios(results)
    assert verdicts(run.goals(results))["incremental daily run ≤ 10 % of full build (medium)"] == "FAIL"
    # a landing the generator cannot append to: the goal says why it was not measured, never PASS
    unmeasured = {
        **results,
        "medium": {**results["medium"], "incremental": {"seconds": None, "note": "not measured (x)"}},
    }
    run.ratios(unmeasured)
    assert verdicts(run.goals(unmeasured))["incremental daily run ≤ 10 % of full build (medium)"] == "not measured (x)"
    run.ratios(results)
    report = {
        "machine": run.machine(),
        "threads": 2,
        "repeat": 1,
        "results": results,
        "goals": run.goals(results),
        "steps": [],
        "load_at_end": [0.0, 0.0, 0.0],
    }
    row = _cells(run.table(report).split("Incremental day")[1], "medium")
    assert row[1:5] == ["80.0", "8.5", "10.6%", "dbt build 5.0"]


def test_goals_not_measured_are_never_pass() -> None:
    run = harness()
    results = {"small": figures(5.0, 0.1, 100_000, 1.0, dict.fromkeys(run.PAGES, 100.0))}
    run.ratios(results)
    got = verdicts(run.goals(results))
    assert got["build ≤ 100× scan floor, every scale"] == "not measured (medium, large)"  # small 50× passes
    assert got["peak RSS ≤ 6 GB, every scale"] == "not measured (medium, large)"
    assert all(result.startswith("not measured") for result in got.values()), got
    # every-scale goals with only small measured are "not measured (medium, large)" unless one failed
    results = {"small": figures(5.0, 0.1, 100_000, 1.0, dict.fromkeys(run.PAGES, 100.0))}
    results["small"]["build"] = {"seconds": None, "note": "not measured (existing warehouse)"}
    run.ratios(results)
    got = verdicts(run.goals(results))
    assert got["build ≤ 100× scan floor, every scale"] == "not measured (small, medium, large)"
    assert got["peak RSS ≤ 6 GB, every scale"] == "not measured (small, medium, large)"
    assert "PASS" not in got.values()


def test_stages_from_the_runner_log_lines() -> None:
    run = harness()
    log = [
        (0.5, "[landing] reading /x -> /y"),
        (2.0, "[landing] 10 rows of 3 landing files read"),
        (2.5, "[build] dbt build: landing /x -> working copy /w"),
        (60.0, "[gate] data-quality checkpoint on /w"),
        (75.0, "[build] published /p in 75 s"),
    ]
    stages = run.stages(log, 76.0)
    assert stages == {"start-up": 0.5, "preflight": 2.0, "dbt build": 57.5, "gate + publish": 16.0}
    assert sum(stages.values()) == pytest.approx(76.0)
    assert run._tree_rss(os.getpid()) > 0


def _cells(markdown: str, first: str) -> list[str]:
    for line in markdown.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == first:
            return cells
    raise AssertionError(f"no table row starting with {first!r} in:\n{markdown}")


@pytest.mark.slow
def test_harness_on_the_demo_build(demo_landing, demo_build, tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(PROJECT_DIR / "benchmarks" / "run.py"),
            "--scales",
            "small",
            "--repeat",
            "1",
            "--landing",
            str(demo_landing),
            "--warehouse",
            str(demo_build.warehouse),
            "--work",
            str(tmp_path / "work"),
            "--json",
            str(out),
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    small = report["results"]["small"]

    # figures: positive numbers
    assert small["order_lines"] > 50_000
    assert small["scan_floor"]["seconds"] > 0
    assert small["scan_floor"]["files"] >= 10
    run = harness()
    assert set(small["dashboard_ms"]) == set(run.PAGES)
    assert all(ms > 0 for ms in small["dashboard_ms"].values())
    assert small["dashboard_over_small"] == dict.fromkeys(run.PAGES, 1.0)  # small against itself
    # reused landing data and warehouse: neither generated nor built here, so not measured
    assert small["generation"]["seconds"] is None
    assert small["build"]["seconds"] is None
    assert small["build_over_floor"] is None

    # the printed table: its rows, figures consistent with the JSON, no PASS for what was not measured
    markdown = report["markdown"]
    assert markdown in proc.stdout
    row = _cells(markdown, "small")
    assert row[1] == f"{small['order_lines']:,}"
    assert row[3] == f"{small['scan_floor']['seconds']:.3f}"  # the JSON figure as printed (not approx: half-units)
    assert row[4] == "not measured (existing warehouse)"
    assert row[8] == "not measured" and row[9] == "not measured"
    pages_row = _cells(markdown.split("Dashboard, ms per page load")[1], "small")
    assert [c.split()[0] for c in pages_row[1:]] == [f"{small['dashboard_ms'][p]:.0f}" for p in run.PAGES]
    goals = {g["goal"]: g["result"] for g in report["goals"]}
    assert len(goals) == 8
    assert "PASS" not in goals.values()
    assert goals["incremental daily run ≤ 10 % of full build (medium)"] == "not measured (medium)"
    assert "incremental" not in small  # no build measured here, so no incremental day after it
    for goal, result in goals.items():
        assert f"| {goal} |" in markdown and result in markdown
    assert report["machine"]["cores"] >= 1 and report["machine"]["ram_gb"] > 0
    assert {s["step"] for s in report["steps"]} == {"scan floor", "dashboard queries"}
    assert all(len(s["load_before"]) == 3 and len(s["load_after"]) == 3 for s in report["steps"])


@pytest.mark.slow
def test_append_day_copies_the_landing_and_adds_a_day(demo_landing, tmp_path: Path) -> None:
    """The daily scenario's landing: a copy of the landing (the full build's input), then the next day
    appended to that copy in place (the incremental run's input: the same folder); the generated landing
    unchanged, the copy not mistaken for a cached generation, a new copy without the day."""
    run = harness()
    before = {p.name: p.stat().st_mtime_ns for p in Path(demo_landing).iterdir()}
    lines = run.order_lines(Path(demo_landing))
    daily = run.daily_landing(Path(demo_landing), tmp_path / "daily")
    assert run.order_lines(daily) == lines and not (daily / run.MARKER).exists()
    added = run.append_day(daily)
    assert added["generator"].startswith("appended "), added
    assert {p.name: p.stat().st_mtime_ns for p in Path(demo_landing).iterdir()} == before
    with_day = run.order_lines(daily)
    assert with_day > lines
    assert run.daily_landing(Path(demo_landing), daily) == daily and run.order_lines(daily) == lines  # replaced
    again = run.append_day(daily)  # the same one day, not two
    assert again["generator"].rsplit(" in ", 1)[0] == added["generator"].rsplit(" in ", 1)[0]  # but its time
    assert run.order_lines(daily) == with_day


def test_append_day_on_a_csv_landing_is_not_measured_with_the_reason(tmp_path: Path) -> None:
    """A company's own extracts (here a CSV folder) take no generated day: the harness gets an error that
    says why (and reports the incremental day as not measured) instead of stopping the whole run."""
    run = harness()
    landing = tmp_path / "extracts"
    landing.mkdir()
    (landing / "erp_sales_orders.csv").write_text("order_id,customer_id\n1,a\n", encoding="utf-8")
    daily = run.daily_landing(landing, tmp_path / "daily")
    with pytest.raises(run.AppendDayError, match="needs the Parquet landing file .*CSV landing folders"):
        run.append_day(daily)
    assert (landing / "erp_sales_orders.csv").read_text(encoding="utf-8") == "order_id,customer_id\n1,a\n"
