"""Layers flow one way: no model reads (ref) a model of a layer above its own.

staging (with its base models) < intermediate < marts < indicator families and other report inputs
(models/intermediate/indicators, customer_health, incentives, scorecard: they read marts and are
stacked by reports) < reports.
"""

from __future__ import annotations

import re
from pathlib import Path

MODELS = Path(__file__).resolve().parents[1] / "models"
REF = re.compile(r"""ref\(\s*['"]([A-Za-z0-9_]+)['"]\s*\)""")
RANK = {"staging": 0, "intermediate": 1, "marts": 2, "indicator_families": 3, "reports": 4}
# Intermediate folders that build on marts for the reports (the indicator families and the
# performance-management inputs).
REPORT_INPUTS = {"indicators", "customer_health", "incentives", "scorecard"}


def layer_of(path: Path, models: Path = MODELS) -> str:
    parts = path.relative_to(models).parts
    if parts[0] == "intermediate" and len(parts) > 2 and parts[1] in REPORT_INPUTS:
        return "indicator_families"
    return parts[0]


def upward_refs(models: Path = MODELS) -> list[str]:
    layers = {path.stem: layer_of(path, models) for path in models.rglob("*.sql")}
    found = []
    for path in sorted(models.rglob("*.sql")):
        own = layers[path.stem]
        for name in sorted(set(REF.findall(path.read_text(encoding="utf-8")))):
            if name in layers and RANK[layers[name]] > RANK[own]:
                found.append(f"{path.relative_to(models)} ({own}) reads {name} ({layers[name]})")
    return found


def test_every_model_sits_in_a_known_layer():
    assert {layer_of(path) for path in MODELS.rglob("*.sql")} <= set(RANK)


def test_no_model_reads_a_layer_above_its_own():
    assert upward_refs() == []


def test_an_upward_read_is_found(tmp_path):
    (tmp_path / "staging" / "erp" / "base").mkdir(parents=True)
    (tmp_path / "intermediate" / "core").mkdir(parents=True)
    (tmp_path / "intermediate" / "core" / "int_x.sql").write_text("select 1", encoding="utf-8")
    (tmp_path / "staging" / "erp" / "base" / "base_y.sql").write_text(
        "select * from {{ ref('int_x') }}", encoding="utf-8"
    )
    assert upward_refs(tmp_path) == ["staging/erp/base/base_y.sql (staging) reads int_x (intermediate)"]
