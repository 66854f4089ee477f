"""Data-quality warnings of indicator readings, on the demo build: first orders not counted as new
customers (left censoring) and implausible category-spend estimates (share_of_wallet > 1) are
reported in dq_results (warn) and listed in their dq_ tables; retention and new_customers agree."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_censored_first_orders_are_counted_and_explained(demo_build):
    warn = demo_build.query(
        "select status, failing_rows, message from main.dq_results where check_name = 'assert_no_censored_acquisitions'"
    )
    listed = demo_build.query(
        "select count(*) as n from main.dq_censored_acquisitions"
        " where not_new_reason <> 'below_new_customer_min_amount'"
    )["n"][0]
    assert len(warn) == 1 and warn["failing_rows"][0] == listed
    assert warn["status"][0] == ("warn" if listed else "pass")
    assert "order_history_complete_from" in warn["message"][0]
    # every activation is either a new customer or listed with its reason: nothing vanishes silently
    counts = demo_build.query(
        """
        select
            (select count(*) from main.fct_customer_activity_spells) as spells,
            (select count(*) from main.fct_customer_acquisitions) as acquired,
            (select count(*) from main.dq_censored_acquisitions) as not_counted
        """
    ).iloc[0]
    assert counts["spells"] == counts["acquired"] + counts["not_counted"]
    reconcile = demo_build.query(
        "select status from main.dq_results where check_name = 'assert_retention_activations_reconcile'"
    )
    assert list(reconcile["status"]) == ["pass"]


def test_implausible_wallet_estimates_name_the_accounts(demo_build):
    above = set(
        demo_build.query(
            "select distinct entity_id from main.indicator_values"
            " where indicator_code = 'share_of_wallet' and grain = 'customer' and value > 1"
        )["entity_id"]
    )
    listed = set(demo_build.query("select customer_id from main.dq_implausible_wallet_estimates")["customer_id"])
    assert above and listed == above
    warn = demo_build.query(
        "select status, failing_rows from main.dq_results where check_name = 'assert_no_implausible_wallet_estimates'"
    )
    assert list(warn["status"]) == ["warn"] and warn["failing_rows"][0] == len(above)
