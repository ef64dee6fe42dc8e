"""Key-object lists: members with reasons and dates, history kept, XLSX import all-or-nothing, 定向 draws."""
import openpyxl
import pytest
from sqlalchemy import select

from extensions import db
from models import Department, Draw, Enterprise, KeyListEntry
from services.draw import audit_view
from services.errors import Conflict, Forbidden, ValidationFailed
from services.key_lists import campaigns as key_campaigns
from services.key_lists import imports, lists
from tests import factories
from tests.e2e.journey import user_client
from tests.factories import user


def _enterprises(s: dict, n: int) -> list[Enterprise]:
    lead_region = db.session.get(Department, s["lead_id"]).region_id
    return list(db.session.scalars(select(Enterprise).where(
        Enterprise.industry_id == s["industry_id"], Enterprise.region_id == lead_region,
        Enterprise.status == "存续").order_by(Enterprise.id).limit(n)))


def _workbook(tmp_path, rows: list[list[str]]):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "列入理由", "列入日期"])
    for row in rows:
        sheet.append(row)
    path = tmp_path / "members.xlsx"
    book.save(path)
    return path


def test_a_campaign_draws_only_the_current_members_of_its_list(app):
    s = factories.scope(app, 4)
    s["ratios"] = {c: 100 for c in "ABCD"}  # everybody in scope would be drawn: the list alone limits it
    campaign_id = factories.plan_and_approve(app, s)
    factories.initiate(app, s, campaign_id)
    with app.app_context():
        official = user("scjg_01")
        key_list = lists.create(official, "酒类批发重点对象", "近三年有投诉记录")
        chosen = _enterprises(s, 4)
        for e in chosen:
            lists.add_member(official, key_list.id, e.uscc, "投诉较多")
        leaver = lists.view(official, key_list.id).members[-1]
        lists.remove_member(official, key_list.id, leaver.id, "已停业整顿完毕")
        key_campaigns.attach(official, key_list.id, campaign_id)
        list_id, members = key_list.id, {e.id for e in chosen} - {leaver.enterprise_id}
        candidates = db.session.scalar(select(db.func.count()).select_from(Enterprise).where(
            Enterprise.industry_id == s["industry_id"]))
    assert candidates > len(members)
    factories.report_in(app, s, campaign_id)
    with app.app_context():
        draw = db.session.scalars(select(Draw).where(Draw.campaign_id == campaign_id)).one()
        assert draw.status == "drawn", draw.failure
        assert {d.enterprise_id for d in draw.enterprises} == members
        assert draw.params["scope"]["key_list_ids"] == [list_id]
        assert draw.candidate_count == len(members)
        # The auditor's check finds every drawn enterprise on the list on the day of the commitment.
        faithful = audit_view.faithfulness(draw)
        assert faithful.listed == len(members) and faithful.outside_scope == []
        # History kept: the removed enterprise's entry stays, with its reason and date.
        history = lists.view(user("supervisor"), list_id).history
        assert len(history) == 4 and [h.removed_reason for h in history if h.removed_on] == ["已停业整顿完毕"]
        with pytest.raises(Conflict, match="已完成抽取"):
            key_campaigns.attach(user("scjg_01"), list_id, campaign_id)


def test_an_enterprise_removed_and_added_again_has_two_entries(app):
    s = factories.scope(app, 4)
    with app.app_context():
        official = user("scjg_01")
        key_list = lists.create(official, "星级酒店", "")
        [enterprise] = _enterprises(s, 1)
        entry = lists.add_member(official, key_list.id, enterprise.uscc, "星级评定")
        with pytest.raises(Conflict):
            lists.add_member(official, key_list.id, enterprise.uscc, "重复")
        lists.remove_member(official, key_list.id, entry.id, "摘星")
        lists.add_member(official, key_list.id, enterprise.uscc, "重新评定")
        rows = db.session.scalars(select(KeyListEntry).where(KeyListEntry.key_list_id == key_list.id)
                                  .order_by(KeyListEntry.id)).all()
        assert [(r.added_reason, r.removed_reason) for r in rows] == [("星级评定", "摘星"), ("重新评定", None)]


