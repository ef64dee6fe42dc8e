"""Cases, penalties and transfers in the performance review, per campaign and per department: cases by
procedure (一般程序 / 简易程序); cases with a penalty (处罚) and their total in fen (an integer, so figures stay
JSON in a stored review); transfers, and of them those to the police (两法衔接) by the authority kind chosen when
each was made. Two grouped queries whatever the number of campaigns; the period review sums them
(services/stages/review.py).

Per department, a case counts for the department that opened and handles it (Case.department_id) and a
transfer for the department that sent it: the campaign's lead, which decides the handling (diagnosis or a
targeted inspection's own decision). Every case and transfer of the campaigns counts for exactly one
department, so the department rows add up to the campaigns' totals."""
from decimal import Decimal

from sqlalchemy import case, func, select

from extensions import db
from models import Campaign, Case, Transfer

EMPTY = {"cases_general": 0, "cases_summary": 0, "penalties": 0, "penalty_fen": 0, "transfers": 0,
         "transfers_police": 0}


def by_campaign(campaign_ids) -> dict[int, dict]:
    return _figures(campaign_ids, Case.campaign_id, Transfer.campaign_id)


def by_department(campaign_ids) -> dict[int, dict]:
    return _figures(campaign_ids, Case.department_id, Campaign.lead_department_id)


def _figures(campaign_ids, case_key, transfer_key) -> dict[int, dict]:
    out: dict[int, dict] = {}
    penalised = Case.penalty_amount > 0
    for key, procedure, n, penalties, amount in db.session.execute(
            select(case_key, Case.procedure, func.count(), func.sum(case((penalised, 1), else_=0)),
                   func.sum(case((penalised, Case.penalty_amount), else_=0)))
            .where(Case.campaign_id.in_(campaign_ids)).group_by(case_key, Case.procedure)):
        row = out.setdefault(key, dict(EMPTY))
        row[f"cases_{procedure}"] = n
        row["penalties"] += int(penalties or 0)
        row["penalty_fen"] += int(Decimal(str(amount or 0)) * 100)
    police = Transfer.authority_kind == "public_security"  # chosen when the transfer was made
    for key, n, to_police in db.session.execute(
            select(transfer_key, func.count(), func.sum(case((police, 1), else_=0)))
            .join(Campaign, Campaign.id == Transfer.campaign_id)
            .where(Transfer.campaign_id.in_(campaign_ids)).group_by(transfer_key)):
        row = out.setdefault(key, dict(EMPTY))
        row["transfers"], row["transfers_police"] = n, int(to_police or 0)
    return out
