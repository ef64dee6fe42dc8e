"""Declarative base with a constraint naming convention, so Alembic names are stable."""
from datetime import datetime, timezone

from sqlalchemy import MetaData, literal_column
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utc_naive(moment: datetime) -> datetime:
    """Times are stored as naive UTC: SQLite keeps no zone, and one rule for both databases is simpler."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


# The separator of func.aggregate_strings as SQL text. Given as a Python string it becomes a literal-execute
# parameter, rendered into the SQL on every execution (a regular-expression pass over the statement's text);
# as SQL text it is part of the statement compiled once.
COMMA = literal_column("','")
