"""Run dbt MetricFlow (``mf``) on the semantic layer (models/semantic) without touching the
published warehouse or the project's own target folder.

``mf`` reads ``<project>/target/semantic_manifest.json`` (no other path) and opens the DuckDB file
read-write, which the dashboard's readers would block and which must never happen to the published
file. So every run here works in a scratch project: a folder of symlinks to the project's files
with its own ``target/`` (``dbt parse`` writes the semantic manifest there), and a *copy* of the
warehouse.

    python -m salesperf.semantic validate             # mf validate-configs --skip-dw (no warehouse)
    python -m salesperf.semantic mf query --metrics sales_amount --group-by metric_time__month,team
                                                       # any mf command, on a copy of the published file
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from salesperf import settings as settings_mod

BIN = Path(sys.executable).parent
PROJECT_FILES = settings_mod.DBT_PROJECT_FILES


def scratch_project(folder: Path) -> Path:
    """A dbt project in ``folder`` whose files are symlinks to the project's (its target/ is its own)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        link, source = folder / name, settings_mod.PROJECT_DIR / name
        if source.exists() and not link.exists():
            link.symlink_to(source)
    return folder


def env_for(project: Path, warehouse: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DBT_TARGET_PATH", None)  # mf reads target/ of the project; dbt parse must write there
    env.update(DBT_PROFILES_DIR=str(project), DBT_PROJECT_DIR=str(project), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    env.setdefault("DBT_LOG_PATH", str(project / "logs"))
    env.setdefault("MF_DISABLE_UPDATE_CHECK", "1")
    if warehouse is not None:
        env["SALESPERF_WAREHOUSE"] = str(warehouse)
    return env


def parse(project: Path, warehouse: Path | None = None) -> subprocess.CompletedProcess:
    """``dbt parse`` in the scratch project: writes target/semantic_manifest.json."""
    cmd = [str(BIN / "dbt"), "parse", "--project-dir", str(project)]
    return subprocess.run(cmd, cwd=project, env=env_for(project, warehouse), capture_output=True, text=True)


def mf(project: Path, args: list[str], warehouse: Path | None = None) -> subprocess.CompletedProcess:
    """The ``mf`` command line in the scratch project (``warehouse``: a copy, never the published file)."""
    cmd = [str(BIN / "mf"), *args]
    return subprocess.run(cmd, cwd=project, env=env_for(project, warehouse), capture_output=True, text=True)


def validate(project: Path | None = None, say=print) -> int:
    """``mf validate-configs --skip-dw``: the semantic manifest's own checks (no warehouse needed)."""
    with tempfile.TemporaryDirectory(prefix="salesperf-mf-") as tmp:
        project = scratch_project(project or Path(tmp) / "project")
        parsed = parse(project)
        if parsed.returncode != 0:
            say(f"[semantic] dbt parse failed:\n{parsed.stdout[-3000:]}{parsed.stderr[-2000:]}")
            return parsed.returncode
        checked = mf(project, ["validate-configs", "--skip-dw", "--show-all"])
        if checked.returncode != 0 or "ERRORS: 0" not in checked.stdout:
            say(f"[semantic] mf validate-configs failed:\n{checked.stdout[-4000:]}{checked.stderr[-2000:]}")
            return checked.returncode or 1
        say("[semantic] mf validate-configs: the semantic layer is valid")
        return 0


def query_csv(project: Path, metrics: list[str], group_by: list[str], out: Path, warehouse: Path) -> list[dict]:
    """``mf query ... --csv out`` on ``warehouse`` (a copy); the rows read back as dicts of text."""
    args = ["query", "--metrics", ",".join(metrics), "--group-by", ",".join(group_by), "--csv", str(out)]
    proc = mf(project, args, warehouse)
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"mf {' '.join(args)} failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}{proc.stderr}")
    with out.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def query_batch(project: Path, queries: list[dict], warehouse: Path) -> list[list[dict]]:
    """Several ``mf query`` commands (dicts of metrics, group_by, where, csv; or saved_query, csv) run by the mf command
    line in one process (``batch``), so dbt loads once; the rows of each, as dicts of text."""
    spec = project / "queries.json"
    spec.write_text(json.dumps(queries), encoding="utf-8")
    cmd = [sys.executable, "-m", "salesperf.semantic", "batch", str(spec)]
    proc = subprocess.run(cmd, cwd=project, env=env_for(project, warehouse), capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(
            f"mf query batch failed (exit {proc.returncode}):\n{proc.stdout[-4000:]}{proc.stderr[-4000:]}"
        )
    results = []
    for query in queries:
        with Path(query["csv"]).open(encoding="utf-8", newline="") as handle:
            results.append(list(csv.DictReader(handle)))
    return results


def _batch(spec: Path) -> int:
    """Run the queries of ``spec`` through mf's own command line (click), one configuration for all."""
    from dbt_metricflow.cli.cli_configuration import CLIConfiguration
    from dbt_metricflow.cli.main import cli

    cfg = CLIConfiguration()
    for query in json.loads(spec.read_text(encoding="utf-8")):
        if query.get("saved_query"):
            args = ["query", "--saved-query", query["saved_query"]]
        else:
            args = ["query", "--metrics", ",".join(query["metrics"]), "--group-by", ",".join(query["group_by"])]
        if query.get("where"):
            args += ["--where", query["where"]]
        args += ["--csv", query["csv"], "--quiet"]
        cli.main(args, obj=cfg, standalone_mode=False)
        if not Path(query["csv"]).exists():
            print(f"mf {' '.join(args)} wrote no output", file=sys.stderr)
            return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m salesperf.semantic", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("validate", help="mf validate-configs --skip-dw in a scratch project")
    batch = sub.add_parser("batch", help="(internal) run the mf queries of a JSON file in one process")
    batch.add_argument("spec", type=Path)
    run = sub.add_parser("mf", help="any mf command, on a copy of the published warehouse")
    run.add_argument("mf_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command == "validate":
        return validate()
    if args.command == "batch":
        return _batch(args.spec)
    published = settings_mod.load().warehouse
    if not published.exists():
        print(f"[semantic] no published warehouse at {published}: build first (python3.11 tasks.py build)")
        return 2
    with tempfile.TemporaryDirectory(prefix="salesperf-mf-") as tmp:
        project = scratch_project(Path(tmp) / "project")
        copy = Path(tmp) / published.name  # the same basename: the catalog name stays the same
        shutil.copyfile(published, copy)
        parsed = parse(project, copy)
        if parsed.returncode != 0:
            print(parsed.stdout[-3000:], parsed.stderr, sep="\n")
            return parsed.returncode
        proc = mf(project, args.mf_args, copy)
        print(proc.stdout, end="")
        print(proc.stderr, end="", file=sys.stderr)
        return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
