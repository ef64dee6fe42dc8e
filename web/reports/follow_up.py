"""Follow-up pages (/follow-up): an enterprise's follow-up record, transfer receipts, cases."""
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from services.stages import cases
from services.stages import joint_cases
from services.stages import follow_up
from services.errors import ValidationFailed
from web.form_errors import FormErrors, for_page

bp = Blueprint("follow_up", __name__, url_prefix="/follow-up")


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _campaign_id() -> int | None:
    value = request.form.get("campaign_id")
    return int(value) if value and value.isdigit() else None


@bp.get("/enterprises/<int:enterprise_id>")
@login_required
def enterprise(enterprise_id: int):
    record = follow_up.enterprise_follow_up(current_user, enterprise_id)
    return render_template("reports/enterprise.html", r=record, kinds=follow_up.SERVICE_KINDS, errors=FormErrors(),
                           failed=None)


@bp.post("/enterprises/<int:enterprise_id>/commitments")
@login_required
def add_commitment(enterprise_id: int):
    try:
        follow_up.add_credit_commitment(current_user, enterprise_id, content=request.form.get("content", ""),
                                        signed_on=_date(request.form.get("signed_on")), campaign_id=_campaign_id())
    except ValidationFailed as exc:
        errors = for_page(exc.errors, {"signed_on": _("签署日期"), "content": _("承诺内容")})
        return _enterprise_page(enterprise_id, errors, "commitment"), 422
    flash(_("信用承诺书已登记"), "success")
    return redirect(url_for("follow_up.enterprise", enterprise_id=enterprise_id))


@bp.post("/enterprises/<int:enterprise_id>/services")
@login_required
def add_service(enterprise_id: int):
    try:
        follow_up.add_service_record(current_user, enterprise_id, kind=request.form.get("kind", ""),
                                     content=request.form.get("content", ""),
                                     delivered_on=_date(request.form.get("delivered_on")), campaign_id=_campaign_id())
    except ValidationFailed as exc:
        # The commitment form above has its own `content` field: this one is service_content on the page.
        named = {("service_content" if key == "content" else key): value for key, value in exc.errors.items()}
        errors = for_page(named, {"kind": _("服务类型"), "delivered_on": _("日期"), "service_content": _("内容")})
        return _enterprise_page(enterprise_id, errors, "service"), 422
    flash(_("服务记录已登记"), "success")
    return redirect(url_for("follow_up.enterprise", enterprise_id=enterprise_id))


def _enterprise_page(enterprise_id: int, errors, failed: str):
    record = follow_up.enterprise_follow_up(current_user, enterprise_id)
    return render_template("reports/enterprise.html", r=record, kinds=follow_up.SERVICE_KINDS, errors=errors,
                           failed=failed)


@bp.post("/transfers/<int:transfer_id>/acknowledge")
@login_required
def acknowledge_transfer(transfer_id: int):
    try:
        transfer = follow_up.acknowledge_transfer(current_user, transfer_id,
                                                  acknowledged_by=request.form.get("acknowledged_by", ""),
                                                  receipt_no=request.form.get("receipt_no"))
    except ValidationFailed as exc:
        # Each transfer has its own receipt form: its controls are named transfer-<id>-<field> on the page.
        key = f"transfer-{transfer_id}"
        errors = for_page({f"{key}-{name}": v for name, v in exc.errors.items()},
                          {f"{key}-acknowledged_by": _("接收人"), f"{key}-receipt_no": _("回执编号")})
        return _enterprise_page(follow_up.transfer_enterprise(transfer_id), errors, key), 422
    flash(_("移送回执已登记"), "success")
    return redirect(url_for("follow_up.enterprise", enterprise_id=transfer.enterprise_id))


@bp.post("/transfers/<int:transfer_id>/outcome")
@login_required
def transfer_outcome(transfer_id: int):
    transfer = follow_up.record_transfer_outcome(current_user, transfer_id, outcome=request.form.get("outcome", ""))
    flash(_("移送的处理结果已登记"), "success")
    return redirect(url_for("follow_up.enterprise", enterprise_id=transfer.enterprise_id))


@bp.get("/cases")
@login_required
def case_list():
    return render_template("reports/cases.html", cases=cases.visible_cases(current_user))


@bp.route("/cases/<int:case_id>", methods=["GET", "POST"])
@login_required
def case_detail(case_id: int):
    case = cases.get_case(current_user, case_id)
    if request.method == "POST":
        try:
            cases.update_case(current_user, case_id, procedure=request.form.get("procedure", ""),
                              status=request.form.get("status", ""), penalty=request.form.get("penalty"),
                              summary=request.form.get("summary"))
        except ValidationFailed as exc:
            errors = for_page(exc.errors, {"procedure": _("程序"), "status": _("状态"), "penalty": _("罚没金额（元）"),
                                           "summary": _("案情 / 处理结果")})
            return _case_page(case, errors), 422
        flash(_("案件信息已保存"), "success")
        return redirect(url_for("follow_up.case_detail", case_id=case_id))
    return _case_page(case, FormErrors())


def _case_page(case, errors, joint_errors=None):
    return render_template("reports/case.html", case=case, errors=errors, joint_errors=joint_errors or FormErrors(),
                           involved=joint_cases.involved(case.id), departments=joint_cases.candidate_departments(case))


@bp.post("/cases/<int:case_id>/joint-review")
@login_required
def case_joint_review(case_id: int):
    try:
        joint_cases.start_review(current_user, case_id, request.form.getlist("department_ids"))
    except ValidationFailed as exc:
        errors = for_page(exc.errors, {"department_ids": _("共同办案的部门")})
        return _case_page(cases.get_case(current_user, case_id), FormErrors(), errors), 422
    flash(_("已提请联合会审，各部门的会审任务已派发"), "success")
    return redirect(url_for("follow_up.case_detail", case_id=case_id))
