"""A draw whole, for those allowed to see it: the full recomputable export, verification, the named list.

Not public: the full export names every candidate with its credit class and salt, the officers and who
is barred from whom. Supervisors and auditors of the region download it (web/draws, services/auditor.py);
the participating departments see the drawn list they inspect. What the public gets is
services/draw/disclosure.py, following docs/disclosure.md.
"""
from dataclasses import dataclass

from sqlalchemy import select

from domain import draw as algorithm
from domain import draw_v3
from extensions import db
from models import Campaign, Department, Draw, Enterprise, Expert, RedrawRequest, User
from services.draw import sealed
from services import exports
from services.directory import history
from services.draw import stage as draw_service
from services.lookup import get_or_404

EXPORT_FORMAT = "yiye-yicha-draw-export/1"


@dataclass
class Verification:
    status: str           # match / mismatch / pending (seed not yet revealed) / unseeded (v3, failed before any value)
    problems: list[str]


def get(draw_id: int) -> Draw:
    return get_or_404(Draw, draw_id, "抽取记录不存在")


def export(draw_id: int) -> dict:
    """Everything needed to recompute the whole draw without the database (`python domain/draw.py FILE`)."""
    record = get(draw_id)
    if record.algorithm == draw_v3.ALGORITHM:
        return _full_v3(record)
    campaign = db.session.get(Campaign, record.campaign_id)
    revealed = record.status not in ("committed", "stale")  # a stale commitment's seed is never used
    result = None
    if record.status in ("drawn", "superseded"):
        result = {"enterprises": [{"class": d.credit_class, "uscc": d.enterprise.uscc, "officers": d.officers,
                                   "experts": d.experts} for d in record.enterprises]}
    return {
        "format": EXPORT_FORMAT, "draw_id": record.id, "campaign": {"code": campaign.code, "title": campaign.title},
        "status": record.status, "algorithm": record.algorithm,
        "committed_at": _iso(record.committed_at), "drawn_at": _iso(record.drawn_at),
        "params": record.params, "snapshot": draw_service.load_snapshot(record), "people": record.people,
        "commitment": {"document": record.commitment_doc, "sha256": record.commitment},
        "seed": record.seed if revealed else None, "result": result, "failure": record.failure,
        "report": record.report, "supersedes": record.supersedes_id,
    }


def _full_v3(record: Draw) -> dict:
    campaign = db.session.get(Campaign, record.campaign_id)
    lists, people_salt = sealed.load(record)
    positions = sealed.positions_of(record)
    result = None
    if positions is not None:
        where = {d.enterprise.uscc: p for c in positions for d, p in zip(
            [d for d in record.enterprises if d.credit_class == c], positions[c])}
        result = {"enterprises": [{"class": d.credit_class, "position": where[d.enterprise.uscc],
                                   "uscc": d.enterprise.uscc, "officers": d.officers, "experts": d.experts}
                                  for d in record.enterprises]}
    return {
        "format": draw_v3.FULL_FORMAT, "algorithm": record.algorithm, "draw_id": record.id,
        "campaign": {"code": campaign.code, "title": campaign.title}, "status": record.status,
        "committed_at": _iso(record.committed_at), "drawn_at": _iso(record.drawn_at),
        "commitment": {"document": record.commitment_doc, "sha256": record.commitment},
        "beacon_value": (record.beacon or {}).get("value"), "beacon_drawn_on": (record.beacon or {}).get("drawn_on"),
        "contributions": (record.beacon or {}).get("contributions") or {},
        "seed": record.seed or None, "positions": positions,
        "candidates": {c: [[u, s.hex()] for u, s in v] for c, v in lists.items()},
        "people": record.people, "people_salt": people_salt.hex(), "result": result,
        "failure": record.failure, "report": record.report, "supersedes": record.supersedes_id,
    }


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def verify(draw_id: int) -> Verification:
    """The whole draw recomputed from the stored inputs (the platform's own check, and the auditor's)."""
    return verify_export(export(draw_id))


