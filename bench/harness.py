"""Fresh SQLite apps, campaigns opened up to the joint inspection, and timing helpers."""
import shutil
import statistics
import time
from datetime import date
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from config import TestConfig
from extensions import db
from models import Campaign
from services import deployments, draw, plans
from services import simulate as sim
from services.demo import load_demo


def timed(action) -> float:
    """Seconds one call of `action` takes."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def median_of(action, repeats: int) -> float:
    return statistics.median(timed(action) for _ in range(repeats))


def make_app(path: Path):
    config = type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    return create_app(config)


def close(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def build_template(path: Path, enterprises: int) -> None:
    """Migrate, deploy the bundled models and load the demo county into a new SQLite file."""
    app = make_app(path)
    with app.app_context():
        upgrade()
        deployments.deploy_bundled()
        load_demo(enterprises=enterprises)
    close(app)


def copy_db(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    return target


def open_campaign(n: int) -> int:
    """Plan, approve, initiate and report in as services/simulate.py does; the draw opens n cases."""
    supervisor = sim._user_with_role("supervisor")
    industry, lead = sim._busiest_scope()
    partners = sim._partners(industry, lead)
    counts = draw.candidate_counts(industry.id, lead.region_id)
    if sum(counts.values()) < n:
        raise SystemExit(f"demo too small: {sum(counts.values())} candidates for N={n}")
    entry = plans.create_entry(supervisor, {
        "year": date.today().year, "industry_id": industry.id, "lead_department_id": lead.id,
        "partner_department_ids": [p.id for p in partners], "matter_ids": [m.id for m in industry.matters],
        "ratios": sim.ratios_for(counts, n), "method": "实地检查", "timing": "bench", "result_handling": None,
    })
    plans.approve_entry(supervisor, entry.id)
    campaign = db.session.scalars(select(Campaign).where(Campaign.plan_entry_id == entry.id)).one()
    quiet = lambda _line: None  # noqa: E731
    sim._complete_stage(campaign, "initiation", {"partner_department_ids": [p.id for p in partners],
                                                 "matter_ids": [m.id for m in industry.matters]}, quiet, "")
    sim._complete_stage(campaign, "partner_confirmation", {"decision": "confirm"}, quiet, "")
    return campaign.id
