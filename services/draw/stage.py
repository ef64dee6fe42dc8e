"""The draw stage: commit (publish), draw, record, and open one case per drawn enterprise.

A draw that cannot meet the rules (too few officers, nobody in scope) is recorded as a
failed attempt with the explanation, and nothing is drawn: no enterprise, no case. The
partners' report-in stands (it is their act, not the draw's), the campaign waits with no
inspections (its instance is already at "await inspections"; workflows/campaign.bpmn has no
retry path), the lead department is notified and sees it on the campaign page, and after
fixing the people it retries from the draw page (`retry`). A regulator sees what failed and
why, instead of a report-in that silently did not happen.
"""
import json
import secrets
import zlib
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from domain import draw as algorithm
from domain import draw_v3
from extensions import db
from models import Campaign, Draw, DrawnEnterprise, Enterprise, Inspection, InspectionOfficer, User
from services import audit
from services.workflow import clock
from services.draw import contributions
from services.draw import inputs as draw_inputs
from services.draw import sealed
from services.workflow import runtime
from services.workflow import timers
from services.errors import Conflict, Forbidden
from services.lookup import get_or_404


def run_draw(operation_params: dict, task_data: dict) -> dict:
    """Service-task operation after the last partner's report-in."""
    campaign = db.session.get(Campaign, int(operation_params["campaign_id"]))
    record = perform(campaign, actor=None)
    return {"draw_id": record.id, "drawn": len(record.enterprises), "draw_status": record.status}


def perform(campaign: Campaign, actor: User | None, supersedes: Draw | None = None) -> Draw:
    """Fix and publish the commitment; draw at once, or when the reveal delay has passed (caller commits)."""
    inputs = draw_inputs.gather(campaign)
    if current_app.config["DRAW_ALGORITHM"] == draw_v3.ALGORITHM:
        return _commit_sealed(campaign, actor, inputs, supersedes)
    seed = secrets.token_bytes(32)
    document = algorithm.commitment_document(inputs.params, inputs.candidates, inputs.people,
                                             algorithm.seed_digest(seed))
    now = clock.now()
    record = Draw(
        campaign_id=campaign.id, algorithm=algorithm.ALGORITHM, status="committed", mode=inputs.params["mode"],
        params=inputs.params, snapshot_hash=algorithm.snapshot_hash(inputs.candidates),
        snapshot=compress_snapshot(inputs.candidates), people=inputs.people, commitment_doc=document,
        commitment=algorithm.commitment(document), seed_commitment=document["seed_sha256"], seed=seed.hex(),
        candidate_count=inputs.report["candidates"], report=inputs.report, committed_at=now,
        supersedes_id=supersedes.id if supersedes else None,
    )
    db.session.add(record)
    db.session.flush()
    audit.record(actor, "draw.commit", "draw", record.id, campaign_id=campaign.id, commitment=record.commitment,
                 seed_sha256=record.seed_commitment, snapshot_hash=record.snapshot_hash)
    audit.request_checkpoint("draw_commitment")
    people = {int(d): v for d, v in inputs.people["departments"].items()}
    names = {int(d): n for d, n in inputs.people["department_names"].items()}
    problems = algorithm.staffing_problems(people, campaign.lead_department_id, inputs.params["min_officers"], names,
                                           inputs.params["officers_per_department"])
    delay = current_app.config["DRAW_REVEAL_DELAY_MINUTES"]
    if problems or not delay:
        # Known to fail before any seed is used, or no delay configured: draw now.
        return execute(record, actor)
    timers.schedule("draw_execute", reveal_at(record), campaign_id=campaign.id, subject_type="draw",
                    subject_id=record.id)
    timers.notify_lead(campaign, f"{campaign.code} 双随机抽取承诺已公布（{record.commitment[:16]}…），将于 {delay} 分钟后执行抽取。",
                       "draw_committed", link=f"/verify/draw/{record.id}")
    return record


