"""From order lines to the per-customer BTYD summary (frequency, recency, age, spend, margin).

Readings (standard BTYD practice, stated so the numbers can be checked):

* A purchase is a day with at least one order of known, non-negative net amount that is not a
  return. A $0 order (a free sample, a fully discounted order) is a purchase, as it is for
  trial and penetration (indicators spec): it counts in frequency, recency and age, and adds $0
  to the day's spend; a customer whose only orders are $0 is in the BG/NBD input with x = 0
  (CDNOW, the literature's reference data, has 8 such customers among its 2,357, all in the
  published fits). Return orders (order_type 'return', or a negative net amount) are not
  purchases. Several orders of one customer on one day count as one purchase whose spend is
  their sum. (Activity and acquisition are another reading: only a net-positive order makes a
  customer active, so a $0-only customer is never active and never ranked in a CLV tier.)
* frequency = purchase days after the first; recency = first to last purchase day; age (T) =
  first purchase day to the as-of date; all in the explicit time unit. Only orders on or before
  the as-of date are read.
* monetary = mean spend (net sales, base currency) of the repeat purchase days (the first
  purchase is excluded, as Gamma-Gamma expects), $0 days included: expected purchases count
  $0 purchases, so the spend per purchase they are multiplied by must count them too. A
  customer whose repeat purchases are all $0 has monetary 0: not in the Gamma-Gamma fit (which
  needs a positive mean), scored with the Gamma-Gamma expectation at m = 0.
* margin_rate = gross profit / net sales over the customer's lines that have a unit cost (a
  line without cost has no margin, never a margin of 100 %). Expected margin per purchase =
  Gamma-Gamma expected spend x margin rate, so a line without cost counts as net sales x the
  customer's margin rate.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from salesperf.clv.timeunits import days_per_unit

PURCHASE_COLUMNS = ["customer_id", "purchase_date", "spend", "gross_profit_with_cost", "net_sales_with_cost"]
SUMMARY_COLUMNS = [
    "customer_id",
    "first_purchase_date",
    "last_purchase_date",
    "n_purchases",
    "frequency",
    "recency",
    "age",
    "recency_days",
    "age_days",
    "days_since_last_purchase",
    "mean_interpurchase_days",
    "total_spend",
    "monetary",
    "mean_spend",
    "gross_profit_with_cost",
    "net_sales_with_cost",
    "margin_rate",
]  # of an empty summary (a date before any purchase)


def group_sums(codes: np.ndarray, values, n_groups: int | None = None) -> np.ndarray:
    """Per group code (0 .. n_groups - 1), the sum of its rows' values added left to right in row
    order, NaN as 0 (pandas' sum): a group's sum is the same bits whatever the other rows are.

    pandas' groupby sum is not: it sums with ``np.add.reduceat`` (pairwise) when the group ids are
    sorted and the column has no NaN anywhere, else with Kahan's compensated loop, so a line without
    a cost or an order appended elsewhere in the frame could change a customer's sum in the last
    bit, and with it the inputs of the CLV fits of every date (salesperf.clv.reuse)."""
    values = np.asarray(values, dtype=float)
    values = np.where(np.isnan(values), 0.0, values)
    size = (int(codes.max()) + 1 if codes.size else 0) if n_groups is None else n_groups
    return np.bincount(codes, weights=values, minlength=size)


def purchases_from_lines(lines: pd.DataFrame) -> pd.DataFrame:
    """Purchase days from order lines.

    ``lines`` needs customer_id, order_id, order_date, net_sales, and optionally gross_profit
    (NULL where the line has no cost) and order_type ('return' marks a return). Returns one row
    per (customer_id, purchase_date) with the spend and the gross profit and net sales of the
    lines that have a cost. Orders of $0 are purchases (spend 0); returns are not."""
    df = lines.copy()
    df["order_date"] = pd.to_datetime(df["order_date"]).dt.normalize()
    df["net_sales"] = pd.to_numeric(df["net_sales"], errors="coerce").astype(float)
    gp = pd.to_numeric(df["gross_profit"], errors="coerce").astype(float) if "gross_profit" in df else np.nan
    df["gross_profit_with_cost"] = gp
    df["net_sales_with_cost"] = np.where(pd.notna(df["gross_profit_with_cost"]), df["net_sales"], np.nan)
    df["unknown_lines"] = df["net_sales"].isna().astype(int)
    order_type = df["order_type"] if "order_type" in df else pd.Series("sale", index=df.index)
    df["return_lines"] = order_type.fillna("sale").astype(str).str.strip().str.lower().eq("return").astype(int)
    orders = _grouped_sums(
        df,
        ["customer_id", "order_id", "order_date"],
        {c: c for c in ("net_sales", "unknown_lines", "return_lines", "gross_profit_with_cost", "net_sales_with_cost")},
        sort=False,
    )
    # An order with a line of unknown amount (no fx rate) has an unknown amount: not counted.
    # A $0 order is a purchase of $0; a return (or a negative amount) is not a purchase.
    orders = orders[(orders["unknown_lines"] == 0) & (orders["return_lines"] == 0) & (orders["net_sales"] >= 0)]
    days = _grouped_sums(
        orders,
        ["customer_id", "order_date"],
        {
            "spend": "net_sales",
            "gross_profit_with_cost": "gross_profit_with_cost",
            "net_sales_with_cost": "net_sales_with_cost",
        },
        sort=True,
    )
    return days.rename(columns={"order_date": "purchase_date"})[PURCHASE_COLUMNS]


def _grouped_sums(frame: pd.DataFrame, keys: list[str], sums: dict[str, str], sort: bool) -> pd.DataFrame:
    """One row per group of ``keys`` (rows with a missing key dropped, as groupby does) with the
    :func:`group_sums` of the columns ``sums`` maps to (output name -> column)."""
    grouped = frame.groupby(keys, sort=sort)
    codes = grouped.ngroup().to_numpy()
    keep = codes >= 0  # ngroup gives -1 to the rows of a missing key
    out = grouped.size().index.to_frame(index=False)  # the keys, in the groups' order (that of ngroup)
    for name, column in sums.items():
        out[name] = group_sums(codes[keep], frame[column].to_numpy(float)[keep], grouped.ngroups)
    return out


def sort_purchases(purchases: pd.DataFrame) -> pd.DataFrame:
    """Purchases in the order :func:`summarize` reads them (customer, day): sort once, summarize at
    many dates with ``presorted=True`` (a date's purchases keep that order, so the summaries are the same).

    Adds column ``customer_code``: the customer's position in the sorted customer ids (an integer
    to group by, much faster than the ids themselves at a million customers). Purchases already in
    that order (as :func:`purchases_from_lines` returns them) are not copied; others are sorted by
    the integer codes and the days, the order of a stable sort by id and day."""
    codes = _customer_codes(purchases["customer_id"])
    days = purchases["purchase_date"].to_numpy()
    if codes.size and (codes.min() < 0 or pd.isna(days).any()):  # a missing id or day: pandas' order
        out = purchases.sort_values(["customer_id", "purchase_date"], kind="stable")
        out["customer_code"] = _customer_codes(out["customer_id"])
        return out
    same = codes[1:] == codes[:-1]
    if np.all((codes[1:] > codes[:-1]) | (same & (days[1:] >= days[:-1]))):
        return purchases.assign(customer_code=codes)
    order = np.lexsort((days, codes))  # stable: ties keep their order, as sort_values(kind="stable")
    return purchases.take(order).assign(customer_code=codes[order])


def customer_ids_by_code(purchases: pd.DataFrame) -> pd.Series:
    """The customer id of each ``customer_code`` of :func:`sort_purchases`' output (position = code), for
    per-customer values computed once for every date (segments, the ids' hashes of salesperf.clv.reuse)."""
    codes = purchases["customer_code"].to_numpy()
    rows = np.flatnonzero(codes >= 0)
    first = np.zeros(int(codes.max()) + 1 if rows.size else 0, dtype=np.intp)
    first[codes[rows[::-1]]] = rows[::-1]  # a row of each code (its first)
    return pd.Series(purchases["customer_id"].array.take(first), name="customer_id")


def _customer_codes(ids: pd.Series) -> np.ndarray:
    """Per row: the position of its customer id among the sorted distinct ids (-1 where missing)."""
    codes, _ = pd.factorize(ids, sort=True)
    return codes.astype(np.int64, copy=False)


def summarize(
    purchases: pd.DataFrame,
    as_of: date | pd.Timestamp,
    *,
    time_unit: str,
    presorted: bool = False,
    with_codes: bool = False,
) -> pd.DataFrame:
    """Per-customer summary at ``as_of`` from purchase days (see :func:`purchases_from_lines`).

    Columns: customer_id, first_purchase_date, last_purchase_date, n_purchases, frequency,
    recency, age (in ``time_unit``), recency_days, age_days, days_since_last_purchase,
    mean_interpurchase_days (NaN without a repeat purchase), total_spend, monetary (mean spend of
    repeat purchases, NaN without one), mean_spend (all purchases), gross_profit_with_cost,
    net_sales_with_cost, margin_rate (NaN without any costed line). ``presorted``: the purchases
    come from :func:`sort_purchases` (no sort per call when summarizing at many dates). ``with_codes``:
    a last column ``customer_code`` (the customer's code of :func:`sort_purchases`, to look up
    per-customer values computed once for all dates, e.g. :func:`~salesperf.clv.segments.segment_labels`)."""
    unit = days_per_unit(time_unit)
    as_of = pd.Timestamp(as_of).normalize()
    on_time = (purchases["purchase_date"] <= as_of).to_numpy()
    if not on_time.any():
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    p = purchases
    if not presorted or "customer_code" not in p:  # sorted and coded here (sort_purchases copies nothing sorted)
        p = sort_purchases(p if on_time.all() else p[on_time])
        on_time = np.ones(len(p), dtype=bool)
    # the rows of the date with a customer (a missing id has code -1; a groupby on the ids drops it) by
    # position: no copy of the frame (its id strings) at every date, only of the columns read, at the rows read
    keep = on_time & (p["customer_code"].to_numpy() >= 0)
    if not keep.any():
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    rows = None if keep.all() else np.flatnonzero(keep)

    def column(name: str, dtype=None) -> np.ndarray:
        values = p[name].to_numpy(dtype)
        return values if rows is None else values[rows]

    # grouped by the integer codes (as fast as the ids are slow), sums by pandas as before (the
    # same bits); the rows of a customer are consecutive and by day: first and last are the ends
    codes = column("customer_code")
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    ends = np.r_[starts[1:], codes.size] - 1
    is_first = np.zeros(codes.size, dtype=bool)
    is_first[starts] = True
    code_of_row = codes[starts]
    size = int(codes[-1]) + 1  # codes ascend: the last is the largest

    def sums(name: str, at_rows: np.ndarray | None = None) -> np.ndarray:
        values = column(name, float)
        at = codes if at_rows is None else codes[at_rows]
        return group_sums(at, values if at_rows is None else values[at_rows], size)[code_of_row]

    def at(name: str, positions: np.ndarray):
        """The column's values at ``positions`` among the rows read (its own dtype)."""
        return p[name].array.take(positions if rows is None else rows[positions])

    out = pd.DataFrame(
        {
            "customer_id": at("customer_id", starts),
            "first_purchase_date": at("purchase_date", starts),
            "last_purchase_date": at("purchase_date", ends),
            "n_purchases": (ends - starts + 1).astype(np.int64),
            "total_spend": sums("spend"),
            "gross_profit_with_cost": sums("gross_profit_with_cost"),
            "net_sales_with_cost": sums("net_sales_with_cost"),
        }
    )
    out["repeat_spend"] = sums("spend", ~is_first)
    out["frequency"] = (out["n_purchases"] - 1).astype(float)
    out["recency_days"] = (out["last_purchase_date"] - out["first_purchase_date"]).dt.days.astype(float)
    out["age_days"] = (as_of - out["first_purchase_date"]).dt.days.astype(float)
    out["days_since_last_purchase"] = (as_of - out["last_purchase_date"]).dt.days.astype(float)
    out["recency"] = out["recency_days"] / unit
    out["age"] = out["age_days"] / unit
    has_repeat = out["frequency"] > 0
    out["mean_interpurchase_days"] = np.where(
        has_repeat, out["recency_days"] / out["frequency"].where(has_repeat, 1), np.nan
    )
    out["monetary"] = np.where(has_repeat, out["repeat_spend"] / out["frequency"].where(has_repeat, 1), np.nan)
    out["mean_spend"] = out["total_spend"] / out["n_purchases"]
    out["margin_rate"] = np.where(
        out["net_sales_with_cost"] > 0,
        out["gross_profit_with_cost"] / out["net_sales_with_cost"].where(out["net_sales_with_cost"] > 0, 1),
        np.nan,
    )
    out = out.drop(columns=["repeat_spend"])
    if with_codes:
        out["customer_code"] = code_of_row
    return out
