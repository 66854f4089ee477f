"""The dbt sources and staging models match the landing contract (salesperf.contract)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from salesperf.contract import TABLES

ROOT = Path(__file__).resolve().parents[1]


def _sources() -> dict[str, dict]:
    tables = {}
    for path in (ROOT / "models" / "staging").glob("*/_*__sources.yml"):
        for source in yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]:
            for table in source["tables"]:
                tables[table["name"]] = {"source": source["name"], **table}
    return tables


def test_every_landing_table_is_a_source_with_the_contract_columns():
    sources = _sources()
    assert set(sources) == {t.name for t in TABLES}
    for t in TABLES:
        declared = [c["name"] for c in sources[t.name]["columns"]]
        assert declared == t.column_names, t.name
        assert sources[t.name]["source"] == t.source
        assert sources[t.name]["config"]["meta"]["required"] == t.required


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_landing_table_has_a_base_and_a_staging_model(table):
    entity = table.name.removeprefix(f"{table.source}_")
    folder = ROOT / "models" / "staging" / table.source
    base = folder / "base" / f"base_{table.source}__{entity}.sql"
    staging = folder / f"stg_{table.source}__{entity}.sql"
    assert f"landing_source('{table.source}', '{table.name}')" in base.read_text(encoding="utf-8")
    assert f"ref('base_{table.source}__{entity}')" in staging.read_text(encoding="utf-8")


def test_event_tables_have_freshness():
    sources = _sources()
    for t in TABLES:
        if t.event_time:
            config = sources[t.name]["config"]
            assert "freshness" in config and config["loaded_at_field"], t.name
