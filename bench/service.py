"""Service-level cost of one joint_inspection completion, for campaigns of different sizes."""
import random
import statistics
from pathlib import Path

from extensions import db
from models import Campaign, HumanTask
from services import simulate as sim
from services import tasks

from bench import harness


class CampaignFixture:
    """A campaign of n drawn enterprises, snapshotted just before the joint inspection."""

    def __init__(self, template: Path, workdir: Path, n: int):
        self.n = n
        self.path = harness.copy_db(template, workdir / f"n{n}.db")
        self.snapshot = workdir / f"n{n}.snapshot.db"
        self.app = harness.make_app(self.path)
        with self.app.app_context():
            self.campaign_id = harness.open_campaign(n)
        harness.close(self.app)
        harness.copy_db(self.path, self.snapshot)

    def round(self, timed: int, seed: int) -> list[float]:
        """Restore the snapshot, complete one task untimed (warm-up), then time `timed` completions.

        The campaign's last inspection is never completed: it also advances the campaign instance."""
        harness.close(self.app)
        harness.copy_db(self.snapshot, self.path)
        rng = random.Random(seed)
        with self.app.app_context():
            campaign = db.session.get(Campaign, self.campaign_id)
            open_tasks = sim._open_tasks(campaign, "joint_inspection")[: timed + 1]
            if len(open_tasks) >= self.n:
                raise SystemExit(f"N={self.n}: too few tasks for {timed} timed completions")
            return [self._complete(task.id, rng) for task in open_tasks][1:]

    def _complete(self, task_id: int, rng: random.Random) -> float:
        task = db.session.get(HumanTask, task_id)
        actor = sim._actor_for(task)
        payload = sim._inspection(tasks.task_form(actor, task_id), rng)
        return harness.timed(lambda: tasks.complete(actor, task_id, payload))


def completion_ms(template: Path, workdir: Path, sizes: tuple[int, ...], rounds: int = 4,
                  per_round: int = 8) -> dict[int, float]:
    """Median ms per completion for each campaign size; rounds alternate sizes so noise hits all alike."""
    fixtures = [CampaignFixture(template, workdir, n) for n in sizes]
    samples: dict[int, list[float]] = {n: [] for n in sizes}
    for r in range(rounds):
        for fixture in fixtures:
            samples[fixture.n] += fixture.round(per_round, seed=r)
    for fixture in fixtures:
        harness.close(fixture.app)
    return {n: statistics.median(s) * 1000 for n, s in samples.items()}
