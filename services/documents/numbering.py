"""Document numbers: `<机关简称>〔<year>〕<kind word>第<sequence>号`, per issuing department, kind and year.

The sequence is taken by one atomic `UPDATE … SET last = last + 1 RETURNING last` on the counter row inside
the issuing transaction: concurrent issuances queue on that row (PostgreSQL row lock, SQLite's write lock),
each gets the next number, and a rolled-back issuance gives its number back — no gaps, no duplicates. A
voided document keeps its number; nothing ever decrements the counter.
"""
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from extensions import db
from models import Department, DocumentCounter, DocumentPrefix

KINDS = {  # kind: (title, the word in its number)
    "inspection_record": ("现场检查笔录", "检录字"),
    "rectification_order": ("责令改正通知书", "责改字"),
    "result_notice": ("检查结果告知书", "告字"),
    "reinspection_opinion": ("整改复查意见书", "复查字"),
    "case_transfer": ("案件移送函", "移送字"),
    "referral_letter": ("移交函", "移交字"),
}


def prefix(department_id: int) -> str:
    """The department's configured short name, else its name (an admin should set the short form)."""
    configured = db.session.get(DocumentPrefix, department_id)
    return configured.prefix if configured else db.session.get(Department, department_id).name


def next_sequence(department_id: int, kind: str, year: int) -> int:
    counter = DocumentCounter.__table__
    key = (counter.c.department_id == department_id) & (counter.c.kind == kind) & (counter.c.year == year)
    if db.session.execute(select(counter.c.last_sequence).where(key)).first() is None:
        # Two first issuances of the year may both try this insert; the loser's insert conflicts and it retries
        # as an update. A savepoint keeps that conflict from ending the caller's transaction.
        try:
            with db.session.begin_nested():
                db.session.execute(insert(counter).values(department_id=department_id, kind=kind, year=year,
                                                          last_sequence=0))
        except IntegrityError:  # the row exists now: a concurrent first issuance made it
            pass
    return db.session.execute(update(counter).where(key).values(last_sequence=counter.c.last_sequence + 1)
                              .returning(counter.c.last_sequence)).scalar_one()


def format_number(prefix_text: str, kind: str, year: int, sequence: int) -> str:
    return f"{prefix_text}〔{year}〕{KINDS[kind][1]}第{sequence:04d}号"
