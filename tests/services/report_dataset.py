"""A fixed small dataset, built directly with models, whose report figures are computed by hand.

Two campaigns of one industry (the previous and the current one), two departments, three checklist
items. The expected figures are in EXPECTED, worked out in the comments beside each row.
"""
from datetime import date, datetime, timedelta

from sqlalchemy import select

from extensions import db
from models import (Campaign, CampaignDepartment, CampaignStage, ChecklistItem, ChecklistRevision, Department,
                    Enterprise, HumanTask, Industry, Inspection, InspectionOfficer, ItemResult, Matter, User,
                    WorkflowInstance, ProcessDefinition)

T0 = datetime(2026, 3, 2, 1, 0)  # naive UTC, as stored


def _user(dept_code: str, n: int = 1) -> User:
    return db.session.scalars(select(User).where(User.username == f"{dept_code}_0{n}")).one()


def _dept(code: str) -> Department:
    return db.session.scalars(select(Department).where(Department.code == code)).one()


def build() -> dict:
    scjg, wjw = _dept("scjg"), _dept("wjw")
    industry = Industry(code="T-RPT", name="测试行业（报表）")
    m1 = Matter(code="T-RPT-1", department=scjg, name="食品经营许可检查", legal_basis="食品安全法", method="实地检查")
    m2 = Matter(code="T-RPT-2", department=wjw, name="公共场所卫生检查", legal_basis="公共场所卫生管理条例", method="实地检查")
    industry.matters = [m1, m2]
    revision = ChecklistRevision(number=1, created_at=T0)
    db.session.add_all([industry, m1, m2])
    db.session.flush()
    revision.industry_id = industry.id
    i1 = ChecklistItem(matter_id=m1.id, position=1, text="是否公示有效许可证")
    i2 = ChecklistItem(matter_id=m1.id, position=2, text="是否超范围经营")
    i3 = ChecklistItem(matter_id=m2.id, position=3, text="是否持有卫生许可证")
    revision.items = [i1, i2, i3]
    db.session.add(revision)
    db.session.flush()
    enterprises = db.session.scalars(select(Enterprise).order_by(Enterprise.id).limit(6)).all()
    creator = _user("scjg")

    def campaign(code: str, created: datetime) -> Campaign:
        c = Campaign(code=code, title=f"测试活动 {code}", kind="plan", industry_id=industry.id, region_id=scjg.region_id,
                     lead_department_id=scjg.id, checklist_revision_id=revision.id, ratios={}, stage="review",
                     created_by_id=creator.id, created_at=created, matters=[m1, m2])
        c.departments = [CampaignDepartment(department_id=scjg.id, role="lead", status="confirmed"),
                         CampaignDepartment(department_id=wjw.id, role="partner", status="confirmed")]
        db.session.add(c)
        db.session.flush()
        return c

    def inspection(c, enterprise, status, code, items: dict, depts, published_days=None, due_offset=0):
        insp = Inspection(campaign_id=c.id, enterprise_id=enterprise.id, status=status, result_code=code,
                          inspected_on=date(2026, 3, 10), publication_due=date(2026, 4, 8))
        if status == "submitted":
            insp.submitted_at = T0 + timedelta(days=8)
            if published_days is not None:
                insp.published_at = datetime(2026, 4, 8, 2, 0) + timedelta(days=published_days)
        insp.item_results = [ItemResult(checklist_item_id=item.id, result=r) for item, r in items.items()]
        insp.officers = [InspectionOfficer(user_id=_user(d, n).id, department_id=_dept(d).id) for d, n in depts]
        db.session.add(insp)
        return insp

    previous = campaign("T-PREV", datetime(2025, 4, 1))
    # previous: 2 inspected, 1 problem -> 50.0 %
    inspection(previous, enterprises[4], "submitted", "02", {i1: "fail", i2: "pass", i3: "pass"}, [("scjg", 1)], 0)
    inspection(previous, enterprises[5], "submitted", "01", {i1: "pass", i2: "pass", i3: "pass"}, [("scjg", 1)], 0)

    current = campaign("T-CUR", datetime(2026, 3, 1))
    both = [("scjg", 1), ("wjw", 1)]
    e1 = inspection(current, enterprises[0], "submitted", "02", {i1: "fail", i2: "pass", i3: "fail"}, both, 0)
    inspection(current, enterprises[1], "submitted", "01", {i1: "pass", i2: "pass", i3: "pass"}, both, 0)
    e3 = inspection(current, enterprises[2], "submitted", "03", {i1: "fail", i2: "pass", i3: "na"},
                    [("scjg", 1), ("scjg", 2)], 3)   # published 3 days late
    inspection(current, enterprises[3], "assigned", None, {}, [("scjg", 2), ("wjw", 2)])
    current.stages = [CampaignStage(stage="joint_inspection", entered_at=T0, left_at=T0 + timedelta(hours=10)),
                      CampaignStage(stage="publication", entered_at=T0 + timedelta(hours=10), left_at=T0 + timedelta(hours=40)),
                      CampaignStage(stage="diagnosis", entered_at=T0 + timedelta(hours=40), left_at=T0 + timedelta(hours=44))]
    db.session.flush()
    _tasks(current, scjg, wjw)
    db.session.commit()
    return {"campaign_id": current.id, "previous_id": previous.id, "items": (i1.id, i2.id, i3.id),
            "e1": e1.id, "e3": e3.id, "scjg": scjg.id, "wjw": wjw.id}


def _tasks(c: Campaign, scjg: Department, wjw: Department) -> None:
    """Four completed tasks: scjg 2 on time + 1 late, wjw 1 on time (durations 2 h, 4 h, 30 h, 6 h)."""
    definition = db.session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.id)).first()
    instance = WorkflowInstance(definition_id=definition.id, campaign_id=c.id, state="{}", status="running",
                                created_at=T0, updated_at=T0)
    db.session.add(instance)
    db.session.flush()
    spec = [(scjg, 2, 10), (scjg, 4, 10), (scjg, 30, 24), (wjw, 6, 10)]
    for n, (dept, hours, due_hours) in enumerate(spec):
        db.session.add(HumanTask(instance_id=instance.id, spiff_task_id=f"t-{c.id}-{n}", element_id="joint_inspection",
                                 title="联合检查", form_key="joint_inspection", stage="joint_inspection",
                                 campaign_id=c.id, department_id=dept.id, role="official", status="completed",
                                 created_at=T0, due_at=T0 + timedelta(hours=due_hours),
                                 completed_at=T0 + timedelta(hours=hours)))


EXPECTED = {
    "drawn": 4, "inspected": 3, "problems": 2, "problem_rate": 66.7,             # 02 and 03 of 3 inspected
    "by_category": [("01", 1), ("02", 1), ("03", 1)],
    "by_matter": [(3, 2, 66.7), (2, 1, 50.0)],     # m1: E1,E2,E3 checked, E1,E3 failed; m2: E3 'na'
    "top": [("是否公示有效许可证", 2), ("是否持有卫生许可证", 1)],
    "previous_rate": 50.0, "change": 16.7,
    # visits: E1 2 depts + E2 2 depts + E3 1 dept = 5 separate; 3 joint visits; saved 2/5
    "visits_separate": 5, "visits_joint": 3, "visits_saved_pct": 40.0,
}
