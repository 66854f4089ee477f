"""Governance rules of the dbt project, read from its YAML (no dbt run, a second or so).

- every model has a description and a primary-key test: `unique` + `not_null` on one column, the
  `unique_combination_of_columns` generic test (macros/test_unique_combination_of_columns.sql), or
  `one_row` for a model of one row (macros/test_one_row.sql);
- every `access: public` model has an enforced contract (its column types are a promise to the
  dashboard, the gate and BI tools);
- every source table states its freshness: a `freshness:` setting, or `freshness: null` with a
  comment that gives the reason;
- the generated files (base-model YAML, indicator doc blocks, wide-report YAML) equal their
  generator's output and say which script writes them.

An exception is allowed only when it is listed below with its reason.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"

# model -> why it has no primary-key test.
NO_PRIMARY_KEY: dict[str, str] = {}
# model -> why it is public without an enforced contract.
PUBLIC_WITHOUT_CONTRACT: dict[str, str] = {}


@functools.cache
def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def model_files() -> dict[str, Path]:
    return {p.stem: p for p in MODELS.rglob("*") if p.suffix in (".sql", ".py")}


@functools.cache
def model_docs() -> dict[str, dict]:
    docs = {}
    for path in sorted(MODELS.rglob("*.yml")):
        for model in _load(path).get("models") or []:
            assert model["name"] not in docs, f"{model['name']} is documented twice ({path})"
            docs[model["name"]] = model
    return docs


def _tests(node: dict) -> list:
    return list(node.get("data_tests") or []) + list(node.get("tests") or [])


def _test_name(test) -> str:
    return test if isinstance(test, str) else next(iter(test))


def has_primary_key_test(model: dict) -> bool:
    # one_row (macros/test_one_row.sql): the key of a one-row model (the settings of a build).
    if any(_test_name(t) in ("unique_combination_of_columns", "one_row") for t in _tests(model)):
        return True
    for column in model.get("columns") or []:
        names = {_test_name(t) for t in _tests(column)}
        if {"unique", "not_null"} <= names:
            return True
    return False


def _config(model: dict) -> dict:
    return model.get("config") or {}


def test_every_model_has_yaml():
    missing = sorted(set(model_files()) - set(model_docs()))
    assert not missing, f"models without YAML: {missing}"


def test_every_model_has_a_description():
    docs = model_docs()
    missing = sorted(name for name in model_files() if not (docs.get(name) or {}).get("description", "").strip())
    assert not missing, f"models without a description: {missing}"


def test_every_model_has_a_primary_key_test():
    docs = model_docs()
    missing = sorted(
        name for name in model_files() if name not in NO_PRIMARY_KEY and not has_primary_key_test(docs.get(name, {}))
    )
    assert not missing, f"models without a primary-key test (unique + not_null, or unique_combination): {missing}"
    stale = sorted(name for name in NO_PRIMARY_KEY if name not in docs or has_primary_key_test(docs[name]))
    assert not stale, f"exceptions no longer needed: {stale}"


def test_public_models_have_an_enforced_contract():
    docs = model_docs()
    public = {name: m for name, m in docs.items() if _config(m).get("access") == "public"}
    assert public, "no public model found: the YAML layout changed"
    missing = sorted(
        name
        for name, m in public.items()
        if name not in PUBLIC_WITHOUT_CONTRACT and not (_config(m).get("contract") or {}).get("enforced")
    )
    assert not missing, f"public models without an enforced contract (enforce one, or make them protected): {missing}"
    stale = sorted(
        name
        for name in PUBLIC_WITHOUT_CONTRACT
        if name not in public or (_config(public[name]).get("contract") or {}).get("enforced")
    )
    assert not stale, f"exceptions no longer needed: {stale}"
    for name, model in public.items():
        if (_config(model).get("contract") or {}).get("enforced"):
            untyped = [c["name"] for c in model.get("columns") or [] if not c.get("data_type")]
            assert not untyped, f"{name}: contract columns without data_type: {untyped}"


def _source_files() -> list[Path]:
    return sorted(p for p in MODELS.rglob("*.yml") if "sources" in _load(p))


def test_every_source_table_states_its_freshness():
    tables = 0
    for path in _source_files():
        text = path.read_text(encoding="utf-8")
        for source in _load(path)["sources"]:
            for table in source.get("tables") or []:
                tables += 1
                config = table.get("config") or {}
                assert "freshness" in config or "freshness" in table, (
                    f"{path.name}: source table {table['name']} has no freshness setting (set one, or "
                    "`freshness: null` with a comment giving the reason)"
                )
                if (config.get("freshness") if "freshness" in config else table.get("freshness")) is None:
                    # The comment just above `freshness: null` in this table's block gives the reason.
                    block = text.split(f"- name: {table['name']}\n", 1)[1].split("\n      - name: ", 1)[0]
                    assert re.search(r"#[^\n]*\S[^\n]*\n\s*freshness: null", block), (
                        f"{path.name}: {table['name']} has freshness: null without a comment giving the reason"
                    )
    assert tables >= 34


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("script", ["scaffold_base_docs", "gen_indicator_docs", "gen_report_docs"])
def test_generated_files_equal_their_generator_output(script):
    assert _script(script).main(["--check"]) == 0, f"run python scripts/{script}.py and commit its output"


def test_generated_files_say_so():
    files = [
        *(MODELS / "staging").glob("*/base/_*__base.yml"),
        *(MODELS / "staging").glob("*/_*__sources.yml"),
        *(MODELS / "staging").glob("*/_*__models.yml"),
        MODELS / "docs" / "indicators.md",
        MODELS / "reports" / "indicators" / "_indicators__reports.yml",
    ]
    assert len(files) == 14
    for path in files:
        head = path.read_text(encoding="utf-8").splitlines()[0]
        assert re.search(r"generated by scripts/\w+\.py from .+ edit th(at|ose) instead", head, re.I), (path, head)


def test_indicator_doc_blocks_follow_the_catalog():
    """The doc block of every catalog indicator carries the catalog's definition verbatim (the
    drift this guards against: avg_collection_days had lost half of its definition)."""
    gen = _script("gen_indicator_docs")
    text = (MODELS / "docs" / "indicators.md").read_text(encoding="utf-8")
    blocks = dict(re.findall(r"\{% docs ind_(\w+) %\}\n(.*?)\n\{% enddocs %\}", text, re.S))
    catalog = gen.read_catalog()
    assert set(blocks) == {row["indicator_code"] for row in catalog}
    for row in catalog:
        assert row["definition"].strip() in blocks[row["indicator_code"]], row["indicator_code"]
    collection = next(r for r in catalog if r["indicator_code"] == "avg_collection_days")
    assert "Payments follow their invoice's order" in collection["definition"]
