"""The supervisor's annual plan: list, create, approve."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select

from extensions import db
from models import Department, Industry, Region
from schemas.plan import CLASSES, PlanEntryCreateSchema
from services.workflow import clock
from services.stages import plans
from services.errors import Forbidden, ValidationFailed

bp = Blueprint("plans", __name__, url_prefix="/plans")


@bp.get("/")
@login_required
def index():
    return render_template("plans/index.html", entries=plans.list_entries(user=current_user))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if not current_user.has_role("supervisor"):
        raise Forbidden("只有联席会办公室可以制定年度计划")
    options = _options()
    if request.method == "POST":
        raw = _from_form(request.form)
        try:
            entry = plans.create_entry(current_user, PlanEntryCreateSchema().load(raw))
        except ValidationError as exc:
            return render_template("plans/new.html", errors=exc.messages, form=request.form, **options), 422
        except ValidationFailed as exc:
            return render_template("plans/new.html", errors=exc.errors, form=request.form, **options), 422
        flash(_("年度计划条目已创建，待审批"), "success")
        return redirect(url_for("plans.index", _anchor=f"entry-{entry.id}"))
    defaults = {f"ratio_{c}": v for c, v in current_app.config["DEFAULT_RATIOS"].items()}
    form = {"year": clock.today().year, "industry_id": request.args.get("industry_id", ""), **defaults}
    return render_template("plans/new.html", errors={}, form=form, **options)


@bp.post("/<int:entry_id>/approve")
@login_required
def approve(entry_id: int):
    plans.approve_entry(current_user, entry_id)
    flash(_("已审批；检查任务已下达牵头部门"), "success")
    return redirect(url_for("plans.index"))


def _options() -> dict:
    industries = db.session.scalars(select(Industry).order_by(Industry.code)).all()
    return {"industries": industries, "matters_by_industry": plans.matters_by_industry(), "departments": db.session.scalars(select(Department).order_by(Department.id)).all(),
            "classes": CLASSES, "regions": db.session.scalars(select(Region).order_by(Region.code)).all()}


def _from_form(form) -> dict:
    def num(name):
        value = form.get(name, "").strip()
        return value if value else None
    return {
        "year": num("year"), "industry_id": num("industry_id"), "lead_department_id": num("lead_department_id"),
        "partner_department_ids": form.getlist("partner_department_ids"), "matter_ids": form.getlist("matter_ids"),
        "ratios": {c: num(f"ratio_{c}") for c in CLASSES}, "method": form.get("method", ""),
        "timing": form.get("timing", ""), "result_handling": form.get("result_handling") or None,
        "draw_settings": _draw_settings_from_form(form),
    }


def _draw_settings_from_form(form) -> dict:
    """Only what the supervisor filled in: an absent field keeps the rule's default."""
    settings: dict = {}
    for name in ("mode", "overall_ratio", "min_per_class", "officers_per_department", "exclude_inspected_months",
                 "expert_field", "experts_per_enterprise", "exclude_inactive", "exclude_open_case"):
        value = form.get(name, "").strip()
        if value:
            settings[name] = value
    for name in ("region_ids", "extra_industry_ids"):
        if form.getlist(name):
            settings[name] = form.getlist(name)
    reasons = {c: form.get(f"zero_reason_{c}", "").strip() for c in CLASSES}
    if any(reasons.values()):
        settings["zero_reasons"] = {c: r for c, r in reasons.items() if r}
    target = {"credit_classes": form.getlist("target_credit_classes"),
              "name_contains": form.get("target_name_contains", "").strip(),
              "address_contains": form.get("target_address_contains", "").strip(),
              "entity": form.get("target_entity", "")}
    if settings.get("mode") == "targeted":
        settings["target"] = target
    return settings
