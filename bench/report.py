"""Report generation for a 1,000-enterprise campaign: the diagnosis report, its workbook, the campaign's
figures and the grades by grade.dmn, on SQLite and (when reachable) PostgreSQL.

The campaign is written directly with bulk inserts (four departments, 16 checklist items, two officers
from each of up to four departments per enterprise, ~10 % with problems), then each step is timed (median of 5).
"""
import random
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from extensions import db
from models import (Campaign, CampaignDepartment, ChecklistItem, ChecklistRevision, Department, Enterprise,
                    HumanTask, Industry, Inspection, InspectionOfficer, ItemResult, Matter, ProcessDefinition, User,
                    WorkflowInstance)
from services.stages import diagnosis
from services.stages import diagnosis_report as reports
from services.stages import review_figures

ENTERPRISES = 1000
T0 = datetime(2026, 3, 2, 1, 0)


def build_campaign(n: int = ENTERPRISES, seed: int = 7) -> int:
    rng = random.Random(seed)
    departments = db.session.scalars(select(Department).order_by(Department.id).limit(4)).all()
    industry = Industry(code="BENCH-RPT", name="报表基准行业")
    db.session.add(industry)
    db.session.flush()
    matters = [Matter(code=f"BENCH-{d.code}-{k}", department_id=d.id, name=f"{d.name}事项{k}", legal_basis="—",
                      method="实地检查") for d in departments for k in (1, 2)]
    db.session.add_all(matters)
    db.session.flush()
    revision = ChecklistRevision(industry_id=industry.id, number=1, created_at=T0)
    revision.items = [ChecklistItem(matter_id=m.id, position=10 * i + j, text=f"{m.name} 检查项 {j}")
                      for i, m in enumerate(matters) for j in (1, 2)]
    db.session.add(revision)
    db.session.flush()
    officers = {d.id: db.session.scalars(select(User.id).where(User.department_id == d.id).limit(6)).all()
                for d in departments}
    creator = next(iter(officers.values()))[0]
    campaign = Campaign(code="BENCH-RPT-1", title="报表基准活动", kind="plan", industry_id=industry.id,
                        region_id=departments[0].region_id, lead_department_id=departments[0].id,
                        checklist_revision_id=revision.id, ratios={}, stage="review", created_by_id=creator,
                        created_at=T0, matters=matters)
    campaign.departments = [CampaignDepartment(department_id=d.id, role="lead" if i == 0 else "partner",
                                               status="confirmed") for i, d in enumerate(departments)]
    db.session.add(campaign)
    db.session.flush()
    enterprise_ids = db.session.scalars(select(Enterprise.id).order_by(Enterprise.id).limit(n)).all()
    if len(enterprise_ids) < n:
        raise SystemExit(f"demo has {len(enterprise_ids)} enterprises, need {n}")
    db.session.execute(insert(Inspection), [
        {"campaign_id": campaign.id, "enterprise_id": e, "status": "submitted", "inspected_on": date(2026, 3, 10),
         "result_code": "01", "publication_due": date(2026, 4, 8), "published_at": datetime(2026, 4, 1),
         "submitted_at": T0 + timedelta(days=8)} for e in enterprise_ids])
    inspection_ids = db.session.scalars(select(Inspection.id).where(Inspection.campaign_id == campaign.id)
                                        .order_by(Inspection.id)).all()
    items, results_rows, officer_rows, problem = revision.items, [], [], {}
    for inspection_id in inspection_ids:
        fails = {item.id for item in items if rng.random() < 0.007}
        problem[inspection_id] = bool(fails)
        results_rows += [{"inspection_id": inspection_id, "checklist_item_id": item.id,
                          "result": "fail" if item.id in fails else ("na" if rng.random() < 0.05 else "pass")}
                         for item in items]
        for d in departments[:rng.randint(2, 4)]:
            officer_rows += [{"inspection_id": inspection_id, "user_id": u, "department_id": d.id}
                             for u in rng.sample(officers[d.id], 2)]
    db.session.execute(insert(ItemResult), results_rows)
    db.session.execute(insert(InspectionOfficer), officer_rows)
    for inspection_id, has_problem in problem.items():
        if has_problem:
            db.session.get(Inspection, inspection_id).result_code = "02"
            db.session.get(Inspection, inspection_id).problem_domain = "04"
    definition = db.session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.id)).first()
    instance = WorkflowInstance(definition_id=definition.id, campaign_id=campaign.id, state="{}", created_at=T0,
                                updated_at=T0)
    db.session.add(instance)
    db.session.flush()
    db.session.execute(insert(HumanTask), [
        {"instance_id": instance.id, "spiff_task_id": f"b{i}", "element_id": "joint_inspection", "title": "联合检查",
         "form_key": "joint_inspection", "stage": "joint_inspection", "campaign_id": campaign.id,
         "inspection_id": i, "department_id": departments[0].id, "role": "official", "status": "completed",
         "created_at": T0, "due_at": T0 + timedelta(days=20), "completed_at": T0 + timedelta(days=rng.randint(1, 25))}
        for i in inspection_ids])
    db.session.commit()
    return campaign.id


