"""Every column of the published reports is documented (wide reports: generated from the
catalog by scripts/gen_report_docs.py, so a catalog change without regenerating fails here)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GRAINS = ("team", "rep", "customer", "product", "company")


@pytest.mark.parametrize("grain", GRAINS)
def test_wide_report_columns_are_all_documented(demo_build, grain):
    docs = yaml.safe_load((ROOT / "models/reports/indicators/_indicators__reports.yml").read_text(encoding="utf-8"))
    model = next(m for m in docs["models"] if m["name"] == f"rpt_{grain}_indicators")
    documented = {c["name"] for c in model["columns"]}
    built = set(demo_build.query(f"select * from main.rpt_{grain}_indicators limit 0").columns)
    assert built == documented
    assert all(
        "doc('ind_" in c["description"]
        for c in model["columns"]
        if c["name"] not in {"entity_id", "period_type", "period_start", "entity_name", "period_label", "is_complete"}
    )
