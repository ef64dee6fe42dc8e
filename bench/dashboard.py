"""Dashboard query with 10,000 live campaigns and 100,000 open tasks, on SQLite and PostgreSQL.

Rows are bulk-inserted (the services would take hours for this volume) in the shape the
runtime writes them: per campaign a campaign instance, three closed stages and a current
one with its sla.stage timer, 10 open tasks with their sla.task timers, 5 completed tasks;
10% of stages and 2% of tasks are past their deadline. Then `services.supervision.dashboard.query`,
the statement the page runs, is timed for five filter sets: median of 15 runs each.

    python -m bench.dashboard            # both databases; PostgreSQL (BENCH_POSTGRES=1) in a yiye_bench_*
                                         # database it creates and drops (tests/pgdb.py), never an existing one
"""
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

from app import create_app
from config import TestConfig
from extensions import db
from models import (Base, Campaign, CampaignDepartment, CampaignStage, ChecklistRevision, Department,
                    HumanTask, Industry, ProcessDefinition, Timer, User, WorkflowInstance)
from services.workflow import clock
from services.supervision import dashboard
from services.workflow import deployments
from services.workflow import escalations
from demo.county import load_demo
from tests import pgdb

CAMPAIGNS, TASKS_PER_CAMPAIGN, DONE_PER_CAMPAIGN = 10_000, 10, 5
STAGES = ("initiation", "draw", "joint_inspection", "publication", "diagnosis", "follow_up", "review")
TARGET_MS = 200


def _app(url: str):
    return create_app(type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))


def _fill(seed: int = 7, campaigns_wanted: int = CAMPAIGNS) -> None:
    rng = random.Random(seed)
    now = clock.now()
    departments = db.session.scalars(select(Department)).all()
    industries = db.session.scalars(select(Industry)).all()
    revisions = {r.industry_id: r.id for r in db.session.scalars(select(ChecklistRevision))}
    industries = [i for i in industries if i.id in revisions]
    creator = db.session.scalars(select(User.id)).first()
    definition = db.session.scalars(select(ProcessDefinition.id)).first()
    first_id = (db.session.scalar(select(Campaign.id).order_by(Campaign.id.desc()).limit(1)) or 0) + 1
    campaigns, parts, instances, stages, tasks, timers = [], [], [], [], [], []
    stage_id, task_id = 1, 1
    for n in range(campaigns_wanted):
        cid = first_id + n
        lead = rng.choice(departments)
        industry = rng.choice(industries)
        stage = rng.choice(STAGES)
        campaigns.append(dict(id=cid, code=f"BENCH-{cid:06d}", title=f"基准活动 {cid}", kind="plan",
                              industry_id=industry.id, region_id=lead.region_id, lead_department_id=lead.id,
                              checklist_revision_id=revisions[industry.id], ratios={}, stage=stage, status="active",
                              created_by_id=creator, created_at=now - timedelta(days=60)))
        for d in {lead.id, *(x.id for x in rng.sample(departments, 3))}:
            parts.append(dict(campaign_id=cid, department_id=d, role="lead" if d == lead.id else "partner",
                              status="confirmed"))
        instances.append(dict(id=cid, definition_id=definition, campaign_id=cid, state="{}", status="running",
                              lock_version=1, created_at=now, updated_at=now))
        entered = now - timedelta(days=rng.randint(0, 40))
        for k in range(3):
            stages.append(dict(id=stage_id, campaign_id=cid, stage=STAGES[k], entered_at=entered - timedelta(days=60 - k),
                               left_at=entered - timedelta(days=59 - k)))
            stage_id += 1
        stages.append(dict(id=stage_id, campaign_id=cid, stage=stage, entered_at=entered, left_at=None))
        sla_due = now - timedelta(days=1) if rng.random() < 0.1 else now + timedelta(days=rng.randint(1, 30))
        timers.append(dict(kind=escalations.STAGE_KIND, due_at=sla_due, status="pending", campaign_id=cid,
                           subject_type=escalations.STAGE_SUBJECT, subject_id=stage_id, payload={}, created_at=now))
        stage_id += 1
        for k in range(TASKS_PER_CAMPAIGN + DONE_PER_CAMPAIGN):
            open_ = k < TASKS_PER_CAMPAIGN
            due = now - timedelta(hours=3) if rng.random() < 0.02 else now + timedelta(days=rng.randint(1, 20))
            tasks.append(dict(id=task_id, instance_id=cid, spiff_task_id=f"t{task_id}", element_id="joint_inspection",
                              title="联合检查", form_key="joint_inspection", stage=stage, campaign_id=cid,
                              department_id=lead.id, role="official", status="open" if open_ else "completed",
                              created_at=entered, due_at=due))
            timers.append(dict(kind=escalations.TASK_KIND, due_at=due, status="pending" if open_ else "cancelled",
                               campaign_id=cid, task_id=task_id, subject_type="human_task", subject_id=task_id,
                               payload={}, created_at=now))
            task_id += 1
    for model, rows in ((Campaign, campaigns), (CampaignDepartment, parts), (WorkflowInstance, instances),
                        (CampaignStage, stages), (HumanTask, tasks), (Timer, timers)):
        for start in range(0, len(rows), 20_000):
            db.session.execute(insert(model.__table__), rows[start:start + 20_000])
    db.session.commit()


