"""Service-level benchmarks on fresh SQLite files: task completion vs campaign size, and simulate."""
import random
import shutil
import statistics
import time
from datetime import date
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, insert, select

from app import create_app
from config import TestConfig
from extensions import db
from domain.uscc import ALPHABET, make_code
from models import Campaign, Enterprise, HumanTask, Inspection, Region
from services.workflow import deployments
from services.draw import stage as draw
from services.stages import plans
from services.workflow import tasks
from demo import simulate as sim
from demo.county import load_demo

from bench.memory import timed


def make_app(path: Path):
    return create_app(type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}))


def close(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def copy_db(source: Path, target: Path) -> Path:
    """A file copy of a closed SQLite database (WAL mode: closing the last connection folds the log into the
    file); a log left beside the target from before would be replayed onto the copy, so it goes."""
    if Path(f"{source}-wal").exists():
        raise RuntimeError(f"{source} is still open (its -wal log exists): close the app first")
    for sidecar in (Path(f"{target}-wal"), Path(f"{target}-shm")):
        sidecar.unlink(missing_ok=True)
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


def build_scope_template(template: Path, path: Path, candidates: int) -> Path:
    """A copy of the demo template whose busiest scope (the one simulate and open_campaign draw from) holds
    exactly `candidates` active enterprises: the demo spreads its enterprises over 6 industries and 2 regions,
    so 10,000 in one scope would take ~77,000 demo enterprises; a bulk insert into that scope is enough."""
    app = make_app(copy_db(template, path))
    with app.app_context():
        industry, lead = sim._busiest_scope()
        missing = candidates - sum(draw.candidate_counts(industry.id, lead.region_id).values())
        region_code = db.session.get(Region, lead.region_id).code
        used, rng, rows = set(db.session.scalars(select(Enterprise.uscc))), random.Random(7), []
        while len(rows) < missing:
            code = make_code("9", "1", region_code, "".join(rng.choices(ALPHABET, k=9)))
            if code not in used:
                used.add(code)
                rows.append({"uscc": code, "legacy_code": False, "name": f"基准测试企业{len(rows) + 1:05d}有限公司",
                             "industry_id": industry.id, "region_id": lead.region_id, "address": "基准测试地址",
                             "status": "存续", "credit_class": rng.choices("ABCD", (40, 35, 18, 7))[0]})
        if rows:
            db.session.execute(insert(Enterprise), rows)
            db.session.commit()
    close(app)
    return path


def open_campaign(n: int) -> int:
    """Plan, approve, initiate and report in as services/simulate.py does; the draw opens n cases."""
    supervisor = sim._user_with_role("supervisor")
    industry, lead = sim._busiest_scope()
    partners, matters = [p.id for p in sim._partners(industry, lead)], [m.id for m in industry.matters]
    counts = draw.candidate_counts(industry.id, lead.region_id)
    # Enterprises still under inspection in another campaign of this scope are not drawn again (issue 19).
    for credit_class, busy in db.session.execute(
            select(Enterprise.credit_class, func.count(func.distinct(Enterprise.id)))
            .join(Inspection, Inspection.enterprise_id == Enterprise.id).join(Campaign, Campaign.id == Inspection.campaign_id)
            .where(Enterprise.industry_id == industry.id, Enterprise.region_id == lead.region_id,
                   Enterprise.status == "存续", Inspection.status != "submitted", Campaign.status == "active")
            .group_by(Enterprise.credit_class)).all():
        counts[credit_class] -= busy
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
    opened = db.session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.campaign_id == campaign.id, HumanTask.form_key == "joint_inspection"))
    if opened != n:  # exclusions (recent inspections, open cases) must not shrink the campaign
        raise SystemExit(f"N={n}: the draw opened {opened} joint inspections")
    return campaign.id


