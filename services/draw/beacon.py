"""The public value of a v3 draw: an auditor enters the named lottery result, the seed follows, the draw runs.

Nobody chooses the seed: it is HMAC(commitment, value) with a value that did not exist when the commitment was
published, and anyone can compare the value shown on /verify/draw/<id> with the lottery's own publication.
The auditor enters it (not the lead department, whose campaign it is); the value can be entered once.
"""
from datetime import date

from domain import draw_v3
from extensions import db
from models import Campaign, Draw, User
from services import audit
from services import auditor
from services.draw import contributions, stage
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.workflow import clock
from services.lookup import get_or_404

MAX_LENGTH = 200  # also in the message below and the form's maxlength


def enter(actor: User, draw_id: int, value: str, drawn_on: str) -> Draw:
    """Record the public value and the date of the lottery draw it comes from, then draw (one transaction)."""
    record = get_or_404(Draw, draw_id, "抽取记录不存在")
    campaign = db.session.get(Campaign, record.campaign_id)
    if not auditor.covers(actor, campaign):
        raise Forbidden("只有该地区的纪检监察（审计）人员可以录入公开随机值")
    stage.lock_campaign(campaign.id)
    db.session.refresh(record)
    if record.algorithm != draw_v3.ALGORITHM or record.status != "committed":
        raise Conflict("该抽取不等待公开随机值（已执行、已失败或不是 v3 抽取）")
    value = draw_v3.normalise_beacon(value or "")
    due = date.fromisoformat(record.commitment_doc["beacon"]["date"])
    errors = {}
    if not value:
        errors["value"] = ["请填写开奖号码"]
    elif len(value) > MAX_LENGTH:
        errors["value"] = ["开奖号码不超过 200 个字符"]
    try:
        day = date.fromisoformat((drawn_on or "").strip())
    except ValueError:
        errors["drawn_on"] = ["请按 YYYY-MM-DD 填写开奖日期"]
    else:
        if day < due:
            errors["drawn_on"] = ["开奖日期不得早于承诺指定的日期"]
        elif day > clock.today():
            errors["drawn_on"] = ["开奖日期不能晚于今天"]
    if errors:
        raise ValidationFailed(errors, "公开随机值有误，请检查标注的字段")
    revealed = contributions.revealed_for(record)  # departments that never revealed are left out, visibly
    record.beacon = {"value": value, "drawn_on": day.isoformat(), "entered_by_id": actor.id,
                     "entered_at": clock.now().isoformat(), "contributions": revealed}
    record.seed = draw_v3.derive_seed(record.commitment, value, revealed).hex()
    audit.record(actor, "draw.beacon", "draw", record.id, campaign_id=campaign.id, value=value,
                 drawn_on=day.isoformat(), seed=record.seed, contributions=sorted(revealed))
    record = stage.execute(record, actor)  # a fresh commitment instead, when this one went stale
    db.session.commit()
    return record


def waiting(user: User) -> list[tuple[Draw, Campaign]]:
    """v3 draws of the auditor's regions waiting for their public value."""
    rows = db.session.execute(db.select(Draw, Campaign).join(Campaign, Campaign.id == Draw.campaign_id).where(
        Draw.algorithm == draw_v3.ALGORITHM, Draw.status == "committed").order_by(Draw.id)).all()
    return [(d, c) for d, c in rows if auditor.covers(user, c)]
