"""One row by its id (or the first a query finds), or the domain's 404 with a message for the person who asked."""
from typing import TypeVar

from sqlalchemy import Select

from extensions import db
from services.errors import NotFound

Row = TypeVar("Row")


def get_or_404(model: type[Row], row_id, message: str) -> Row:
    """The row, or NotFound(message) (web/errors.py shows it as a page or a problem document)."""
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound(message)
    return row


def first_or_404(query: Select, message: str):
    """The first row the SELECT finds, or NotFound(message): for a row found by something other than its id."""
    row = db.session.scalars(query.limit(1)).first()
    if row is None:
        raise NotFound(message)
    return row
