"""The draw's candidate lists follow the directory: between two draws enterprises are imported, edited,
deregistered and reclassified, and the next candidate query sees exactly the directory as it is then, in
code-point order, on SQLite and on PostgreSQL (where the lists are joined differently)."""
from dataclasses import replace

import pytest
from sqlalchemy import select

from domain.uscc import make_code
from extensions import db
from models import Case, Enterprise, Industry, Region, User
from services.draw import inputs as draw_inputs
from services.imports import batch as imports
from services.org import scope as org_scope
from services.workflow import clock
from tests.services.draw_support import campaign_ready, in_scope

HEADER = "统一社会信用代码,名称,行业代码,区域代码,地址,登记状态,信用风险分类"


@pytest.fixture(params=["sqlite", "postgresql"])
def any_app(request):
    return request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")


def _import(tmp_path, kind: str, text: str) -> None:
    path = tmp_path / f"{kind}.csv"
    path.write_text(text, encoding="utf-8")
    admin = db.session.scalars(select(User).where(User.username == "admin")).one()
    report = imports.run_import(admin, kind, path)
    assert report.applied and not report.error_count, report
    db.session.expire_all()


def _directory_view(scope: draw_inputs.Scope, excluded: set[str]) -> dict[str, list[str]]:
    """What the candidates must be, read from the directory row by row, sorted by code point."""
    regions = {i for r in scope.region_ids for i in org_scope.subtree_ids(r)}
    rows = db.session.scalars(select(Enterprise).where(Enterprise.industry_id.in_(scope.industry_ids),
                                                       Enterprise.region_id.in_(regions)))
    lists: dict[str, list[str]] = {}
    whole = scope.settings["mode"] == "random"
    for enterprise in rows:
        if (enterprise.status == "存续" or not scope.settings["exclude_inactive"]) and enterprise.uscc not in excluded:
            lists.setdefault("*" if whole else enterprise.credit_class, []).append(enterprise.uscc)
    return {c: sorted(v, key=lambda u: u.encode()) for c, v in lists.items()}


def _listed(candidates: dict[str, list[str]]) -> dict[str, list[str]]:
    return {c: v for c, v in candidates.items() if v}


def test_candidates_follow_imports_edits_deregistrations_and_new_classes(any_app, tmp_path):
    with any_app.app_context():
        campaign = campaign_ready()
        scope = draw_inputs.scope_of(campaign)
        before, excluded = draw_inputs.candidates_for(scope)
        assert _listed(before) == _directory_view(scope, set()) and excluded["open_case"] == 0
        inactive_before = sum(excluded["inactive"].values())

        active = in_scope(campaign, status="存续", legacy_code=False)
        gone, moved, renamed, cased = active[0], active[1], active[2], active[3]
        old_class = moved.credit_class
        new_class = next(c for c in "ABCD" if c != old_class)
        industry = db.session.get(Industry, campaign.industry_id).code
        region = db.session.get(Region, campaign.region_id).code
        new, new_closed = (make_code("9", "1", region, f"MA00000{n}{n}") for n in (7, 8))
        _import(tmp_path, "enterprises", "\n".join([
            HEADER, f"{new},蕲春县新开旅游饭店有限公司,{industry},{region},,存续,A",
            f"{new_closed},蕲春县已关旅游饭店有限公司,{industry},{region},,吊销,B",
            f"{gone.uscc},{gone.name},{industry},{region},,注销,{gone.credit_class}",
            f"{renamed.uscc},{renamed.name}（更名）,{industry},{region},漕河镇新街9号,存续,{renamed.credit_class}"]) + "\n")
        _import(tmp_path, "credit", f"统一社会信用代码,信用风险分类\n{moved.uscc},{new_class}\n")
        db.session.add(Case(case_no="T-CAND", enterprise_id=cased.id, department_id=campaign.lead_department_id,
                            matter_id=campaign.matters[0].id, status="open", opened_at=clock.now()))
        db.session.commit()

        after, excluded = draw_inputs.candidates_for(scope)
        assert _listed(after) == _directory_view(scope, {cased.uscc})
        assert new in after["A"] and new_closed not in {u for v in after.values() for u in v}
        assert gone.uscc in before[gone.credit_class] and gone.uscc not in after[gone.credit_class]
        assert moved.uscc in after[new_class] and moved.uscc not in after[old_class]
        assert renamed.uscc in after[renamed.credit_class]
        assert sum(excluded["inactive"].values()) == inactive_before + 2 and excluded["open_case"] == 1


def test_a_wider_scope_keeping_every_status_is_one_sorted_list(any_app):
    """Two industries over a province's subtree, closed enterprises kept, one list (random mode): the
    database cannot read that in index order, and the lists still come out whole and sorted."""
    with any_app.app_context():
        campaign = campaign_ready()
        scope = draw_inputs.scope_of(campaign)
        province = db.session.get(Region, campaign.region_id).parent.parent
        industries = list(db.session.scalars(select(Industry.id).where(Industry.code.in_(["6110", "6210"]))))
        wide = replace(scope, industry_ids=industries, region_ids=[province.id],
                       settings={**scope.settings, "exclude_inactive": False, "mode": "random"})
        candidates, excluded = draw_inputs.candidates_for(wide)
        assert candidates == _directory_view(wide, set()) and excluded["inactive"] == {}
        closed = db.session.scalars(select(Enterprise.uscc).where(Enterprise.industry_id.in_(industries),
                                                                  Enterprise.status != "存续")).first()
        assert closed in candidates["*"]