def _commit_sealed(campaign: Campaign, actor: User | None, inputs, supersedes: Draw | None) -> Draw:
    """v3: publish the anonymised commitment; the draw waits for the public value (services/draw/beacon.py)."""
    document, _, blob = sealed.seal(inputs.candidates, inputs.people, inputs.params, contributions.to_bind(campaign))
    record = Draw(
        campaign_id=campaign.id, algorithm=draw_v3.ALGORITHM, status="committed", mode=inputs.params["mode"],
        params=inputs.params, snapshot_hash=algorithm.sha256_hex(algorithm.canonical_json(document["classes"])),
        snapshot=blob, people=inputs.people, commitment_doc=document, commitment=algorithm.commitment(document),
        seed_commitment="", seed="", candidate_count=inputs.report["candidates"], report=inputs.report,
        committed_at=clock.now(), supersedes_id=supersedes.id if supersedes else None,
    )
    db.session.add(record)
    db.session.flush()
    audit.record(actor, "draw.commit", "draw", record.id, campaign_id=campaign.id, commitment=record.commitment,
                 beacon=document["beacon"])
    people = {int(d): v for d, v in inputs.people["departments"].items()}
    names = {int(d): n for d, n in inputs.people["department_names"].items()}
    problems = algorithm.staffing_problems(people, campaign.lead_department_id, inputs.params["min_officers"], names,
                                           inputs.params["officers_per_department"])
    if problems:  # fails whatever the seed: no need to wait for the public value
        return _fail(campaign, record, actor, algorithm.DrawInfeasible(problems))
    beacon = document["beacon"]
    timers.notify_lead(campaign, f"{campaign.code} 双随机抽取承诺已公布（{record.commitment[:16]}…），待纪检监察人员录入"
                       f"{beacon['date']}（含）以后第一期「{beacon['source']}」后执行抽取。",
                       "draw_committed", link=f"/verify/draw/{record.id}")
    return record


def reveal_at(record: Draw):
    return record.committed_at + timedelta(minutes=current_app.config["DRAW_REVEAL_DELAY_MINUTES"])


def execute(record: Draw, actor: User | None) -> Draw:
    """Draw from the committed inputs only (never re-read the directory), reveal the seed, open the cases."""
    campaign = db.session.get(Campaign, record.campaign_id)
    stale = _newly_under_inspection(campaign, record)
    if stale:
        return _recommit(campaign, record, actor, stale)
    try:
        if record.algorithm == draw_v3.ALGORITHM:
            result = sealed.run(record)
        else:
            result = algorithm.run(record.params, load_snapshot(record), record.people, bytes.fromhex(record.seed))
    except algorithm.DrawInfeasible as exc:
        return _fail(campaign, record, actor, exc)
    ids = _enterprise_ids([row["uscc"] for row in result["enterprises"]])
    for position, row in enumerate(result["enterprises"]):
        record.enterprises.append(DrawnEnterprise(
            enterprise_id=ids[row["uscc"]], credit_class=row["class"], position=position,
            officers=row["officers"], experts=row["experts"]))
    record.status, record.drawn_at = "drawn", clock.now()
    db.session.flush()
    for drawn in record.enterprises:
        _open_case(campaign, drawn)
    campaign.pending_inspections = Campaign.pending_inspections + len(record.enterprises)  # in SQL: no lost update
    record.report = {**record.report, "drawn": len(record.enterprises)}
    audit.record(actor, "draw.complete", "draw", record.id, campaign_id=campaign.id, drawn=len(record.enterprises),
                 candidates=record.candidate_count, seed=record.seed, warnings=record.report["warnings"])
    _release_campaign(campaign, record)
    return record


def _newly_under_inspection(campaign: Campaign, record: Draw) -> set[str]:
    """Committed candidates that another campaign's draw put under open inspection since the commitment.

    The snapshot excluded every enterprise under open inspection elsewhere when it was fixed; with a
    reveal delay another campaign sharing a matter may execute its own draw in between. Asked before
    the seed is used, from facts that do not depend on it.
    """
    if record.algorithm == draw_v3.ALGORITHM:
        usccs = {u for entries in sealed.load(record)[0].values() for u, _ in entries}
    else:
        usccs = {u for entries in load_snapshot(record).values() for u in entries}
    return draw_inputs.under_inspection_elsewhere(campaign, usccs)


def _recommit(campaign: Campaign, record: Draw, actor: User | None, stale: set[str]) -> Draw:
    """A stale commitment is never drawn: it stays public as 已作废 (its seed unused and unrevealed) and a
    fresh commitment, excluding the enterprises now under inspection elsewhere, takes its place."""
    record.status = "stale"
    record.report = {**record.report, "stale": len(stale)}
    timers.cancel(kind="draw_execute", subject_type="draw", subject_id=record.id)
    audit.record(actor, "draw.stale", "draw", record.id, campaign_id=campaign.id, under_inspection_elsewhere=len(stale))
    return perform(campaign, actor, supersedes=record)


def _release_campaign(campaign: Campaign, record: Draw) -> None:
    """A draw completed later (after the reveal delay, or a retry after a failure) moves the campaign on.

    Inside the `draw` service task the campaign instance is being advanced already and takes the
    drawn branch itself; only a campaign parked at `await_draw` (stage "draw") waits for this message.
    """
    if campaign.stage == "draw":
        runtime.send_message(runtime.campaign_instance(campaign.id), "draw_executed", {"draw_id": record.id})


def execute_when_due(timer) -> None:
    record = db.session.get(Draw, timer.subject_id)
    if record is not None and record.status == "committed":
        execute(record, None)