class CampaignFixture:
    """A campaign of n drawn enterprises, snapshotted just before the joint inspection."""

    def __init__(self, template: Path, workdir: Path, n: int):
        self.n, self.path = n, copy_db(template, workdir / f"n{n}.db")
        self.app = make_app(self.path)
        start = time.perf_counter()
        with self.app.app_context():
            self.campaign_id = open_campaign(n)
        self.open_seconds = time.perf_counter() - start
        close(self.app)
        self.snapshot = copy_db(self.path, workdir / f"n{n}.snapshot.db")

    def round(self, timed_count: int, seed: int) -> list[float]:
        """Restore the snapshot, complete one task untimed (warm-up), then time `timed_count` more.
        The last inspection is never completed: it would also advance the campaign instance."""
        close(self.app)
        copy_db(self.snapshot, self.path)
        rng = random.Random(seed)
        with self.app.app_context():
            task_ids = self.open_task_ids(timed_count + 1)
            return [self._complete(task_id, rng) for task_id in task_ids][1:]

    def open_task_ids(self, count: int) -> list[int]:
        """Ids only: `count` ORM objects (let alone all N) held here would stay in the session's identity map,
        and every commit inside the timer would expire them all, a cost of the bench, not of the service."""
        ids = list(db.session.scalars(select(HumanTask.id).where(
            HumanTask.campaign_id == self.campaign_id, HumanTask.form_key == "joint_inspection",
            HumanTask.status == "open").order_by(HumanTask.id).limit(count + 1)))
        if len(ids) <= count:
            raise SystemExit(f"N={self.n}: too few open tasks for {count} completions")
        return ids[:count]

    def signatures_round(self, timed_count: int, seed: int, engine=None) -> dict[str, list[float]]:
        """Like `round`, timing both signatures of each inspection: the first (records the values) and the
        countersign (finalises the inspection, counts down the campaign's pending inspections under its lock).
        The warm-up inspection is signed twice untimed. With `engine` (memory.engine_cycles: the bare engine's
        cycle at each signature), each timed completion is paired with a timed engine cycle of its signature,
        run right before it or right after it (alternately), so both see the same host state.
        Samples by kind: "first", "countersign" and, with `engine`, "engine first", "engine countersign"."""
        close(self.app)
        copy_db(self.snapshot, self.path)
        rng, samples = random.Random(seed), {}
        with self.app.app_context():
            for i, task_id in enumerate(self.open_task_ids(timed_count + 1)):
                for k, (label, target) in enumerate((("first", lambda: task_id),
                                                     ("countersign", lambda: self.countersign_of(task_id)))):
                    cycle = engine[k] if engine is not None and i > 0 else None
                    service, bare = self._paired(target(), rng, cycle, engine_first=(i + k) % 2 == 0)
                    if i > 0:
                        samples.setdefault(label, []).append(service)
                        if cycle is not None:
                            samples.setdefault(f"engine {label}", []).append(bare)
        return samples

    @staticmethod
    def _paired(task_id: int, rng: random.Random, cycle, engine_first: bool) -> tuple[float, float | None]:
        """A timed service completion and, given `cycle`, a timed engine cycle before or after it."""
        actor, payload = CampaignFixture._payload(task_id, rng)  # built outside the timers
        bare = timed(cycle) if cycle is not None and engine_first else None
        service = timed(lambda: tasks.complete(actor, task_id, payload))
        if cycle is not None and not engine_first:
            bare = timed(cycle)
        return service, bare

    @staticmethod
    def countersign_of(task_id: int) -> int:
        inspection_id = db.session.scalar(select(HumanTask.inspection_id).where(HumanTask.id == task_id))
        return db.session.scalars(select(HumanTask.id).where(
            HumanTask.inspection_id == inspection_id, HumanTask.element_id == "joint_inspection_countersign",
            HumanTask.status == "open")).one()

    def statements(self) -> tuple[int, int]:
        """SQL statements of one first signature and one countersign (after a warm-up inspection)."""
        from bench.statements import counting
        close(self.app)
        copy_db(self.snapshot, self.path)
        rng = random.Random(0)
        with self.app.app_context():
            warm_up, task_id = self.open_task_ids(2)
            self._complete(warm_up, rng)
            counts = []
            for target in (lambda: task_id, lambda: self.countersign_of(task_id)):
                target_id = target()
                actor, payload = self._payload(target_id, rng)
                with counting(db.engine) as seen:
                    tasks.complete(actor, target_id, payload)
                counts.append(len(seen))
        return counts[0], counts[1]

    @staticmethod
    def _payload(task_id: int, rng: random.Random):
        actor = sim._actor_for(db.session.get(HumanTask, task_id))
        return actor, sim._inspection(tasks.task_form(actor, task_id), rng)

    @staticmethod
    def _complete(task_id: int, rng: random.Random) -> float:
        actor, payload = CampaignFixture._payload(task_id, rng)  # built outside the timer
        return timed(lambda: tasks.complete(actor, task_id, payload))


def fixtures(template: Path, workdir: Path, sizes: tuple[int, ...], say=print) -> list[CampaignFixture]:
    """One snapshotted campaign per size; bench/http_sizes.py reuses them (opening 10,000 cases takes minutes)."""
    made = []
    for n in sizes:
        made.append(CampaignFixture(template, workdir, n))
        say(f"  campaign of {n} drawn enterprises opened in {made[-1].open_seconds:.1f} s")
    return made


def completion_ms(fixtures: list[CampaignFixture], rounds: int = 6, per_round: int = 8,
                  complete=CampaignFixture.round) -> dict[int, float]:
    """Median ms per completion for each size; rounds interleave (and rotate) sizes so noise hits all alike."""
    samples: dict[int, list[float]] = {f.n: [] for f in fixtures}
    for r in range(rounds):
        for fixture in fixtures[r % len(fixtures):] + fixtures[:r % len(fixtures)]:
            samples[fixture.n] += complete(fixture, per_round, seed=r)
    for fixture in fixtures:
        close(fixture.app)
    return {n: statistics.median(s) * 1000 for n, s in samples.items()}


def signature_ms(fixtures: list[CampaignFixture], rounds: int = 6, per_round: int = 8,
                 engine=None) -> dict[int, dict[str, float]]:
    """Median ms per size of the first signature and of the countersign (and, with `engine`, of the bare engine's
    cycles interleaved with them: see `CampaignFixture.signatures_round`); sizes interleaved and rotated."""
    samples: dict[int, dict[str, list[float]]] = {f.n: {} for f in fixtures}
    for r in range(rounds):
        for fixture in fixtures[r % len(fixtures):] + fixtures[:r % len(fixtures)]:
            for label, each in fixture.signatures_round(per_round, seed=r, engine=engine).items():
                samples[fixture.n].setdefault(label, []).extend(each)
    for fixture in fixtures:
        close(fixture.app)
    return {n: {label: statistics.median(each) * 1000 for label, each in by_label.items()}
            for n, by_label in samples.items()}


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
