"""Service-level benchmarks on fresh SQLite files: task completion vs campaign size, and simulate."""
import random
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
from models import Campaign, HumanTask
from services import deployments, draw, plans, tasks
from services import simulate as sim
from services.demo import load_demo

from bench.memory import timed


def make_app(path: Path):
    return create_app(type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}))


def close(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def copy_db(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    return target


def build_template(path: Path, enterprises: int) -> Path:
    """Migrate, deploy the bundled models and load the demo county into a new SQLite file."""
    app = make_app(path)
    with app.app_context():
        upgrade()
        deployments.deploy_bundled()
        load_demo(enterprises=enterprises)
    close(app)
    return path


def open_campaign(n: int) -> int:
    """Plan, approve, initiate and report in as services/simulate.py does; the draw opens n cases."""
    supervisor = sim._user_with_role("supervisor")
    industry, lead = sim._busiest_scope()
    partners, matters = [p.id for p in sim._partners(industry, lead)], [m.id for m in industry.matters]
    counts = draw.candidate_counts(industry.id, lead.region_id)
    if sum(counts.values()) < n:
        raise SystemExit(f"demo too small: {sum(counts.values())} candidates for N={n}")
    entry = plans.create_entry(supervisor, {
        "year": date.today().year, "industry_id": industry.id, "lead_department_id": lead.id,
        "partner_department_ids": partners, "matter_ids": matters, "ratios": sim.ratios_for(counts, n),
        "method": "实地检查", "timing": "bench", "result_handling": None,
        "draw_settings": {"zero_reasons": {c: "bench" for c in "ABCD"}}})
    plans.approve_entry(supervisor, entry.id)
    campaign = db.session.scalars(select(Campaign).where(Campaign.plan_entry_id == entry.id)).one()
    initiation = {"partner_department_ids": partners, "matter_ids": matters}
    sim._complete_stage(campaign, "initiation", initiation, lambda _: None, "")
    sim._complete_stage(campaign, "partner_confirmation", {"decision": "confirm"}, lambda _: None, "")
    return campaign.id


class CampaignFixture:
    """A campaign of n drawn enterprises, snapshotted just before the joint inspection."""

    def __init__(self, template: Path, workdir: Path, n: int):
        self.n, self.path = n, copy_db(template, workdir / f"n{n}.db")
        self.app = make_app(self.path)
        with self.app.app_context():
            self.campaign_id = open_campaign(n)
        close(self.app)
        self.snapshot = copy_db(self.path, workdir / f"n{n}.snapshot.db")

    def round(self, timed_count: int, seed: int) -> list[float]:
        """Restore the snapshot, complete one task untimed (warm-up), then time `timed_count` more.
        The last inspection is never completed: it would also advance the campaign instance."""
        close(self.app)
        copy_db(self.snapshot, self.path)
        rng = random.Random(seed)
        with self.app.app_context():
            open_tasks = sim._open_tasks(db.session.get(Campaign, self.campaign_id), "joint_inspection")
            if len(open_tasks) <= timed_count + 1:
                raise SystemExit(f"N={self.n}: too few tasks for {timed_count} timed completions")
            return [self._complete(task.id, rng) for task in open_tasks[: timed_count + 1]][1:]

    @staticmethod
    def _complete(task_id: int, rng: random.Random) -> float:
        actor = sim._actor_for(db.session.get(HumanTask, task_id))
        payload = sim._inspection(tasks.task_form(actor, task_id), rng)  # built outside the timer
        return timed(lambda: tasks.complete(actor, task_id, payload))


def completion_ms(template: Path, workdir: Path, sizes: tuple[int, ...], rounds: int = 6,
                  per_round: int = 8) -> dict[int, float]:
    """Median ms per completion for each size; rounds interleave (and rotate) sizes so noise hits all alike."""
    fixtures = [CampaignFixture(template, workdir, n) for n in sizes]
    samples: dict[int, list[float]] = {n: [] for n in sizes}
    for r in range(rounds):
        for fixture in fixtures[r % len(fixtures):] + fixtures[:r % len(fixtures)]:
            samples[fixture.n] += fixture.round(per_round, seed=r)
    for fixture in fixtures:
        close(fixture.app)
    return {n: statistics.median(s) * 1000 for n, s in samples.items()}


def simulate_seconds(template: Path, workdir: Path, n: int) -> float:
    app = make_app(copy_db(template, workdir / f"sim{n}.db"))
    with app.app_context():
        start = time.perf_counter()
        status = sim.simulate(n, say=lambda _: None).status
        seconds = time.perf_counter() - start
    close(app)
    if status != "completed":
        raise SystemExit(f"simulate({n}) ended with campaign status {status}")
    return seconds
