"""Joint inspection to publication over HTTP: three departments, two-officer sign-off, referrals
(one accepted, one returned), batch publication, the public page and the export show exactly
the final results and nothing internal."""
import csv
import io
import re

from openpyxl import load_workbook
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from extensions import db
from models import Campaign, CampaignDepartment, Department, Evidence, Inspection, Referral, User, UserRole
from services.workflow import clock
from services.stages import referrals
from tests.conftest import csrf_token
from tests.e2e.journey import (initiate, inspection_fields, open_tasks, plan_and_approve, report_in, scope, submit,
                               user_client)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
INTERNAL_NOTE = "内部备注-勿公开"


def _outsider(app, campaign_id: int, exclude: set[str]) -> str:
    """An official of a campaign department who is not matched to the enterprise."""
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        departments = [d.department_id for d in campaign.departments if d.status == "confirmed"]
        names = db.session.scalars(select(User.username).join(UserRole).where(
            User.department_id.in_(departments), UserRole.role == "official").order_by(User.id)).all()
        return next(n for n in names if n not in exclude)


def _department_outside(app, campaign_id: int, skip: set[int] = frozenset()) -> tuple[int, str]:
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        inside = {d.department_id for d in campaign.departments} | set(skip)
        dept = db.session.scalars(select(Department).where(Department.id.not_in(inside), Department.code.not_like("th_%"))
                                  .order_by(Department.id)).first()
        return dept.id, f"{dept.code}_01"


