"""The benchmarks' own PostgreSQL databases: each script names one (``--database-url``), never
the application's, and creates it on first use. Imported by the scripts next to it."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name:
        raise SystemExit(f"--database-url needs a database name: {url}")
    if name == "patientcare":
        raise SystemExit("refusing to benchmark in the application's own database 'patientcare'")
    return name


def _maintenance(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def ensure_database(url: str) -> None:
    """Create the benchmark database on its server if it does not exist yet."""
    import psycopg
    from psycopg import sql

    name = database_name(url)
    with psycopg.connect(_maintenance(url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            print(f"creating database {name}", flush=True)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def recreate_database(url: str) -> None:
    """Drop and create the benchmark database: every run starts from an empty table. Only a
    database whose name starts with ``patientcare_bench`` is ever dropped."""
    import psycopg
    from psycopg import sql

    name = database_name(url)
    if not name.startswith("patientcare_bench"):
        raise SystemExit(
            f"refusing to drop {name!r}: the database name must start with 'patientcare_bench'"
        )
    with psycopg.connect(_maintenance(url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
