"""Campaign pages: list, detail (stage, history, tasks), and requesting a special action."""
from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from services.directory import catalogue
from services.stages import initiation as campaigns
from services.stages import history
from services.stages import review
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
                           tasks=task_views.describe(campaigns.campaign_tasks(campaign), current_user), figures=review.campaign_figures(campaign))


@bp.route("/special", methods=["GET", "POST"])
@login_required
def special():
    industries = catalogue.list_industries()
    if request.method == "POST":
        try:
            industry_id = int(request.form.get("industry_id") or 0)
            campaign = campaigns.request_special_action(current_user, industry_id=industry_id,
                                                        reason=request.form.get("reason", ""))
        except ValidationFailed as exc:
            errors = for_page(exc.errors, {"industry_id": _("行业"), "reason": _("理由")})
            return render_template("campaigns/special.html", industries=industries, errors=errors,
                                   form=request.form), 422
        flash(_("专项行动已提交联席会办公室审批"), "success")
        return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
    return render_template("campaigns/special.html", industries=industries, errors=FormErrors(), form={})


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
