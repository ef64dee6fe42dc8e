"""One row by its id, or the domain's 404 with a message for the person who asked."""
from typing import TypeVar

from extensions import db
from services.errors import NotFound

Row = TypeVar("Row")


def get_or_404(model: type[Row], row_id, message: str) -> Row:
    """The row, or NotFound(message) (web/errors.py shows it as a page or a problem document)."""
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound(message)
    return row
