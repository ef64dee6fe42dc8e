"""The supervisor's annual plan: list, create, approve."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError

from forms.errors import flatten
from schemas.plan import CLASSES, PlanEntryCreateSchema
from services.workflow import clock
from services.stages import plans
from services.errors import ValidationFailed
from web.form_errors import FormErrors, for_page

bp = Blueprint("plans", __name__, url_prefix="/plans")


@bp.get("/")
@login_required
def index():
    return render_template("plans/index.html", entries=plans.list_entries(user=current_user))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    options = _options()
    if request.method == "POST":
        raw = _from_form(request.form)
        try:
            entry = plans.create_entry(current_user, PlanEntryCreateSchema().load(raw))
        except ValidationError as exc:
            return render_template("plans/new.html", errors=_errors(exc.messages), form=request.form, **options), 422
        except ValidationFailed as exc:
            return render_template("plans/new.html", errors=_errors(exc.errors), form=request.form, **options), 422
        flash(_("年度计划条目已创建，待审批"), "success")
        return redirect(url_for("plans.index", _anchor=f"entry-{entry.id}"))
    defaults = {f"ratio_{c}": v for c, v in current_app.config["DEFAULT_RATIOS"].items()}
    form = {"year": clock.today().year, "industry_id": request.args.get("industry_id", ""), **defaults}
    return render_template("plans/new.html", errors=FormErrors(), form=form, **options)


@bp.post("/<int:entry_id>/approve")
@login_required
def approve(entry_id: int):
    plans.approve_entry(current_user, entry_id)
    flash(_("已审批；检查任务已下达牵头部门"), "success")
    return redirect(url_for("plans.index"))


def _options() -> dict:
    return {**plans.form_options(current_user), "classes": CLASSES}


def _errors(errors: dict) -> FormErrors:
    """Schema and service errors under the names of the page's controls, labelled as the page labels them:
    the schema nests draw settings (draw_settings.mode) where the service names them plainly (mode), and
    a class's ratio or a target condition belongs to its group (ratios.A → ratios)."""
    named: dict[str, list] = {}
    for name, messages in flatten(errors):
        named.setdefault(name.removeprefix("draw_settings.").split(".")[0], []).extend(messages)
    labels = {
        "year": _("年度"), "industry_id": _("行业"), "lead_department_id": _("牵头部门"),
        "partner_department_ids": _("配合部门（0–4 个；不选 = 单部门抽查）"), "matter_ids": _("检查事项（须属于所选行业）"),
        "ratios": _("抽查比例（%%，按信用风险等级）"), "zero_reasons": _("免抽理由（比例为 0%% 的等级必须填写；原则上不免抽）"),
        "mode": _("抽取方式"), "overall_ratio": _("不定向抽取比例（%%）"), "target": _("定向条件"),
        "min_per_class": _("每个等级最少抽取户数（比例大于 0 时）"), "officers_per_department": _("每个参与部门每户派出执法人员（名）"),
        "exclude_inspected_months": _("排除最近几个月内已就本次事项检查过的主体（0 = 不排除）"),
        "region_ids": _("抽查区域（不选 = 牵头部门所在区域；区域联查可多选）"),
        "extra_industry_ids": _("附加行业（同一次抽取覆盖多个行业）"), "expert_field": _("抽取专家（专业领域 / 每户人数，可不填）"),
        "method": _("检查方式"), "timing": _("时间安排"), "result_handling": _("结果处理")}
    # The page's msgids are python-format (its Jinja gettext formats them, turning %% into %); plain gettext does not.
    return for_page(named, {name: text.replace("%%", "%") for name, text in labels.items()})


def _from_form(form) -> dict:
    def num(name):
        value = form.get(name, "").strip()
        return value if value else None
    return {
        "year": num("year"), "industry_id": num("industry_id"), "lead_department_id": num("lead_department_id"),
        "partner_department_ids": form.getlist("partner_department_ids"), "matter_ids": form.getlist("matter_ids"),
        "ratios": {c: num(f"ratio_{c}") for c in CLASSES}, "method": num("method"),
        "timing": num("timing"), "result_handling": form.get("result_handling") or None,
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