def _draft_roundtrip(app, task: dict) -> None:
    client = user_client(app, task["candidates"][0])
    page = client.get(f"/inbox/tasks/{task['id']}").get_data(as_text=True)
    assert "保存草稿" in page and 'enctype="multipart/form-data"' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    # Autosave without the CSRF header is refused; with it the draft is kept on the server.
    assert client.post(f"/inbox/tasks/{task['id']}/draft", data={"summary": "x"}).status_code == 400
    response = client.post(f"/inbox/tasks/{task['id']}/draft", data={"summary": "草稿里的检查情况", "method": "书面检查"},
                           headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert response.status_code == 200 and "saved_at" in response.get_json()
    reopened = user_client(app, task["candidates"][0]).get(f"/inbox/tasks/{task['id']}").get_data(as_text=True)
    assert "草稿里的检查情况" in reopened and re.search(r'value="书面检查" checked', reopened)


def _sign_with_evidence(client, task_id: int, fields, item_id: int):
    token = csrf_token(client, f"/inbox/tasks/{task_id}")
    data = MultiDict([("csrf_token", token), ("action", "sign"), *fields])
    data.add(f"evidence.{item_id}", (io.BytesIO(PNG), "现场照片.png"))
    response = client.post(f"/inbox/tasks/{task_id}", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def _inspect_all(app, campaign_id: int, tasks: list[dict]) -> list[int]:
    item_ids = [int(k.split(".")[1]) for k, _ in inspection_fields(app, campaign_id, True) if k.startswith("items.")]
    for i, task in enumerate(tasks):
        fields = inspection_fields(app, campaign_id, i < 2)
        fields = [(k, f"{v}；{INTERNAL_NOTE}") if k == "summary" else (k, v) for k, v in fields]
        fields += [(f"items.{item_ids[0]}.note", INTERNAL_NOTE)]
        first, second = task["candidates"][0], task["candidates"][1]
        _sign_with_evidence(user_client(app, first), task["id"], fields, item_ids[0])
        [countersign] = [t for t in open_tasks(app, campaign_id, "joint_inspection")
                         if t["inspection_id"] == task["inspection_id"]]
        # The first signer cannot countersign, nor can an official not matched to this enterprise.
        submit(user_client(app, first), countersign["id"], fields, expect=403)
        outsider = _outsider(app, campaign_id, set(task["candidates"]))
        submit(user_client(app, outsider), countersign["id"], fields, expect=403)
        if i == 1:  # the second officer corrects before signing: the problem is in fact corrected on order
            fields = [(k, "03") if k == "result_code" else (k, v) for k, v in fields]
        submit(user_client(app, second), countersign["id"], fields)
    return item_ids


def _refer(app, campaign_id: int, inspection_id: int, officer: str, to_department: int) -> None:
    with app.app_context():
        evidence_ids = list(db.session.scalars(select(Evidence.id).where(Evidence.inspection_id == inspection_id)))
    client = user_client(app, officer)
    token = csrf_token(client, f"/inbox/inspections/{inspection_id}")
    data = MultiDict([("csrf_token", token), ("to_department_id", str(to_department)),
                      ("finding", "现场发现无证经营的迹象，属贵部门职责"), *[("evidence_ids", str(e)) for e in evidence_ids]])
    response = client.post(f"/inbox/inspections/{inspection_id}/referrals", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def test_inspection_referrals_and_publication(app, tmp_path):
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    s = scope(app, 4)
    supervisor, campaign_id = plan_and_approve(app, s)
    lead = initiate(app, s, campaign_id)
    report_in(app, s, campaign_id)  # the last partner declines: lead + 2 partners = three departments

    tasks = open_tasks(app, campaign_id, "joint_inspection")
    # Every participating department sends two of its own officers to each enterprise.
    assert len(tasks) == 4 and all(len(t["candidates"]) == 6 for t in tasks)
    assert all(len({name.split("_")[0] for name in t["candidates"]}) == 3 for t in tasks)
    _draft_roundtrip(app, tasks[0])
    _inspect_all(app, campaign_id, tasks)

    with app.app_context():
        inspections = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id)
                                         .order_by(Inspection.id)).all()
        assert [i.status for i in inspections] == ["submitted"] * 4
        assert [i.result_code for i in inspections] == ["02", "03", "01", "01"]
        assert all(len({s.user_id for s in i.signoffs}) == 2 and i.revision == 1 for i in inspections)
        assert inspections[1].signoffs[1].changed  # corrected before signing, recorded as such
        assert all(i.publication_due and i.publication_due > clock.today() for i in inspections)
        first_id, second_id = inspections[0].id, inspections[1].id
        officers = {i.id: [t["candidates"] for t in tasks if t["inspection_id"] == i.id][0] for i in inspections}

    # Referrals: one to a department outside the campaign (accepted), one to another (returned).
    accepting, accepting_user = _department_outside(app, campaign_id)
    returning, returning_user = _department_outside(app, campaign_id, {accepting})
    _refer(app, campaign_id, first_id, officers[first_id][0], accepting)
    _refer(app, campaign_id, second_id, officers[second_id][0], returning)
    decisions = open_tasks(app, campaign_id, "referral_decision")
    assert sorted(t["department_id"] for t in decisions) == sorted([accepting, returning])
    for task in decisions:
        if task["department_id"] == accepting:
            client = user_client(app, accepting_user)
            page = client.get(f"/inbox/tasks/{task['id']}").get_data(as_text=True)
            evidence_link = re.search(r'href="(/evidence/\d+)"', page).group(1)
            assert client.get(evidence_link).data == PNG  # the receiving department sees the evidence
            submit(client, task["id"], [("decision", "accept"), ("note", "已立案调查")])
        else:
            submit(user_client(app, returning_user), task["id"], [("decision", "return")], expect=422)
            submit(user_client(app, returning_user), task["id"], [("decision", "return"), ("note", "不属于本部门职责")])
    with app.app_context():
        rows = db.session.scalars(select(Referral).where(Referral.campaign_id == campaign_id).order_by(Referral.id)).all()
        assert [(r.status, r.to_department_id) for r in rows] == [("accepted", accepting), ("returned", returning)]
        assert rows[0].evidence and rows[1].decision_note == "不属于本部门职责"
        figures = referrals.figures(campaign_id=campaign_id)
        assert (figures.total, figures.accepted, figures.returned, figures.open) == (2, 1, 1, 0)

    received = user_client(app, returning_user).get("/inbox/referrals").get_data(as_text=True)
    assert "已退回" in received and "不属于本部门职责" in received
    overview = user_client(app, "supervisor").get("/publication/").get_data(as_text=True)
    assert "签收处理 1" in overview and "退回 1" in overview
    public_before = app.test_client().get("/public/").get_data(as_text=True)
    with app.app_context():
        usccs = [i.enterprise.uscc for i in db.session.scalars(select(Inspection).where(
            Inspection.campaign_id == campaign_id).order_by(Inspection.id))]
        names = {i.enterprise.uscc: i.enterprise.name for i in db.session.scalars(select(Inspection).where(
            Inspection.campaign_id == campaign_id))}
    assert not any(u in public_before for u in usccs)  # nothing public before approval

    [publication] = open_tasks(app, campaign_id, "publication_approval")
    submit(lead, publication["id"], [("approve", "publish")])

    public = app.test_client().get("/public/").get_data(as_text=True)
    assert all(u in public for u in usccs)
    for leak in (INTERNAL_NOTE, "现场照片", "/evidence/", "现场发现无证经营", "已立案调查"):
        assert leak not in public
    with app.app_context():
        for user in db.session.scalars(select(User).where(User.username.in_(officers[first_id]))):
            assert user.display_name not in public  # officers' names are internal
    # Search by USCC, by campaign and by department.
    one = app.test_client().get(f"/public/?q={usccs[0]}").get_data(as_text=True)
    assert usccs[0] in one and usccs[1] not in one
    with app.app_context():
        code = db.session.get(Campaign, campaign_id).code
    assert all(u in app.test_client().get(f"/public/?campaign={code}").get_data(as_text=True) for u in usccs)
    by_department = app.test_client().get(f"/public/?department={s['lead_id']}").get_data(as_text=True)
    assert all(u in by_department for u in usccs)

    # Export for the national credit publicity system: exactly the four final results.
    lead_client = user_client(app, "scjg_01")
    exported = lead_client.get(f"/publication/{campaign_id}/export.csv")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "统一社会信用代码" and len(rows) == 5
    by_uscc = {r[0]: r for r in rows[1:]}
    assert set(by_uscc) == set(usccs)
    assert by_uscc[usccs[0]][5] == "02 发现问题待后续处理" and by_uscc[usccs[1]][5] == "03 发现问题经责令已改正"
    assert all(r[1] == names[r[0]] and r[2] == code and r[6] == clock.today().isoformat() for r in rows[1:])
    book = load_workbook(io.BytesIO(lead_client.get(f"/publication/{campaign_id}/export.xlsx").data))
    sheet_rows = list(book.active.iter_rows(values_only=True))
    assert len(sheet_rows) == 5 and {r[0] for r in sheet_rows[1:]} == set(usccs)
    assert user_client(app, returning_user).get(f"/publication/{campaign_id}/export.csv").status_code == 403

    # A correction of a published result: a new published revision with a reason, marked on the public page.
    client = user_client(app, officers[first_id][0])
    token = csrf_token(client, f"/inbox/inspections/{first_id}")
    fields = [(k, v) for k, v in inspection_fields(app, campaign_id, True) if k != "result_code"] + [("result_code", "03")]
    assert client.post(f"/inbox/inspections/{first_id}/correct",
                       data=MultiDict([("csrf_token", token), *fields])).status_code == 422  # no reason
    response = client.post(f"/inbox/inspections/{first_id}/correct",
                           data=MultiDict([("csrf_token", token), ("reason", "复核发现企业已当场整改"), *fields]))
    assert response.status_code == 302
    history = client.get(f"/inbox/inspections/{first_id}").get_data(as_text=True)
    assert "第 2 版" in history and "复核发现企业已当场整改" in history
    corrected = app.test_client().get(f"/public/?q={usccs[0]}").get_data(as_text=True)
    assert "已更正" in corrected and "发现问题经责令已改正" in corrected and "发现问题待后续处理" not in corrected
    assert "复核发现企业已当场整改" not in corrected

    # 区域联查: with a 太湖县 department taking part, the results show on both regions' pages.
    assert usccs[0] not in app.test_client().get("/public/340825/").get_data(as_text=True)
    with app.app_context():
        neighbour = db.session.scalars(select(Department).where(Department.code == "th_scjg")).one()
        db.session.add(CampaignDepartment(campaign_id=campaign_id, department_id=neighbour.id, role="partner",
                                          status="confirmed"))
        db.session.commit()
    for region in ("421126", "340825"):
        assert usccs[0] in app.test_client().get(f"/public/{region}/").get_data(as_text=True)
