"""A draw as the public may see it (docs/disclosure.md): commitment, public value, seed, positions, counts.

Nothing here names an enterprise, a candidate, an officer, an expert or a barred pair, before or after the
results are published: per class only counts, ratios, sample sizes and (v3) Merkle roots and drawn positions,
which identify nobody because list order is the order of salted hashes. A v3 draw is recomputed here from
this public export alone, exactly as an outsider would; a v2 draw (lists public by design when it was made)
shows the platform's recomputation from its stored inputs, and its lists go only to auditors.
"""
import io
import re

from sqlalchemy import select

from domain import draw_v3
from extensions import db
from models import Campaign, Department, Draw
from services import exports
from services.draw import contributions, records
from services.draw import sealed

PUBLIC_FORMAT_V2 = "yiye-yicha-draw-public/2"
# A USCC (18 characters) or a legacy 15-digit registration number inside a failure message.
_IDENTIFIER = re.compile(r"(?<![0-9A-Z])(?:[0-9A-Z]{18}|[0-9]{15})(?![0-9A-Z])")


def draws(limit: int = 200) -> list[tuple[Draw, Campaign]]:
    return [(d, c) for d, c in db.session.execute(select(Draw, Campaign).join(Campaign, Campaign.id == Draw.campaign_id)
                                                .order_by(Draw.id.desc()).limit(limit))]


def public_failure(record: Draw) -> list[str]:
    """Why a draw failed, without the enterprise a line is about (it was a candidate, and maybe barred)."""
    return [_IDENTIFIER.sub("某候选经营主体", line) for line in (record.failure or "").split("\n") if line]


def class_table(record: Draw) -> list[dict]:
    """Per class: candidates, ratio, sample size, drawn count, and for v3 the Merkle root and drawn positions."""
    report = (record.report or {}).get("classes", {})
    doc_classes = (record.commitment_doc or {}).get("classes", {})
    positions = sealed.positions_of(record) if record.algorithm == draw_v3.ALGORITHM else None
    rows = []
    for label in sorted(report):
        row = report[label]
        rows.append({"label": label, "candidates": row.get("candidates"), "ratio": row.get("ratio"),
                     "size": row.get("size"), "root": doc_classes.get(label, {}).get("merkle_root"),
                     "positions": (positions or {}).get(label)})
    return rows


def contribution_rows(record: Draw) -> list[dict]:
    """The departments whose contribution commitments the draw binds: name, commitment, revealed value or None
    (departments taking part are public: the plan names them)."""
    bound = ((record.commitment_doc or {}).get("contributions") or {}).get("departments", [])
    # before the public value is entered the values revealed so far (the window closed before its day)
    revealed = (record.beacon or {}).get("contributions") if record.beacon else contributions.revealed_for(record)
    revealed = revealed or {}
    names = dict(db.session.execute(select(Department.id, Department.name)
                                    .where(Department.id.in_([int(d["department_id"]) for d in bound]))).all())
    return [{"department": names.get(int(d["department_id"]), ""), "sha256": d["sha256"],
             "value": revealed.get(str(d["department_id"]))} for d in bound]


def export(draw_id: int) -> dict:
    """The public JSON: for v3 enough to recompute the positions (`python domain/draw.py FILE`)."""
    record = records.get(draw_id)
    campaign = db.session.get(Campaign, record.campaign_id)
    data = {"algorithm": record.algorithm, "draw_id": record.id,
            "campaign": {"code": campaign.code, "title": campaign.title}, "status": record.status,
            "committed_at": _iso(record.committed_at), "drawn_at": _iso(record.drawn_at),
            "failure": public_failure(record), "report": record.report, "supersedes": record.supersedes_id}
    if record.algorithm == draw_v3.ALGORITHM:
        beacon = record.beacon or {}
        data.update({"format": draw_v3.PUBLIC_FORMAT,
                     "commitment": {"document": record.commitment_doc, "sha256": record.commitment},
                     "beacon_value": beacon.get("value"), "beacon_drawn_on": beacon.get("drawn_on"),
                     "contributions": beacon.get("contributions") or {},
                     "seed": record.seed or None, "positions": sealed.positions_of(record)})
    else:  # v2: its class digests are unsalted (guessable for small classes), so only the hash is public
        data.update({"format": PUBLIC_FORMAT_V2, "commitment": {"sha256": record.commitment},
                     "seed_sha256": record.seed_commitment,
                     "seed": record.seed if record.status not in ("committed", "stale") else None,
                     "drawn": len(record.enterprises)})
    return data


def verify(draw_id: int) -> records.Verification:
    """一致/不一致: v3 from the public export alone; v2 by the platform from its stored inputs."""
    record = records.get(draw_id)
    if record.algorithm != draw_v3.ALGORITHM:
        return records.verify(draw_id)
    data = export(draw_id)
    if record.status == "failed" and not data["beacon_value"]:  # staffing failed: no value, no seed, no draw
        problems = draw_v3.check_commitment(data)
        return records.Verification("mismatch" if problems else "unseeded", problems)
    if record.status == "stale" or (record.status == "committed" and not data["beacon_value"]):
        problems = draw_v3.check_commitment(data)
        return records.Verification("mismatch" if problems else "pending", problems)
    problems = draw_v3.verify_public(data)
    return records.Verification("mismatch" if problems else "match", problems)


def xlsx(draw_id: int) -> bytes:
    """The public workbook: the draw's facts and its per-class table; no names."""
    record = records.get(draw_id)
    data = export(draw_id)
    book = exports.workbook(write_only=True)
    info = book.create_sheet("抽取信息")
    beacon = (record.commitment_doc or {}).get("beacon") or {}
    for label, value in (("检查活动", f"{data['campaign']['code']} {data['campaign']['title']}"),
                         ("抽取编号", record.id), ("状态", record.status), ("算法", record.algorithm),
                         ("抽取方式", record.mode), ("承诺值 SHA-256", record.commitment),
                         ("承诺时间", data["committed_at"]), ("公开随机值来源", beacon.get("source", "")),
                         ("公开随机值日期（不早于）", beacon.get("date", "")),
                         ("公开随机值", data.get("beacon_value") or ""), ("种子", data.get("seed") or "（尚未揭晓）"),
                         ("抽取时间", data["drawn_at"]), ("候选户数", record.candidate_count),
                         ("抽中户数", len(record.enterprises)), ("失败原因", "；".join(data["failure"]))):
        exports.append(info, [label, value])
    classes = book.create_sheet("各类别")
    exports.append(classes, ["类别", "候选户数", "比例（%）", "应抽户数", "名单 Merkle 根", "抽中位置（按抽取顺序）"])
    for row in class_table(record):
        exports.append(classes, [row["label"], row["candidates"], row["ratio"], row["size"], row["root"] or "",
                        " ".join(str(p) for p in row["positions"] or [])])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _iso(value) -> str | None:
    return value.isoformat() if value else None