def verify_export(data: dict) -> Verification:
    if data.get("algorithm") == draw_v3.ALGORITHM:
        if data["status"] == "committed" and not data.get("beacon_value"):
            problems = draw_v3.check_commitment(data)
            return Verification("mismatch" if problems else "pending", problems)
        problems = draw_v3.verify(data)
        return Verification("mismatch" if problems else "match", problems)
    if data.get("seed") is None:
        problems = algorithm.verify_commitment(data)
        return Verification("mismatch" if problems else "pending", problems)
    problems = algorithm.verify(data)
    return Verification("mismatch" if problems else "match", problems)


def drawn_rows(record: Draw) -> list[dict]:
    """The drawn list with names: enterprise, officers (department, name, certificate), experts."""
    users = _by_id(User, {o for d in record.enterprises for _, o in (d.officers or [])})
    departments = _by_id(Department, {dep for d in record.enterprises for dep, _ in (d.officers or [])})
    experts = _by_id(Expert, {e for d in record.enterprises for e in (d.experts or [])})
    # The name at the draw (a later re-import must not rewrite a public record), today's beside it if different.
    at = record.drawn_at or record.committed_at
    names = history.names_as_of((d.enterprise_id, at) for d in record.enterprises)
    rows = []
    for position, drawn in enumerate(record.enterprises, start=1):
        enterprise: Enterprise = drawn.enterprise
        name = names.get((enterprise.id, at), enterprise.name)
        rows.append({
            "position": position, "uscc": enterprise.uscc, "name": name,
            "current_name": enterprise.name if enterprise.name != name else None,
            "credit_class": enterprise.credit_class, "draw_class": drawn.credit_class,
            "officers": [{"department": departments[dep].name, "name": users[o].display_name,
                          "cert_no": users[o].cert_no or ""} for dep, o in (drawn.officers or [])],
            "experts": [{"name": experts[e].name, "field": experts[e].field} for e in (drawn.experts or [])],
        })
    return rows


def _by_id(model, ids: set[int]) -> dict:
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}


def redraws_of(record: Draw) -> list[RedrawRequest]:
    return list(db.session.scalars(select(RedrawRequest).where(
        (RedrawRequest.draw_id == record.id) | (RedrawRequest.new_draw_id == record.id)).order_by(RedrawRequest.id)))


def xlsx(draw_id: int) -> bytes:
    """The drawn list (enterprises and officers) for publication and for the inspection teams."""
    record = get(draw_id)
    campaign = db.session.get(Campaign, record.campaign_id)
    book = exports.workbook(write_only=True)
    sheet = book.create_sheet("抽取结果")
    exports.append(sheet, ["序号", "统一社会信用代码", "经营主体名称", "信用风险等级", "执法检查人员（部门：姓名 执法证号）", "专家"])
    for row in drawn_rows(record):
        name = row["name"] + (f"（现名：{row['current_name']}）" if row["current_name"] else "")
        exports.append(sheet, [row["position"], row["uscc"], name, row["credit_class"],
                      "；".join(f"{o['department']}：{o['name']} {o['cert_no']}".strip() for o in row["officers"]),
                      "；".join(f"{e['name']}（{e['field']}）" for e in row["experts"])])
    info = book.create_sheet("抽取信息")
    for label, value in (("检查活动", f"{campaign.code} {campaign.title}"), ("抽取编号", record.id),
                         ("状态", record.status), ("算法", record.algorithm), ("抽取方式", record.mode),
                         ("承诺值 SHA-256", record.commitment), ("种子 SHA-256", record.seed_commitment),
                         ("种子", record.seed if record.status != "committed" else "（尚未揭晓）"),
                         ("承诺时间", _iso(record.committed_at)), ("抽取时间", _iso(record.drawn_at)),
                         ("候选户数", record.candidate_count), ("抽中户数", len(record.enterprises)),
                         ("失败原因", record.failure or "")):
        exports.append(info, [label, value])
    return exports.workbook_bytes(book)


def campaign_of(record: Draw) -> Campaign:
    return db.session.get(Campaign, record.campaign_id)