def execute_now(actor: User, draw_id: int) -> Draw:
    """The lead department runs a committed draw itself once the commitment has been public long enough."""
    record = get_or_404(Draw, draw_id, "抽取记录不存在")
    require_lead(actor, db.session.get(Campaign, record.campaign_id))
    lock_campaign(record.campaign_id)
    db.session.refresh(record)
    if record.status != "committed":
        raise Conflict("该抽取已执行")
    if record.algorithm == draw_v3.ALGORITHM:
        raise Conflict("该抽取须待纪检监察人员录入公开随机值后执行")
    if clock.now() < reveal_at(record):
        raise Conflict(f"承诺公布后需等待至 {reveal_at(record):%Y-%m-%d %H:%M}（UTC）才能执行抽取")
    timers.cancel(kind="draw_execute", subject_type="draw", subject_id=record.id)
    record = execute(record, actor)  # a fresh commitment instead, when this one went stale
    db.session.commit()
    return record


def _enterprise_ids(usccs: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for start in range(0, len(usccs), 500):
        chunk = usccs[start:start + 500]
        ids.update((u, i) for i, u in db.session.execute(
            select(Enterprise.id, Enterprise.uscc).where(Enterprise.uscc.in_(chunk))).all())
    return ids


def _fail(campaign: Campaign, record: Draw, actor: User | None, exc: algorithm.DrawInfeasible) -> Draw:
    record.status, record.failure, record.drawn_at = "failed", "\n".join(exc.problems), clock.now()
    audit.record(actor, "draw.failed", "draw", record.id, campaign_id=campaign.id, problems=exc.problems)
    timers.notify_lead(campaign, f"{campaign.code} 双随机抽取未能完成：{'；'.join(exc.problems[:3])}。请补充或调整执法人员后重新抽取。",
                       "draw_failed", link=f"/draws/campaign/{campaign.id}")
    return record


def compress_snapshot(candidates: dict[str, list[str]]) -> bytes:
    return zlib.compress(algorithm.canonical_json({c: sorted(v) for c, v in sorted(candidates.items())}), 6)


def load_snapshot(record: Draw) -> dict[str, list[str]]:
    return json.loads(zlib.decompress(record.snapshot))


def _open_case(campaign: Campaign, drawn: DrawnEnterprise) -> None:
    inspection = Inspection(campaign_id=campaign.id, enterprise_id=drawn.enterprise_id, status="assigned")
    inspection.officers = [InspectionOfficer(user_id=officer_id, department_id=department_id)
                           for department_id, officer_id in drawn.officers]
    db.session.add(inspection)
    db.session.flush()
    runtime.start_instance("enterprise_case", {"inspection_id": inspection.id, "campaign_id": campaign.id},
                           campaign_id=campaign.id, inspection_id=inspection.id,
                           region_id=campaign.region_id)


def draws_of(campaign_id: int) -> list[Draw]:
    return list(db.session.scalars(select(Draw).where(Draw.campaign_id == campaign_id).order_by(Draw.id)))


def current_draw(campaign_id: int) -> Draw | None:
    """The draw the campaign's inspections come from, or its latest failed attempt."""
    return db.session.scalars(select(Draw).where(Draw.campaign_id == campaign_id,
                                                 Draw.status.not_in(("superseded", "stale")))
                              .order_by(Draw.id.desc())).first()


def lock_campaign(campaign_id: int) -> None:
    """Serialise draw actions on one campaign (PostgreSQL row lock), so two clicks never draw twice."""
    # NO KEY UPDATE: serializes draws of one campaign without blocking inserts that reference it.
    db.session.execute(select(Campaign.id).where(Campaign.id == campaign_id).with_for_update(key_share=True))


def require_lead(actor: User, campaign: Campaign) -> None:
    if actor.department_id != campaign.lead_department_id or not actor.has_role("official", "department_admin"):
        raise Forbidden("只有牵头部门的执法人员可以执行该操作")


def retry(actor: User, campaign_id: int) -> Draw:
    """After a failed draw the lead department, having fixed the people, draws again (new seed, new commitment)."""
    campaign = get_or_404(Campaign, campaign_id, "检查活动不存在")
    require_lead(actor, campaign)
    lock_campaign(campaign_id)
    latest = current_draw(campaign_id)
    if latest is None or latest.status != "failed" or campaign.status != "active":
        raise Conflict("只有抽取失败的活动才能重新抽取；已完成的抽取需申请重新抽取并经审批")
    if db.session.scalar(select(Inspection.id).where(Inspection.campaign_id == campaign_id).limit(1)):
        raise Conflict("该活动已有检查任务，不能再次抽取")
    record = perform(campaign, actor)
    db.session.commit()
    return record


def candidate_counts(industry_id: int, region_id: int) -> dict[str, int]:
    """How many active enterprises per credit class a draw in this scope would choose from."""
    return draw_inputs.counts_in_scope(industry_id, region_id)