def _time_queries(rounds: int = 15) -> dict[str, float]:
    """Times what live_campaigns runs (its JIT setting included), without the page's Python formatting."""
    lead = db.session.scalar(select(Campaign.lead_department_id).where(Campaign.code.like("BENCH-%")).limit(1))
    region = db.session.scalar(select(Campaign.region_id).where(Campaign.code.like("BENCH-%")).limit(1))
    variants = {"all": dashboard.Filters(), "overdue only": dashboard.Filters(overdue_only=True),
                "stage": dashboard.Filters(stage="joint_inspection"),
                "department": dashboard.Filters(department_id=lead),
                "region+page 20": dashboard.Filters(region_id=region, page=20)}
    medians = {}
    for name, filters in variants.items():
        samples = []
        for _ in range(rounds):
            stmt = dashboard.query(filters, clock.now())
            start = time.perf_counter()
            if db.engine.dialect.name == "postgresql":
                db.session.execute(text("SET LOCAL jit = off"))
            rows = db.session.execute(stmt).all()
            samples.append((time.perf_counter() - start) * 1000)
            db.session.rollback()
            assert name == "region+page 20" or rows, name
        medians[name] = statistics.median(samples)
    open_tasks = db.session.scalar(text("SELECT count(*) FROM human_task WHERE status = 'open'"))
    live = db.session.scalar(text("SELECT count(*) FROM campaign WHERE status = 'active'"))
    assert live >= CAMPAIGNS and open_tasks >= CAMPAIGNS * TASKS_PER_CAMPAIGN
    return medians


def _measure(url: str, fresh_schema: bool) -> dict[str, float]:
    app = _app(url)
    with app.app_context():
        if fresh_schema:
            Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        deployments.deploy_bundled()
        load_demo(enterprises=50)
        _fill()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        medians = _time_queries()
        if fresh_schema:
            db.session.remove()
            Base.metadata.drop_all(db.engine)
        db.session.remove()
        db.engine.dispose()
    return medians


def rows() -> list[tuple[str, str, str]]:
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        results.append(("SQLite", _measure(f"sqlite:///{Path(tmp) / 'dashboard.db'}", fresh_schema=False)))
    url = pgdb.bench_database()
    try:
        results.append(("PostgreSQL", _measure(url, fresh_schema=False) if url else None))
    finally:
        if url:
            pgdb.drop(url)
    out = []
    for engine, medians in results:
        label = f"dashboard query, 10,000 live campaigns / 100,000 open tasks, {engine} (median ms, slowest filter)"
        if medians is None:
            out.append((label, "skipped (no database)", f"< {TARGET_MS}"))
            continue
        worst = max(medians, key=medians.get)
        detail = ", ".join(f"{k} {v:.0f}" for k, v in medians.items())
        out.append((label, f"{medians[worst]:.1f} ({detail})", f"< {TARGET_MS}"))
    return out


if __name__ == "__main__":
    for metric, value, target in rows():
        print(f"| {metric} | {value} | {target} |")