def _median_ms(fn, rounds: int = 5) -> float:
    samples = []
    for _ in range(rounds):
        db.session.expire_all()
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def measure(app) -> dict[str, float]:
    with app.app_context():
        campaign_id = build_campaign()
        campaign = lambda: db.session.get(Campaign, campaign_id)  # noqa: E731
        return {
            "report": _median_ms(lambda: reports.build_report(campaign())),
            "xlsx": _median_ms(lambda: reports.report_xlsx(reports.build_report(campaign()))),
            "figures": _median_ms(lambda: review_figures.campaign_figures(campaign())),
            "grades": _median_ms(lambda: diagnosis.grade_campaign(campaign_id)),
        }


def _sqlite() -> dict[str, float]:
    from bench.db import build_template, close, make_app
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        path = build_template(Path(tmp) / "report.db", 2000)
        app = make_app(path)
        try:
            return measure(app)
        finally:
            close(app)


def _postgres() -> dict[str, float] | None:
    from tests import pgdb
    url = pgdb.bench_database()  # its own yiye_bench_* database, dropped below; never an existing one
    if not url:
        return None
    from bench.db import close
    from app import create_app
    from config import TestConfig
    from models import Base
    from services.workflow import deployments
    from demo.county import load_demo
    app = create_app(type("BenchPg", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    try:
        with app.app_context():
            Base.metadata.create_all(db.engine)
            deployments.deploy_bundled()
            load_demo(enterprises=2000)
        return measure(app)
    finally:
        with app.app_context():
            db.session.remove()
        close(app)
        pgdb.drop(url)


def rows() -> list[tuple[str, str, str]]:
    out = []
    for label, result in (("SQLite", _sqlite()), ("PostgreSQL", _postgres())):
        if result is None:
            out.append((f"diagnosis report, {ENTERPRISES} enterprises, {label}", "skipped (set BENCH_POSTGRES=1)", "< 1 s"))
            continue
        out += [(f"diagnosis report, {ENTERPRISES} enterprises, {label} (median ms)", f"{result['report']:.0f}", "< 1000"),
                (f"report + XLSX export, {label} (median ms)", f"{result['xlsx']:.0f}", "< 1000"),
                (f"campaign performance figures, {label} (median ms)", f"{result['figures']:.0f}", "< 1000"),
                (f"grades by grade.dmn for {ENTERPRISES} enterprises, {label} (median ms)", f"{result['grades']:.0f}", "< 1000")]
    return out


if __name__ == "__main__":
    import logging
    logging.disable(logging.WARNING)
    for metric, value, target in rows():
        print(f"| {metric} | {value} | {target} |")
