"""The supervisor's board (时限看板) over 2,000 live campaigns: timelines, department league and trends, as the
page computes them, on SQLite. Rows are bulk-inserted as bench/dashboard.py does (same shape, fewer campaigns).

    python -m bench.board
"""
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select, text

from bench.dashboard import _app, _fill
from extensions import db
from models import Base, User
from services.supervision import board, trends
from services.workflow import deployments
from demo.county import load_demo

CAMPAIGNS = 2_000
TARGET_MS = 300


def _time_board(rounds: int = 7) -> tuple[float, int]:
    supervisor = db.session.scalars(select(User).where(User.username == "supervisor")).one()
    samples, shown = [], 0
    for _ in range(rounds):
        start = time.perf_counter()
        shown = len(board.timelines(supervisor))
        board.league(supervisor)
        trends.trends(supervisor)
        samples.append((time.perf_counter() - start) * 1000)
        db.session.rollback()
    return statistics.median(samples), shown


def rows() -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory(prefix="bench-board-") as tmp:
        app = _app(f"sqlite:///{Path(tmp) / 'board.db'}")
        with app.app_context():
            Base.metadata.create_all(db.engine)
            deployments.deploy_bundled()
            load_demo(enterprises=50)
            _fill(campaigns_wanted=CAMPAIGNS)
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            ms, shown = _time_board()
            assert shown >= CAMPAIGNS, shown
            db.session.remove()
            db.engine.dispose()
    return [(f"board (timelines + league + trends), {CAMPAIGNS:,} live campaigns, SQLite (median ms)",
             f"{ms:.0f}", f"< {TARGET_MS}")]


if __name__ == "__main__":
    for metric, value, target in rows():
        print(f"{metric}: {value} (target {target})")
