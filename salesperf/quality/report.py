"""``summary.html`` in the Data Docs folder: every check of the last build on one page.

GX's Data Docs load Bootstrap, jQuery and Font Awesome from CDNs: offline their index page is
empty (its tables are drawn by JavaScript) and the status icons of the validation pages are
missing. This page needs nothing from the network: plain HTML with inline CSS, one table of every
check (dbt tests, GX expectations, freshness) with its status, and links to GX's validation pages,
which stay readable offline (unstyled).
"""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from salesperf.quality.results import CheckResult

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
td { overflow-wrap: anywhere; }
th { background: #f0f0f0; position: sticky; top: 0; }
.pass { color: #1a7f37; } .warn { color: #9a6700; font-weight: 600; }
.fail, .error { color: #cf222e; font-weight: 700; } .skipped { color: #777; }
.verdict { font-size: 1.2rem; padding: 0.5rem 1rem; border-radius: 0.3rem; display: inline-block; }
.ok { background: #dafbe1; } .blocked { background: #ffebe9; }
"""
ORDER = {"fail": 0, "error": 1, "warn": 2, "skipped": 3, "pass": 4}


def validation_pages(docs_dir: Path) -> dict[str, str]:
    """Suite name (``<layer>.<batch>``) -> path of its latest validation page, relative to docs_dir."""
    pages: dict[str, str] = {}
    root = docs_dir / "validations"
    for page in sorted(root.rglob("*.html")):
        parts = page.relative_to(root).parts  # <layer>/<batch>/<run name>/<run time>/<file>
        if len(parts) >= 3:
            pages[f"{parts[0]}.{parts[1]}"] = str(page.relative_to(docs_dir))
    return pages


def write_summary(
    docs_dir: Path,
    results: Iterable[CheckResult],
    rejected: Iterable[tuple[str, str, str, int]],
    checked_at: dt.datetime,
    suites_by_check: dict[str, str] | None = None,
) -> Path:
    results = sorted(results, key=lambda r: (ORDER.get(r.status, 9), r.layer, r.check_type, r.check_id))
    pages = validation_pages(docs_dir)
    suites_by_check = suites_by_check or {}
    blocking = [r for r in results if r.blocks_publishing]
    statuses = Counter(r.status for r in results)
    verdict = (
        f'<p class="verdict blocked">Not published: {len(blocking)} check(s) of severity error failed.</p>'
        if blocking
        else '<p class="verdict ok">Every check of severity error passed: the build is published.</p>'
    )
    rows = []
    for r in results:
        suite = suites_by_check.get(r.check_id)
        link = f' (<a href="{html.escape(pages[suite])}">GX page</a>)' if suite in pages else ""
        rows.append(
            "<tr>"
            f'<td class="{r.status}">{r.status}</td><td>{r.severity}</td><td>{r.layer}</td>'
            f"<td>{html.escape(r.check_type)}</td><td>{html.escape(r.object_name or '')}</td>"
            f"<td>{'' if r.failing_rows is None else f'{r.failing_rows:,}'}</td>"
            f"<td>{html.escape(r.message or r.check_name)}{link}<br><small>{html.escape(r.check_id)}</small></td>"
            "</tr>"
        )
    rejected_rows = "".join(
        f"<tr><td>{html.escape(t)}</td><td>{html.escape(rule)}</td><td>{sev}</td><td>{n:,}</td></tr>"
        for t, rule, sev, n in rejected
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Data quality of the build of {checked_at:%Y-%m-%d %H:%M}</title>
<style>{STYLE}</style></head><body>
<h1>Data quality of the build of {checked_at:%Y-%m-%d %H:%M}</h1>
{verdict}
<p>{" · ".join(f"{statuses.get(s, 0)} {s}" for s in ORDER)}. Severity error: a failure blocks publishing;
warn: reported, the build publishes. The same rows are in <code>main.dq_results</code> of the warehouse.
GX's own pages: <a href="index.html">index.html</a> (needs internet for its styles and tables).</p>
<h2>Rejected rows (<code>main.dq_rejected_rows</code>)</h2>
<table><tr><th>landing table</th><th>rule</th><th>severity</th><th>rows</th></tr>{rejected_rows}</table>
<h2>Checks</h2>
<table><tr><th>status</th><th>severity</th><th>layer</th><th>type</th><th>object</th><th>failing rows</th>
<th>check</th></tr>
{"".join(rows)}
</table></body></html>
"""
    path = docs_dir / "summary.html"
    docs_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
