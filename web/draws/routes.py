"""The draw inside the platform: a campaign's draws, retry after a failure, execute, redraw and its approval;
the whole draw for supervisors and auditors (full export, faithfulness check) and the auditor's public value."""
import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from services.stages import initiation as campaigns
from services.draw import stage as draw
from services.draw import records as draw_records
from services.draw import redraw as draw_redraw
from services.draw import audit_view
from services.draw import beacon
from services.draw import contributions
from services.errors import ValidationFailed
from web.verify.routes import DRAW_STATUS

bp = Blueprint("draws", __name__, url_prefix="/draws")


@bp.app_context_processor
def _draw_state():
    """`current_draw(campaign_id)` for other pages' banners (the campaign page shows a failed draw)."""
    return {"current_draw": draw.current_draw}


@bp.get("/campaign/<int:campaign_id>")
@login_required
def campaign(campaign_id: int):
    campaign = campaigns.get_campaign(current_user, campaign_id)
    records = draw.draws_of(campaign.id)
    current = draw.current_draw(campaign.id)
    is_lead = current_user.department_id == campaign.lead_department_id
    reveal_at = draw.reveal_at(current) if current and current.committed_at else None
    return render_template("draws/campaign.html", campaign=campaign, records=records, current=current,
                           rows=draw_records.drawn_rows(current) if current and current.status != "committed" else [],
                           is_lead=is_lead,
                           labels=DRAW_STATUS, reveal_at=reveal_at)


@bp.route("/campaign/<int:campaign_id>/contribution", methods=["GET", "POST"])
@login_required
def contribution(campaign_id: int):
    """随机贡献值: the department commits (the browser sends only the hash) and later reveals its value."""
    errors, status = {}, 200
    if request.method == "POST":
        try:
            if request.form.get("action") == "reveal":
                contributions.reveal(current_user, campaign_id, request.form.get("value", ""))
                flash(_("已揭示本部门的随机贡献值"), "success")
            else:
                contributions.commit(current_user, campaign_id, request.form.get("commitment", ""))
                flash(_("已提交本部门的随机贡献承诺。请妥善保存贡献值，抽取承诺公布后须凭它揭示。"), "success")
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        else:
            return redirect(url_for("draws.contribution", campaign_id=campaign_id))
    return render_template("draws/contribution.html", view=contributions.view(current_user, campaign_id),
                           errors=errors), status


@bp.post("/campaign/<int:campaign_id>/retry")
@login_required
def retry(campaign_id: int):
    record = draw.retry(current_user, campaign_id)
    if record.status == "failed":
        flash(_("仍无法完成抽取：%(failure)s", failure=record.failure.replace("\n", "；")), "error")
    else:
        flash(_("已重新抽取") if record.status == "drawn" else _("抽取承诺已公布，到时自动执行"), "success")
    return redirect(url_for("draws.campaign", campaign_id=campaign_id))


@bp.post("/<int:draw_id>/execute")
@login_required
def execute(draw_id: int):
    record = draw.execute_now(current_user, draw_id)
    flash(_("抽取已执行") if record.status == "drawn" else _("抽取未能完成：%(failure)s", failure=record.failure or ""),
          "success" if record.status == "drawn" else "error")
    return redirect(url_for("draws.campaign", campaign_id=record.campaign_id))


@bp.post("/<int:draw_id>/redraw")
@login_required
def request_redraw(draw_id: int):
    redraw = draw_redraw.request_redraw(current_user, draw_id, request.form.get("reason", ""))
    flash(_("重新抽取申请已提交联席会办公室审批"), "success")
    return redirect(url_for("draws.campaign", campaign_id=redraw.draw.campaign_id))


@bp.get("/redraws")
@login_required
def redraws():
    return render_template("draws/redraws.html", requests=draw_redraw.pending_requests(current_user))


@bp.post("/redraws/<int:request_id>")
@login_required
def decide(request_id: int):
    approve = request.form.get("decision") == "approve"
    redraw = draw_redraw.decide(current_user, request_id, approve, request.form.get("note"))
    flash(_("已批准，已重新抽取；原抽取记录保留并公开") if approve else _("已驳回重新抽取申请"), "success")
    if redraw.new_draw_id:
        return redirect(url_for("verify.draw", draw_id=redraw.new_draw_id))
    return redirect(url_for("draws.redraws"))


@bp.get("/<int:draw_id>/list.xlsx")
@login_required
def list_xlsx(draw_id: int):
    """The drawn list with names and officers: for the participating departments, supervisors and auditors."""
    return Response(audit_view.named_list_xlsx(current_user, draw_id),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=draw-{draw_id}-list.xlsx"})


@bp.get("/<int:draw_id>/full")
@login_required
def full(draw_id: int):
    view = audit_view.full_view(current_user, draw_id)
    return render_template("draws/full.html", view=view, labels=DRAW_STATUS, errors={}, entered={})


@bp.get("/<int:draw_id>/full.json")
@login_required
def full_json(draw_id: int):
    body = json.dumps(audit_view.full_export(current_user, draw_id), ensure_ascii=False, separators=(",", ":"))
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename=draw-{draw_id}-full.json"})


@bp.post("/<int:draw_id>/beacon")
@login_required
def enter_beacon(draw_id: int):
    value, drawn_on = request.form.get("value", ""), request.form.get("drawn_on", "")
    try:
        record = beacon.enter(current_user, draw_id, value, drawn_on)
    except ValidationFailed as exc:  # the form again, with what was entered and why it was refused
        view = audit_view.full_view(current_user, draw_id)
        return render_template("draws/full.html", view=view, labels=DRAW_STATUS, errors=exc.errors,
                               entered={"value": value, "drawn_on": drawn_on}), 422
    if record.status == "drawn":
        flash(_("已录入公开随机值，抽取已执行"), "success")
    else:
        flash(_("已录入公开随机值，但抽取未能完成：%(failure)s", failure=record.failure or ""), "error")
    return redirect(url_for("draws.full", draw_id=draw_id))
