"""Task completion through the JSON API vs campaign size (N = 10, 100, 1000 drawn enterprises).

The same fixtures as bench/db.py (a campaign snapshotted before its joint inspections), but each
completion is a POST /api/v1/tasks/<id>/complete through the whole WSGI stack (routing, bearer
token, JSON parsing, logging, headers), in process on SQLite: it measures what HTTP adds and shows
it does not grow with the campaign either. Tokens and form data are prepared outside the timer.
"""
import random
import statistics

from extensions import db
from models import Campaign, HumanTask
from services import auth, tasks
from services import simulate as sim

from bench.db import CampaignFixture, close, copy_db
from bench.memory import timed


class ApiCampaignFixture(CampaignFixture):
    def round(self, timed_count: int, seed: int) -> list[float]:
        close(self.app)
        copy_db(self.snapshot, self.path)
        rng, prepared = random.Random(seed), []
        with self.app.app_context():
            open_tasks = sim._open_tasks(db.session.get(Campaign, self.campaign_id), "joint_inspection")
            for task in open_tasks[: timed_count + 1]:
                actor = sim._actor_for(db.session.get(HumanTask, task.id))
                payload = sim._inspection(tasks.task_form(actor, task.id), rng)
                prepared.append((task.id, auth.issue_token(actor)[0], payload))
            db.session.remove()
        client = self.app.test_client()
        return [timed(lambda: _post(client, *item)) for item in prepared][1:]


def _post(client, task_id: int, token: str, payload: dict) -> None:
    response = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": payload},
                           headers={"Authorization": f"Bearer {token}"})
    if response.status_code != 200:
        raise SystemExit(f"API completion failed: {response.status_code} {response.get_data(as_text=True)[:300]}")


def completion_ms(template, workdir, sizes, rounds: int = 4, per_round: int = 8) -> dict[int, float]:
    fixtures = [ApiCampaignFixture(template, workdir, n) for n in sizes]
    samples: dict[int, list[float]] = {n: [] for n in sizes}
    for r in range(rounds):
        for fixture in fixtures[r % len(fixtures):] + fixtures[:r % len(fixtures)]:
            samples[fixture.n] += fixture.round(per_round, seed=r)
    for fixture in fixtures:
        close(fixture.app)
    return {n: statistics.median(s) * 1000 for n, s in samples.items()}


def rows(template, workdir, sizes) -> list[tuple[str, str, str]]:
    ms = completion_ms(template, workdir, sizes)
    return [(f"joint_inspection completion via the API (WSGI), N={n} (median ms)", f"{ms[n]:.1f}", "")
            for n in sizes] + [("API ratio N=1000 / N=10", f"{ms[max(sizes)] / ms[min(sizes)]:.2f}", "≤ 1.5")]
