"""Public draw records (双随机 公开): commitment, public value, seed, positions; recomputed here. No login.

What may appear is docs/disclosure.md's rule, applied in services/draw/disclosure.py: no enterprise,
candidate, officer or expert is named here, before or after the results are published.
"""
import json

from flask import Blueprint, Response, render_template

from services.draw import disclosure
from services.draw import records as draw_records
from web.i18n import N_

bp = Blueprint("verify", __name__, url_prefix="/verify")

DRAW_STATUS = {"committed": N_("已承诺，待抽取"), "drawn": N_("已抽取"), "failed": N_("抽取失败"),
               "superseded": N_("已被重新抽取取代"), "stale": N_("已作废：承诺后部分企业已列入其他活动的检查")}


@bp.get("/")
def index():
    return render_template("verify/index.html", draws=disclosure.draws(), labels=DRAW_STATUS)


@bp.get("/draw/<int:draw_id>")
def draw(draw_id: int):
    record = draw_records.get(draw_id)
    return render_template("verify/draw.html", record=record, outcome=disclosure.verify(draw_id),
                           data=disclosure.export(draw_id), classes=disclosure.class_table(record),
                           redraws=draw_records.redraws_of(record), labels=DRAW_STATUS,
                           campaign=draw_records.campaign_of(record),
                           contributions=disclosure.contribution_rows(record))


@bp.get("/draw/<int:draw_id>.json")
def draw_json(draw_id: int):
    body = json.dumps(disclosure.export(draw_id), ensure_ascii=False, separators=(",", ":"))
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename=draw-{draw_id}.json"})


@bp.get("/draw/<int:draw_id>.xlsx")
def draw_xlsx(draw_id: int):
    return Response(disclosure.xlsx(draw_id),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=draw-{draw_id}.xlsx"})
