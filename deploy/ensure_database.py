"""Create the PostgreSQL database named in DATABASE_URL if it does not exist (used by `make run-prod`)."""
import os
import sys

import psycopg
from sqlalchemy.engine import make_url


def main() -> None:
    url = make_url(os.environ["DATABASE_URL"])
    if not url.drivername.startswith("postgresql"):
        sys.exit("DATABASE_URL must point at PostgreSQL")
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{url.database}"')
            print(f"created database {url.database}")


if __name__ == "__main__":
    main()
