"""The review notice and the supervisor dashboard show the credit-based share against 80% and the targeted count."""
import re

from tests.conftest import login
from tests.services.test_selection_kpis import known_campaigns


def _totals_row(page: str) -> list[str]:
    section = page[page.index('class="card selection-kpis"'):]
    row = re.search(r"<tr><th>合计</th>(.*?)</tr>", section, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_review_and_dashboard_show_the_shares(app, client):
    known = known_campaigns(app)
    credit, random_ = known["stratified"], known["random"]
    share = round(100 * credit / (credit + random_), 1)
    expected = [str(credit + random_), str(credit), f"{share}%", "达标" if share >= 80 else "未达标",
                f"{credit + random_} / 1", "%s%%" % round(100 * (credit + random_) / (credit + random_ + 1), 1), "1"]
    login(client, "supervisor")
    review = client.get("/reports/review").get_data(as_text=True)
    assert "五、抽查方式" in review and "目标 80%" in review
    assert _totals_row(review) == expected
    dashboard = client.get("/dashboard/").get_data(as_text=True)
    assert _totals_row(dashboard) == expected
