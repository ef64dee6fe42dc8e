"""Cases, penalties and transfers in the performance review, per campaign: cases by procedure (一般程序 /
简易程序); cases with a penalty (处罚) and their total in fen (an integer, so figures stay JSON in a stored
review); transfers, and of them those to the police (两法衔接) by the authority kind chosen when each was made.
Two grouped queries whatever the number of campaigns; the period review sums them (services/stages/review.py)."""
from decimal import Decimal

from sqlalchemy import case, func, select

from extensions import db
from models import Case, Transfer

EMPTY = {"cases_general": 0, "cases_summary": 0, "penalties": 0, "penalty_fen": 0, "transfers": 0,
         "transfers_police": 0}


def by_campaign(campaign_ids) -> dict[int, dict]:
    out: dict[int, dict] = {}
    penalised = Case.penalty_amount > 0
    for cid, procedure, n, penalties, amount in db.session.execute(
            select(Case.campaign_id, Case.procedure, func.count(), func.sum(case((penalised, 1), else_=0)),
                   func.sum(case((penalised, Case.penalty_amount), else_=0)))
            .where(Case.campaign_id.in_(campaign_ids)).group_by(Case.campaign_id, Case.procedure)):
        row = out.setdefault(cid, dict(EMPTY))
        row[f"cases_{procedure}"] = n
        row["penalties"] += int(penalties or 0)
        row["penalty_fen"] += int(Decimal(str(amount or 0)) * 100)
    police = Transfer.authority_kind == "public_security"  # chosen when the transfer was made
    for cid, n, to_police in db.session.execute(
            select(Transfer.campaign_id, func.count(), func.sum(case((police, 1), else_=0)))
            .where(Transfer.campaign_id.in_(campaign_ids)).group_by(Transfer.campaign_id)):
        row = out.setdefault(cid, dict(EMPTY))
        row["transfers"], row["transfers_police"] = n, int(to_police or 0)
    return out
