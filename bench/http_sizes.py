"""Task completion through the JSON API vs campaign size (N = 10, 100, 1000, 10000 drawn enterprises).

The same fixtures as bench/db.py (a campaign snapshotted before its joint inspections, shared: opening
10,000 cases takes minutes), but each completion is a POST /api/v1/tasks/<id>/complete through the whole
WSGI stack (routing, bearer token, JSON parsing, logging, headers), in process on SQLite: it measures what
HTTP adds and shows it does not grow with the campaign either. Tokens and form data are prepared outside
the timer.
"""
import random

from extensions import db
from models import HumanTask
from services import auth
from services.workflow import tasks
from demo import simulate as sim

from bench import db as db_bench
from bench.db import CampaignFixture, close, copy_db
from bench.memory import timed


def api_round(fixture: CampaignFixture, timed_count: int, seed: int) -> list[float]:
    close(fixture.app)
    copy_db(fixture.snapshot, fixture.path)
    rng, prepared = random.Random(seed), []
    with fixture.app.app_context():
        for task_id in fixture.open_task_ids(timed_count + 1):
            actor = sim._actor_for(db.session.get(HumanTask, task_id))
            payload = sim._inspection(tasks.task_form(actor, task_id), rng)
            prepared.append((task_id, auth.issue_token(actor)[0], payload))
        db.session.remove()
    client = fixture.app.test_client()
    return [timed(lambda: _post(client, *item)) for item in prepared][1:]


def _post(client, task_id: int, token: str, payload: dict) -> None:
    response = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": payload},
                           headers={"Authorization": f"Bearer {token}"})
    if response.status_code != 200:
        raise SystemExit(f"API completion failed: {response.status_code} {response.get_data(as_text=True)[:300]}")


def rows(fixtures: list[CampaignFixture]) -> list[tuple[str, str, str]]:
    ms = db_bench.completion_ms(fixtures, rounds=4, per_round=8, complete=api_round)
    small, big = min(ms), max(ms)
    return [(f"joint_inspection completion via the API (WSGI), N={n} (median ms)", f"{ms[n]:.1f}", "")
            for n in sorted(ms)] + [(f"API ratio N={big} / N={small}", f"{ms[big] / ms[small]:.2f}", "≤ 1.5")]