def test_only_the_owning_departments_officials_maintain_a_list(app):
    s = factories.scope(app, 4)
    partner_user = s["partner_users"][s["partners"][0]]
    with app.app_context():
        key_list = lists.create(user("scjg_01"), "商超", "")
        [enterprise] = _enterprises(s, 1)
        with pytest.raises(Forbidden):
            lists.add_member(user(partner_user), key_list.id, enterprise.uscc, "越权")
        with pytest.raises(Forbidden):
            lists.add_member(user("supervisor"), key_list.id, enterprise.uscc, "越权")
        assert lists.view(user("supervisor"), key_list.id).may_manage is False


def test_an_xlsx_with_a_bad_code_stores_nothing_and_says_why_in_chinese(app, tmp_path):
    s = factories.scope(app, 4)
    with app.app_context():
        official = user("scjg_01")
        key_list = lists.create(official, "加油加气站", "")
        good = _enterprises(s, 2)
        bad = good[1].uscc[:17] + ("0" if good[1].uscc[17] != "0" else "1")
        path = _workbook(tmp_path, [[good[0].uscc, "安全生产重点", "2026-01-05"], [bad, "", ""]])
        report = imports.import_members(official, key_list.id, path, "members.xlsx")
        assert not report.applied and report.error_count == 1
        [error] = report.errors
        assert (error.row, error.column) == (3, "统一社会信用代码") and "校验" in error.reason, error.reason
        assert db.session.scalar(select(db.func.count()).select_from(KeyListEntry)) == 0


def test_an_xlsx_of_good_codes_adds_them_once(app, tmp_path):
    s = factories.scope(app, 4)
    with app.app_context():
        official = user("scjg_01")
        key_list = lists.create(official, "医疗机构", "")
        good = _enterprises(s, 2)
        path = _workbook(tmp_path, [[good[0].uscc, "安全生产重点", "2026-01-05"], [good[1].uscc, "", ""]])
        report = imports.import_members(official, key_list.id, path, "members.xlsx")
        assert report.applied and report.inserted == 2, report.errors
        again = imports.import_members(official, key_list.id, path, "members.xlsx")
        assert (again.inserted, again.unchanged) == (0, 2)
        members = lists.view(official, key_list.id).members
        assert sorted(m.added_reason for m in members) == ["安全生产重点", imports.DEFAULT_REASON]


def test_a_raised_ratio_draws_every_member_and_the_others_by_their_class(app):
    s = factories.scope(app, 4)
    campaign_id = factories.plan_and_approve(app, s)
    factories.initiate(app, s, campaign_id)
    with app.app_context():
        official = user("scjg_01")
        key_list = lists.create(official, "加油加气站", "")
        members = _enterprises(s, 3)
        for e in members:
            lists.add_member(official, key_list.id, e.uscc, "安全生产重点")
        with pytest.raises(ValidationFailed) as refused:
            key_campaigns.attach(official, key_list.id, campaign_id, "120")
        assert refused.value.errors == {"ratio": ["提高后的抽查比例应大于 0%，不超过 100%"]}
        key_campaigns.attach(official, key_list.id, campaign_id, "100")
        member_ids, list_id = {e.id for e in members}, key_list.id
    factories.report_in(app, s, campaign_id)
    with app.app_context():
        draw = db.session.scalars(select(Draw).where(Draw.campaign_id == campaign_id)).one()
        assert draw.status == "drawn", draw.failure
        raised = {d.enterprise_id for d in draw.enterprises if d.credit_class == key_campaigns.RAISED_STRATUM}
        others = {d.enterprise_id for d in draw.enterprises} - raised
        assert raised == member_ids and others and not others & member_ids
        assert draw.params["ratios"][key_campaigns.RAISED_STRATUM] == "100"
        assert draw.params["scope"]["raised_key_lists"] == {str(list_id): "100"}
        assert "key_list_ids" not in draw.params["scope"]  # not 定向: the rest of the scope is drawn too
        assert audit_view.faithfulness(draw).class_changed == []
        draw_id = draw.id
    # the full record names the stratum in words, never the bare code
    full = user_client(app, "supervisor").get(f"/draws/{draw_id}/full").get_data(as_text=True)
    assert "<td>重点监管对象</td>" in full and "<td>K</td>" not in full and "类</td>" in full
