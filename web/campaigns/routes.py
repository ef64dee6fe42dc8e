"""Campaign pages: list, detail (stage, history, tasks), and requesting a special action."""
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from services.directory import catalogue
from services.stages import initiation as campaigns
from services.stages import history
from services.stages import review_figures
from services.stages import areas
from services.stages import invitations
from services.stages import kinds
from services.stages import themes
from services.workflow import task_views
from services.errors import ValidationFailed
from web.model_files import model_response
from web.campaigns import history as history_text
from web.form_errors import FormErrors, for_page

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")


@bp.get("/")
@login_required
def index():
    return render_template("campaigns/index.html", campaigns=campaigns.visible_campaigns(current_user))


@bp.get("/<int:campaign_id>")
@login_required
def detail(campaign_id: int):
    campaign = campaigns.get_campaign(current_user, campaign_id)
    return render_template("campaigns/detail.html", campaign=campaign, history=history.campaign_history(campaign),
                           sentence=history_text.sentence, history_link=history_text.link,
                           tasks=task_views.describe(campaigns.campaign_tasks(campaign), current_user), figures=review_figures.campaign_figures(campaign),
                           theme=themes.summary(campaign.id))


@dataclass(frozen=True)
class _ActionRequest:
    """The words of a request for a campaign outside the annual plan (one template, two kinds)."""
    title: str
    intro: str
    reason_label: str
    submitted: str


def _request_action(request_action, words: _ActionRequest):
    """Parse → the service → the campaign page, or the form again with its errors and what was typed."""
    industries = catalogue.list_industries()
    if request.method == "POST":
        try:
            campaign = request_action(current_user, industry_id=request.form.get("industry_id", type=int) or 0,
                                      reason=request.form.get("reason", ""))
        except ValidationFailed as exc:
            errors = for_page(exc.errors, {"industry_id": _("行业"), "reason": words.reason_label})
            return render_template("campaigns/request_action.html", action=words, industries=industries,
                                   errors=errors, form=request.form), 422
        flash(words.submitted, "success")
        return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
    return render_template("campaigns/request_action.html", action=words, industries=industries,
                           errors=FormErrors(), form={})


@bp.route("/special", methods=["GET", "POST"])
@login_required
def special():
    return _request_action(campaigns.request_special_action, _ActionRequest(
        _("发起专项行动"), _("专项行动不在年度计划内，提交后由联席会办公室审批；批准后由本部门牵头发起联合检查。"),
        _("理由"), _("专项行动已提交联席会办公室审批")))


@bp.route("/emergency", methods=["GET", "POST"])
@login_required
def emergency():
    return _request_action(kinds.request_emergency_action, _ActionRequest(
        _("发起应急联合行动"), _("应急联合行动不经年度计划，由联席会办公室审批；各阶段和待办的时限以小时计，在督办看板上显示。"),
        _("事由"), _("应急联合行动已提交联席会办公室审批")))


@bp.route("/invite", methods=["GET", "POST"])
@login_required
def invite():
    industry_id = request.values.get("industry_id", type=int)
    choices = invitations.form_choices(current_user, industry_id)
    if request.method == "POST":
        try:
            campaign = invitations.invite(current_user, industry_id=industry_id or 0, reason=request.form.get("reason", ""),
                                          department_ids=_ids(request.form, "department_ids"),
                                          matter_ids=_ids(request.form, "matter_ids"))
        except ValidationFailed as exc:
            errors = for_page(exc.errors, {"industry_id": _("行业"), "department_ids": _("邀请部门（1–4 个）"),
                                           "matter_ids": _("检查事项"), "reason": _("事由")})
            return render_template("campaigns/invite.html", errors=errors, form=request.form, **choices), 422
        flash(_("联合检查要约已发出"), "success")
        return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
    return render_template("campaigns/invite.html", errors=FormErrors(), form=request.args, **choices)


@bp.route("/invitation-rules", methods=["GET", "POST"])
@login_required
def invitation_rules():
    if request.method == "POST":
        invitations.set_rule(current_user, request.form.get("region_id", type=int) or 0,
                             request.form.get("approval_required") == "1")
        flash(_("要约审批规则已保存"), "success")
        return redirect(url_for("campaigns.invitation_rules"))
    return render_template("campaigns/invitation_rules.html", rules=invitations.rules(current_user))


def _ids(form, name: str) -> list[int]:
    return [int(v) for v in form.getlist(name) if v.isdigit()]


@bp.route("/areas", methods=["GET", "POST"])
@login_required
def named_areas():
    choices = themes.form_choices(current_user)
    if request.method == "POST":
        try:
            areas.create(current_user, name=request.form.get("name", ""), region_ids=_ids(request.form, "region_ids"),
                         address_patterns=request.form.get("address_patterns", "").splitlines())
        except ValidationFailed as exc:
            errors = for_page(exc.errors, {"name": _("区域名称"), "region_ids": _("包含的区域"),
                                           "address_patterns": _("地址关键词")})
            return render_template("campaigns/areas.html", errors=errors, form=request.form,
                                   described=areas.described(current_user), **choices), 422
        flash(_("命名区域已保存"), "success")
        return redirect(url_for("campaigns.named_areas"))
    return render_template("campaigns/areas.html", errors=FormErrors(), form={}, described=areas.described(current_user),
                           **choices)


@bp.route("/themed", methods=["GET", "POST"])
@login_required
def themed():
    choices = themes.form_choices(current_user)
    if request.method == "POST":
        try:
            campaign = themes.request_themed_action(current_user, _themed_from_form(request.form))
        except ValidationFailed as exc:
            return render_template("campaigns/themed.html", errors=for_page(exc.errors, _themed_labels()),
                                   form=request.form, **choices), 422
        flash(_("专项（板块）行动已提交联席会办公室审批"), "success")
        return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
    return render_template("campaigns/themed.html", errors=FormErrors(), form={}, **choices)


def _themed_labels() -> dict:  # noqa: N802 - translated when the page is built
    return {"name": _("行动名称"), "code": _("行动编号"), "industry_ids": _("行业（可多选）"),
            "region_ids": _("区域（可多选，含乡镇/街道；不选 = 本部门所在区域）"), "address_patterns": _("地址关键词"),
            "window": _("行动期间"), "reason": _("理由"), "area_id": _("命名区域")}


def _themed_from_form(form) -> dict:
    return {"name": form.get("name", ""), "code": form.get("code", ""), "industry_ids": _ids(form, "industry_ids"),
            "region_ids": _ids(form, "region_ids"), "area_id": form.get("area_id", type=int), "area_name": form.get("area_name", ""),
            "address_patterns": form.get("address_patterns", "").replace("，", "\n").splitlines(),
            "starts_on": _date(form.get("starts_on")), "ends_on": _date(form.get("ends_on")),
            "public": form.get("public") == "1", "reason": form.get("reason", "")}


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@bp.get("/<int:campaign_id>/diagram.xml")
@login_required
def diagram_xml(campaign_id: int):
    xml, _ = campaigns.diagram(current_user, campaign_id)
    return model_response(xml, f"campaign-{campaign_id}.bpmn")


@bp.get("/<int:campaign_id>/diagram-states.json")
@login_required
def diagram_states(campaign_id: int):
    _, states = campaigns.diagram(current_user, campaign_id)
    return jsonify(states)
