"""The dbt tests of a build, from ``target/run_results.json`` and ``target/manifest.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from salesperf.quality.results import CheckResult

# dbt's statuses of a test -> ours (see CheckResult). A model that failed to build is 'error'.
_STATUS = {"pass": "pass", "success": "pass", "warn": "warn", "fail": "fail", "error": "error", "skipped": "skipped"}


def layer_of(path: str) -> str:
    """Layer from a project path: models/<layer>/..., data-tests/<layer>/..., seeds/..."""
    parts = Path(path).parts
    if not parts:
        return "unknown"
    if parts[0] in ("models", "data-tests") and len(parts) > 2:
        return parts[1]
    if parts[0] == "seeds":
        return "seeds"
    return parts[0]


def load_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def test_results(target_dir: Path, warehouse: Path | None = None) -> list[CheckResult]:
    """Every data test and unit test of the last dbt invocation that wrote ``target_dir``.

    A failed test that stored its failures (``store_failures``) names its first failing rows from
    ``warehouse`` in its message."""
    run_results = load_json(target_dir / "run_results.json")
    manifest = load_json(target_dir / "manifest.json") or {}
    if run_results is None:
        return []
    nodes: dict[str, Any] = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    out = []
    for result in run_results.get("results", []):
        unique_id = result["unique_id"]
        kind = unique_id.split(".", 1)[0]
        if kind not in ("test", "unit_test"):
            continue
        node = nodes.get(unique_id, {})
        config = node.get("config") or {}
        severity = "error" if kind == "unit_test" else str(config.get("severity", "error")).lower()
        attached = node.get("attached_node") or ""
        object_name = node.get("model") or attached.rsplit(".", 1)[-1] or _first_parent(node)
        description = node.get("description") or ""
        passed = result.get("status") in ("pass", "success")
        message = description if passed else " ".join(filter(None, [result.get("message"), description]))
        if not passed and warehouse is not None and result.get("relation_name"):
            message = f"{stored_failures(warehouse, result['relation_name'])} {message}".strip()
        failures = result.get("failures")
        out.append(
            CheckResult(
                check_id=unique_id,
                check_name=node.get("name") or unique_id.split(".")[2],
                check_type="dbt_unit_test" if kind == "unit_test" else "dbt_test",
                layer=layer_of(node.get("original_file_path", "")),
                object_name=object_name,
                severity="warn" if severity == "warn" else "error",
                status=_STATUS.get(result.get("status", ""), "error"),
                failing_rows=int(failures) if failures is not None else None,
                message=" ".join(str(message).split())[:1000],
            )
        )
    return out


def stored_failures(warehouse: Path, relation: str, limit: int = 5) -> str:
    """``failing rows: <key>=<value> ...; ...`` from a test's stored failures (first id columns)."""
    import duckdb

    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:
        return ""
    try:
        cursor = con.execute(f"select * from {relation} limit {limit}")
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    except duckdb.Error:
        return ""
    finally:
        con.close()
    keys = [i for i, n in enumerate(names) if n != "from_field" and (n.endswith("_id") or n == "row_key")][:3]
    keys = keys or list(range(min(2, len(names))))
    shown = ["; ".join(f"{names[i]}={row[i]}" for i in keys) for row in rows]
    return f"failing rows: {' | '.join(shown)}." if shown else ""


def failed_nodes(target_dir: Path) -> list[str]:
    """One line per node (model, seed, test) that failed: what a failed dbt build prints."""
    run_results = load_json(target_dir / "run_results.json")
    if run_results is None:
        return []
    lines = []
    for result in run_results.get("results", []):
        if result.get("status") in ("error", "fail"):
            kind, _, rest = result["unique_id"].partition(".")
            name = rest.split(".", 1)[-1]
            message = " ".join(str(result.get("message") or "").split())
            lines.append(f"{kind} {name}: {message[:400]}")
    return lines


def _first_parent(node: dict[str, Any]) -> str:
    parents = (node.get("depends_on") or {}).get("nodes") or []
    return parents[0].rsplit(".", 1)[-1] if parents else ""
