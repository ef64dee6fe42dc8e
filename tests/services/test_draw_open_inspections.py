"""The draw leaves out enterprises with an open inspection for a shared matter in another campaign (issue 19).

Two campaigns of one industry drawn one after the other (SQLite) and at the same moment (PostgreSQL,
two threads): they never share an enterprise, and the later draw's report counts the exclusion.
"""
import threading

from sqlalchemy import select

from extensions import db
from models import Campaign, Draw, Inspection
from services.draw import inputs as draw_inputs
from services.draw import stage as draw
from tests.services.draw_support import campaign_ready, in_scope

RATIOS = {"A": 40.0, "B": 40.0, "C": 40.0, "D": 40.0}


def _drawn(campaign_id: int) -> set[int]:
    return set(db.session.scalars(select(Inspection.enterprise_id).where(Inspection.campaign_id == campaign_id)))


def test_an_enterprise_under_inspection_elsewhere_is_excluded_and_counted(app):
    with app.app_context():
        first = campaign_ready(ratios=RATIOS)
        draw.perform(first, None)
        db.session.commit()
        taken = _drawn(first.id)
        second = campaign_ready(ratios=RATIOS)
        inputs = draw_inputs.gather(second)
        pool = {u for v in inputs.candidates.values() for u in v}
        usccs = {e.id: e.uscc for e in in_scope(second)}
        assert taken and not pool & {usccs[i] for i in taken}
        assert inputs.report["excluded"]["open_inspection"] == len(taken)
        record = draw.perform(second, None)
        db.session.commit()
        assert record.report["excluded"]["open_inspection"] == len(taken)
        assert not _drawn(second.id) & taken

        # Once the first campaign's inspections are submitted, the 12-month rule takes over (not this one).
        for inspection in db.session.scalars(select(Inspection).where(Inspection.campaign_id == first.id)):
            inspection.status = "submitted"
        db.session.commit()
        third = draw_inputs.gather(campaign_ready(ratios=RATIOS))
        assert third.report["excluded"]["open_inspection"] == len(_drawn(second.id))


def test_a_campaign_not_under_way_or_of_other_matters_excludes_nothing(app):
    with app.app_context():
        first = campaign_ready(ratios=RATIOS)
        draw.perform(first, None)
        first.status = "rejected"
        db.session.commit()
        assert draw_inputs.gather(campaign_ready(ratios=RATIOS)).report["excluded"]["open_inspection"] == 0
        first.status = "active"
        db.session.commit()
        other_matters = campaign_ready(ratios=RATIOS, partners=("xf",))
        shared = {m.id for m in other_matters.matters} & {m.id for m in first.matters}
        other_matters.matters = [m for m in other_matters.matters if m.id not in shared]
        db.session.commit()
        if other_matters.matters:
            assert draw_inputs.gather(other_matters).report["excluded"]["open_inspection"] == 0


def test_two_campaigns_drawn_at_the_same_moment_never_share_an_enterprise(pg_app):
    pg_app.config["DB_LOCK_TIMEOUT_MS"] = 60000  # the second draw waits for the first one's commit
    with pg_app.app_context():
        ids = [campaign_ready(ratios=RATIOS).id for _ in range(2)]
        db.engine.dispose()
    barrier, errors = threading.Barrier(2), []

    def run(campaign_id: int) -> None:
        with pg_app.app_context():
            try:
                barrier.wait()
                draw.perform(db.session.get(Campaign, campaign_id), None)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                db.session.rollback()

    threads = [threading.Thread(target=run, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not errors, errors
    with pg_app.app_context():
        a, b = _drawn(ids[0]), _drawn(ids[1])
        assert a and b and not a & b
        reports = {r.campaign_id: r.report for r in db.session.scalars(select(Draw).where(Draw.campaign_id.in_(ids)))}
        counts = sorted(reports[i]["excluded"]["open_inspection"] for i in ids)
        later = max(ids, key=lambda i: reports[i]["excluded"]["open_inspection"])
        # One draw went first and saw nothing; the other excluded exactly the first one's enterprises.
        assert counts[0] == 0 and counts[1] == len(_drawn(min(set(ids) - {later})))


def test_a_delayed_draw_whose_candidates_were_drawn_elsewhere_meanwhile_commits_afresh(app):
    """Reveal delay: both campaigns commit before either draws. The one executed second finds candidates of
    its snapshot now under inspection in the first: it is not drawn (已作废, seed unrevealed) and a fresh
    commitment excluding them replaces it; drawn after its own delay, it shares no enterprise."""
    from datetime import timedelta

    from services.draw import disclosure
    from services.workflow import clock, timers
    from tests.factories import user

    app.config["DRAW_REVEAL_DELAY_MINUTES"] = 10
    with app.app_context():
        first, second = campaign_ready(ratios=RATIOS), campaign_ready(ratios=RATIOS)
        early, late = draw.perform(first, None), draw.perform(second, None)
        db.session.commit()
        assert early.status == late.status == "committed"
        assert late.report["excluded"]["open_inspection"] == 0  # nothing drawn yet when it committed
        clock.advance(timedelta(minutes=11))
        assert draw.execute_now(user("scjg_01"), early.id).status == "drawn"
        taken = _drawn(first.id)

        fresh = draw.execute_now(user("scjg_01"), late.id)
        db.session.refresh(late)
        assert late.status == "stale" and not late.enterprises and not _drawn(second.id)
        assert disclosure.export(late.id)["seed"] is None  # never used, never revealed
        assert fresh.id != late.id and fresh.status == "committed" and fresh.supersedes_id == late.id
        assert fresh.report["excluded"]["open_inspection"] == len(taken)
        assert draw.current_draw(second.id).id == fresh.id

        clock.advance(timedelta(minutes=11))
        assert timers.fire_due() >= 1  # the fresh commitment's own reveal timer draws it
        db.session.refresh(fresh)
        assert fresh.status == "drawn" and _drawn(second.id) and not _drawn(second.id) & taken
