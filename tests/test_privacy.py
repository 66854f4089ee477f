"""No clear-text personal data in the published warehouse: no email address or phone number
in any text column of any table or view (the landing files do have them)."""

from __future__ import annotations

import duckdb

EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"


def test_landing_has_personal_data_the_warehouse_does_not(demo_build):
    landing = duckdb.connect()
    path = demo_build.landing_dir / "crm_contacts.parquet"
    emails = landing.execute(
        f"select count(*) from read_parquet('{path}') where regexp_matches(email, '{EMAIL}')"
    ).fetchone()[0]
    assert emails > 0, "the demo data should carry contact emails for this test to mean anything"

    with demo_build.connect() as con:
        columns = con.execute(
            """
            select table_schema, table_name, column_name
            from information_schema.columns
            where data_type = 'VARCHAR' and table_schema not in ('information_schema', 'pg_catalog')
            """
        ).fetchall()
        leaks = []
        for schema, table, column in columns:
            hits = con.execute(
                f'select count(*) from "{schema}"."{table}" where regexp_matches("{column}", \'{EMAIL}\')'
            ).fetchone()[0]
            if hits:
                leaks.append(f"{schema}.{table}.{column}: {hits}")
    assert not leaks, leaks
