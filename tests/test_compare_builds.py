"""scripts/compare_builds.py: the before/after proof of a refactor tells equal, last-bit and real differences apart."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "compare_builds.py"
spec = importlib.util.spec_from_file_location("compare_builds", SCRIPT)
compare_builds = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare_builds)


def _snapshot(folder: Path, values: list[tuple[str, float | None]]) -> Path:
    folder.mkdir()
    con = duckdb.connect()
    con.execute("create table t (key varchar, value double)")
    con.executemany("insert into t values (?, ?)", values)
    con.execute(f"copy t to '{folder / 'main.indicator_values.parquet'}' (format parquet)")
    return folder


def test_identical_snapshots_are_the_same(tmp_path, capsys):
    before = _snapshot(tmp_path / "before", [("a", 0.1), ("b", None)])
    after = _snapshot(tmp_path / "after", [("b", None), ("a", 0.1)])
    assert compare_builds.main(["compare", str(before), str(after)]) == 0
    assert "same  main.indicator_values: 2 rows" in capsys.readouterr().out


def test_a_sum_in_another_order_is_close_not_different(tmp_path, capsys):
    in_order = 0.1 + 0.2 + 0.3
    other_order = 0.3 + 0.2 + 0.1
    assert in_order != other_order  # the last bit differs
    before = _snapshot(tmp_path / "before", [("a", in_order)])
    after = _snapshot(tmp_path / "after", [("a", other_order)])
    assert compare_builds.main(["compare", str(before), str(after)]) == 0
    assert "close main.indicator_values" in capsys.readouterr().out


def test_a_changed_figure_a_lost_row_or_a_null_fail(tmp_path, capsys):
    before = _snapshot(tmp_path / "before", [("a", 1.0), ("b", 2.0)])
    for name, rows in {
        "value": [("a", 1.0001), ("b", 2.0)],
        "row": [("a", 1.0)],
        "null": [("a", 1.0), ("b", None)],
    }.items():
        after = _snapshot(tmp_path / name, rows)
        assert compare_builds.main(["compare", str(before), str(after)]) == 1, name
        assert "DIFF  main.indicator_values" in capsys.readouterr().out
