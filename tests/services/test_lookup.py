"""get_or_404: the row, or the domain's 404 carrying the Chinese message the caller gave."""
import pytest

from models import Department
from services.errors import NotFound
from services.lookup import get_or_404


def test_a_row_or_not_found_in_chinese(app):
    with app.app_context():
        assert get_or_404(Department, 1, "部门不存在").id == 1
        with pytest.raises(NotFound) as raised:
            get_or_404(Department, 99999999, "部门不存在")
        assert raised.value.message == "部门不存在" and raised.value.status == 404
