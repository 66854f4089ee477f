"""The gate gives GX only the rows that could break an expectation (issue 12): on a table with every
kind of bad value, GX reports the same verdicts, failing counts and examples on those rows as on all
rows, from far fewer rows. Real DuckDB and real GX, no dbt build."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from salesperf.quality import checkpoint, suites
from salesperf.quality.suites import Spec

ROWS = 20_000

TABLE = f"""
create table t as
select
    i,
    case when i in (7, 8) then 'dup' else 'k' || i end as key_a,
    case when i in (7, 8) then 'same' else 'y' || (i % 3) end as key_b,
    case when i = 11 then null when i = 12 then 'purple' else ['red', 'blue'][1 + i % 2] end as colour,
    case when i = 13 then 'nan'::double when i = 14 then 'inf'::double when i = 15 then -2.5
         when i = 16 then 0 else (i % 97)::double end as amount,
    case when i = 17 then -0.0001 when i = 18 then 0 else 1 + (i % 50) end::decimal(18, 4) as price,
    case when i = 19 then 150.0 when i = 20 then 100.0 else i % 100 end::double as score,
    100.0::double as score_max,
    case when i = 21 then 0 else 1 end as flag
from range({ROWS}) as r(i)
"""

SPECS = [
    Spec("t.rows", "ExpectTableRowCountToBeBetween", {"min_value": 1}, "rows"),
    Spec("t.columns", "ExpectTableColumnsToMatchSet", {"column_set": ["key_a"], "exact_match": False}, "cols"),
    Spec("t.key_a.unique", "ExpectColumnValuesToBeUnique", {"column": "key_a"}, "unique"),
    Spec("t.key.unique", "ExpectCompoundColumnsToBeUnique", {"column_list": ["key_a", "key_b"]}, "compound"),
    Spec("t.colour.not_null", "ExpectColumnValuesToNotBeNull", {"column": "colour"}, "not null"),
    Spec("t.amount.not_null", "ExpectColumnValuesToNotBeNull", {"column": "amount"}, "amount not null"),
    Spec("t.colour.in_set", "ExpectColumnValuesToBeInSet", {"column": "colour", "value_set": ["red", "blue"]}, "set"),
    Spec("t.flag.in_set", "ExpectColumnValuesToBeInSet", {"column": "flag", "value_set": [1]}, "flag"),
    Spec(
        "t.amount.range",
        "ExpectColumnValuesToBeBetween",
        {"column": "amount", "min_value": 0, "max_value": 96.0},
        "amount range",
    ),
    Spec("t.price.range", "ExpectColumnValuesToBeBetween", {"column": "price", "min_value": 0}, "price range"),
    Spec(
        "t.score.at_most_max",
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {"column_A": "score_max", "column_B": "score", "or_equal": True, "ignore_row_if": "either_value_is_missing"},
        "score at most its max",
    ),
]


def _validate(frames: dict[str, Path], specs: list[Spec]) -> dict[str, list]:
    gx = checkpoint._gx()
    from great_expectations.core.validation_definition import ValidationDefinition

    context = gx.get_context(mode="ephemeral")
    out = {}
    for name, path in frames.items():
        source = context.data_sources.add_pandas_filesystem(name, base_directory=path.parent)
        batch_definition = source.add_parquet_asset(name).add_batch_definition_path(name, path=path.name)
        suite = gx.ExpectationSuite(name=name)
        for spec in specs:
            suite.add_expectation(
                getattr(gx.expectations, spec.expectation)(
                    **spec.kwargs,
                    description=spec.description,
                    severity=spec.severity,
                    meta={"check_id": spec.check_id},
                )
            )
        suite = context.suites.add(suite)
        result = context.validation_definitions.add(
            ValidationDefinition(name=name, data=batch_definition, suite=suite)
        ).run(
            result_format={
                "result_format": "SUMMARY",
                "partial_unexpected_count": 5,
                "unexpected_index_column_names": ["row_key"],
            }
        )
        batch = suites.Batch(name, "staging", "t", "", "warehouse", specs)
        out[name] = sorted((checkpoint._check_result(batch, item) for item in result.results), key=lambda r: r.check_id)
    return out


@pytest.mark.parametrize("clean", [False, True], ids=["bad_rows", "clean"])
def test_gx_verdicts_on_candidate_rows_equal_those_on_all_rows(tmp_path, clean):
    con = duckdb.connect()
    con.execute(TABLE)
    if clean:
        con.execute("delete from t where i between 5 and 25")
    sql = f"select {suites.row_key_sql(['key_a', 'key_b'])} as row_key, * exclude (i) from t order by i"
    condition = suites.candidate_condition(con, sql, SPECS)
    assert condition is not None
    full, subset = tmp_path / "full.parquet", tmp_path / "subset.parquet"
    con.execute(f"copy ({sql}) to '{full}' (format parquet)")
    written = con.execute(f"copy (select * from ({sql}) where {condition}) to '{subset}' (format parquet)").fetchone()
    if not written[0]:
        con.execute(f"copy (select * from ({sql}) limit 1) to '{subset}' (format parquet)")
    candidates = max(written[0], 1)
    assert candidates <= 30, f"{candidates} candidate rows of {ROWS}: the selection keeps rows that cannot fail"

    results = _validate({"full": full, "subset": subset}, SPECS)
    assert results["subset"] == results["full"]
    failed = {r.check_id: r.failing_rows for r in results["full"] if r.status != "pass"}
    if clean:
        assert failed == {}
    else:
        assert failed == {
            "t.key_a.unique": 2,
            "t.key.unique": 2,
            "t.colour.not_null": 1,
            "t.colour.in_set": 1,
            "t.flag.in_set": 1,
            "t.amount.range": 2,  # -2.5 and inf (NaN counts as missing)
            "t.amount.not_null": 1,  # NaN
            "t.price.range": 1,  # -0.0001; 0 is in range
            "t.score.at_most_max": 1,  # 150 > 100; 100 = the max passes
        }


def test_a_mostly_expectation_makes_gx_read_every_row():
    con = duckdb.connect()
    con.execute(TABLE)
    spec = Spec("t.colour.mostly", "ExpectColumnValuesToNotBeNull", {"column": "colour", "mostly": 0.99}, "mostly")
    assert suites.candidate_condition(con, "select * from t", [*SPECS, spec]) is None
    distinct = Spec(
        "t.colour.distinct", "ExpectColumnDistinctValuesToContainSet", {"column": "colour", "value_set": []}, "d"
    )
    assert suites.candidate_condition(con, "select * from t", [distinct]) is None
