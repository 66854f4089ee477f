"""Every (indicator, grain) the catalog marks has rows in indicator_values for every period
type; adding an indicator to the catalog without a model fails here."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PERIOD_TYPES = {"month", "quarter", "year", "fiscal_year"}
# Pairs that arrive with a later issue. Empty: every pair must be present.
EXPECTED_MISSING: set[tuple[str, str]] = set()


def catalog_pairs() -> list[tuple[str, str]]:
    pairs = []
    with (ROOT / "seeds" / "indicator_catalog.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            grains = row["grains"].split("|")
            if row["has_company_total"].lower() == "true":
                grains.append("company")
            pairs += [(row["indicator_code"], grain) for grain in grains]
    return pairs


@pytest.fixture(scope="module")
def present(demo_build) -> dict[tuple[str, str], set[str]]:
    df = demo_build.query(
        "select distinct indicator_code, grain, period_type from main.indicator_values where value is not null"
    )
    out: dict[tuple[str, str], set[str]] = {}
    for row in df.itertuples():
        out.setdefault((row.indicator_code, row.grain), set()).add(row.period_type)
    return out


@pytest.mark.parametrize("pair", catalog_pairs(), ids=lambda p: f"{p[0]}@{p[1]}")
def test_catalog_pair_is_published(present, pair):
    if pair in EXPECTED_MISSING:
        pytest.xfail(f"{pair} arrives with a later issue")
    assert present.get(pair, set()) == PERIOD_TYPES, f"{pair}: period types present {present.get(pair)}"


def test_nothing_outside_the_catalog_is_published(present):
    assert set(present) <= set(catalog_pairs())
