"""Cases and transfers in the performance review: cases by procedure (一般程序 / 简易程序) and transfers, of
which those to the police (两法衔接), per campaign. Two grouped queries whatever the number of campaigns."""
from sqlalchemy import case, func, or_, select

from extensions import db
from models import Case, Transfer

POLICE_WORDS = ("公安", "派出所", "police")
EMPTY = {"cases_general": 0, "cases_summary": 0, "transfers": 0, "transfers_police": 0}


def is_police(authority: str) -> bool:
    return any(word in (authority or "") for word in POLICE_WORDS)


def by_campaign(campaign_ids) -> dict[int, dict]:
    out: dict[int, dict] = {}
    for cid, procedure, n in db.session.execute(select(Case.campaign_id, Case.procedure, func.count())
                                                .where(Case.campaign_id.in_(campaign_ids))
                                                .group_by(Case.campaign_id, Case.procedure)):
        out.setdefault(cid, dict(EMPTY))[f"cases_{procedure}"] = n
    police = or_(*[Transfer.authority.contains(word) for word in POLICE_WORDS])
    for cid, n, to_police in db.session.execute(
            select(Transfer.campaign_id, func.count(), func.sum(case((police, 1), else_=0)))
            .where(Transfer.campaign_id.in_(campaign_ids)).group_by(Transfer.campaign_id)):
        row = out.setdefault(cid, dict(EMPTY))
        row["transfers"], row["transfers_police"] = n, int(to_police or 0)
    return out
