"""Catalogue: consolidation figures, checklist revisions (campaigns keep theirs), manual, 智能发起."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from extensions import db
from models import Campaign, ChecklistRevision, Department, Industry, Matter, User
from services.stages import initiation as campaigns
from services.directory import catalogue
from services.workflow import tasks
from demo.county import INDUSTRIES
from services.errors import Forbidden, ValidationFailed
from tests.conftest import csrf_token
from tests.e2e.journey import open_tasks, submit, user_client


def user(name):
    return db.session.scalar(select(User).where(User.username == name))


def industry(code="6210"):
    return db.session.scalar(select(Industry).where(Industry.code == code))


def test_consolidation_figures_match_the_catalogue(app):
    with app.app_context():
        c = catalogue.consolidation()
    links = [spec[4] for spec in INDUSTRIES]
    assert c.plans_before == sum(len(m) for m in links)
    assert c.industries_after == len(INDUSTRIES)
    assert c.matters_after == len({code for m in links for code in m})
    assert c.department_industry_pairs == sum(len({code.split("-")[0] for code in m}) for m in links)
    assert c.visits_saved == c.department_industry_pairs - len(INDUSTRIES)
    assert [len(departments) for _i, departments, _n in c.rows] == [
        len({code.split("-")[0] for code in m}) for m in [s[4] for s in sorted(INDUSTRIES)]]
    page = user_client(app, "scjg_01").get("/directory/consolidation").get_data(as_text=True)
    assert str(c.plans_before) in page and "正餐服务" in page


def _items(revision, change=None):
    items = [{"matter_id": i.matter_id, "text": i.text} for i in revision.items]
    if change:
        change(items)
    return items


def test_revision_is_new_and_campaigns_keep_theirs(app):
    with app.app_context():
        food = industry()
        old = catalogue.checklist(food.id)
        opened = campaigns.request_special_action(user("scjg_01"), industry_id=food.id, reason="投诉集中")
        assert opened.checklist_revision_id == old.id
        with pytest.raises(ValidationFailed):
            catalogue.revise_checklist(user("admin"), food.id, _items(old), "无变化")
        new = catalogue.revise_checklist(user("admin"), food.id, _items(
            old, lambda items: items.append({"matter_id": old.items[0].matter_id, "text": "是否张贴食品安全承诺书"})), "增加一项")
        assert (new.number, len(new.items)) == (old.number + 1, len(old.items) + 1)
        db.session.expire_all()
        assert db.session.get(Campaign, opened.id).checklist_revision_id == old.id
        assert len(db.session.get(ChecklistRevision, old.id).items) == len(new.items) - 1
        later = campaigns.request_special_action(user("scjg_01"), industry_id=food.id, reason="再次投诉")
        assert later.checklist_revision_id == new.id


def test_department_admin_revises_only_own_items(app):
    with app.app_context():
        food = industry()
        old = catalogue.checklist(food.id)
        scjg = db.session.scalar(select(Department.id).where(Department.code == "scjg"))
        own = next(i for i in old.items if i.matter.department_id == scjg)
        other = next(i for i in old.items if i.matter.department_id != scjg)

        def reword(item):
            return lambda items: items.__setitem__(old.items.index(item), {"matter_id": item.matter_id, "text": "改写"})
        with pytest.raises(Forbidden):
            catalogue.revise_checklist(user("scjg_admin"), food.id, _items(old, reword(other)), None)
        with pytest.raises(Forbidden):
            catalogue.revise_checklist(user("scjg_01"), food.id, _items(old, reword(own)), None)
        assert catalogue.revise_checklist(user("scjg_admin"), food.id, _items(old, reword(own)), None).number == 2


def test_checklist_edit_page_creates_revision(app):
    admin = user_client(app, "admin")
    with app.app_context():
        food = industry()
        revision = catalogue.checklist(food.id)
        data = {"count": str(len(revision.items) + 1), "note": "页面修订"}
        for n, item in enumerate(revision.items, start=1):
            data.update({f"matter_{n}": str(item.matter_id), f"text_{n}": item.text if n > 1 else ""})
        data.update({f"matter_{len(revision.items) + 1}": str(revision.items[0].matter_id),
                     f"text_{len(revision.items) + 1}": "是否建立进货查验记录"})
        path = f"/directory/industries/{food.id}/checklist/edit"
    data["csrf_token"] = csrf_token(admin, path)
    assert admin.post(path, data=data).status_code == 302
    page = admin.get(f"/directory/industries/{food.id}").get_data(as_text=True)
    assert "第 2 版" in page and "是否建立进货查验记录" in page
    book = load_workbook(io.BytesIO(admin.get(f"/directory/industries/{food.id}/checklist.xlsx").data)).active
    assert book.cell(1, 2).value == "检查内容" and book.max_row == len(revision.items) + 1
    assert any(row[1] == "是否建立进货查验记录" for row in book.iter_rows(values_only=True))


def test_manual_groups_obligations_by_department_with_legal_basis(app):
    with app.app_context():
        food = industry()
        _industry, revision, sections = catalogue.manual(food.id)
        departments = {m.department_id for m in food.matters}
        assert [s.department.id for s in sections] == sorted(departments)
        matter, duties = sections[0].matters[0]
        assert duties and not any(d.startswith("是否") for d in duties)
    page = user_client(app, "wl_01").get(f"/directory/industries/{food.id}/manual").get_data(as_text=True)
    assert "合规手册" in page and "@media print" in page and matter.legal_basis in page


def test_matters_per_department_and_department_admin_limits(app):
    admin = user_client(app, "scjg_admin")
    with app.app_context():
        scjg, xf = (db.session.scalar(select(Department.id).where(Department.code == c)) for c in ("scjg", "xf"))
        food_id = industry().id
        xf_matter = db.session.scalar(select(Matter.id).where(Matter.department_id == xf))
    token = csrf_token(admin, "/directory/matters/new")
    form = {"csrf_token": token, "code": "scjg-99", "name": "网络餐饮服务检查", "method": "网络监测",
            "legal_basis": "《网络餐饮服务食品安全监督管理办法》第四条", "industry_ids": str(food_id), "active": "on"}
    assert admin.post("/directory/matters/new", data={**form, "department_id": str(xf)}).status_code == 403
    assert admin.post("/directory/matters/new", data={**form, "department_id": str(scjg), "method": "瞎查"}).status_code == 422
    assert admin.post("/directory/matters/new", data={**form, "department_id": str(scjg)}).status_code == 302
    assert admin.post(f"/directory/matters/{xf_matter}", data={**form, "code": "xf-99", "department_id": str(xf)}).status_code == 403
    with app.app_context():
        created = db.session.scalar(select(Matter).where(Matter.code == "scjg-99"))
        assert created.department_id == scjg and created.id in [m.id for m in industry().matters]
    listing = admin.get(f"/directory/matters?department_id={scjg}").get_data(as_text=True)
    assert "网络餐饮服务检查" in listing and "消防安全检查" not in listing
    sheet = load_workbook(io.BytesIO(admin.get(f"/directory/matters.xlsx?department_id={scjg}").data)).active
    exported = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "网络餐饮服务检查" in exported and "消防安全检查" not in exported


def test_smart_initiation_proposes_and_the_official_adjusts(app):
    official = user_client(app, "scjg_01")
    with app.app_context():
        hotel = industry("6110")
        campaign_id = campaigns.request_special_action(user("scjg_01"), industry_id=hotel.id, reason="旅游旺季").id
    [approval] = open_tasks(app, campaign_id, "special_approval")
    submit(user_client(app, "supervisor"), approval["id"], [("special_decision", "approve")])
    [task] = open_tasks(app, campaign_id, "initiation")
    with app.app_context():
        view = tasks.task_form(user("scjg_01"), task["id"])
        proposal = view.context.info["proposal"]
        partners = view.context.initial["partner_department_ids"]
        assert len(partners) == 4 and partners == [d.id for d in proposal.partners]
        counts = {d.id: len(ms) for d, ms in proposal.by_department}
        assert all(counts[p] >= counts[d.id] for p in partners for d in proposal.left_out)
        matter_departments = {m.department_id for m in db.session.scalars(select(Matter).where(
            Matter.id.in_(view.context.initial["matter_ids"])))}
        assert matter_departments <= {*partners, db.session.get(Campaign, campaign_id).lead_department_id}
        revision_id = view.context.initial["checklist_revision_id"]
    page = official.get(f"/inbox/tasks/{task['id']}").get_data(as_text=True)
    assert "智能发起" in page and "《旅馆业治安管理办法》第六条" in page
    chosen = partners[:2]
    with app.app_context():
        lead_id = db.session.get(Campaign, campaign_id).lead_department_id
        matters = [m.id for m in industry("6110").matters if m.department_id in {*chosen, lead_id}]
    submit(official, task["id"], [("partner_department_ids", str(p)) for p in chosen]
           + [("matter_ids", str(m)) for m in matters] + [("checklist_revision_id", str(revision_id))])
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        assert sorted(d.department_id for d in campaign.departments if d.role == "partner") == sorted(chosen)
        assert sorted(m.id for m in campaign.matters) == sorted(matters)
    assert len(open_tasks(app, campaign_id, "partner_confirmation")) == 2
