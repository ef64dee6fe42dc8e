"""The enterprise portal (企业端) under /enterprise/: its own login and pages, apart from the officials' UI.

The enterprise's identity lives in the session under its own key ("portal_enterprise"), never as a
Flask-Login user, so nothing of the officials' UI opens to it and logging out of one leaves the other alone.
"""
from functools import wraps

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from services.errors import ValidationFailed
from services.portal import login as portal_login
from services.portal import objections, records, satisfaction
from services.stages import evidence
from services.workflow import clock
from web.i18n import known, known_errors
from web.uploads import evidence_file

bp = Blueprint("portal", __name__, url_prefix="/enterprise")
SESSION_KEY, USCC_KEY = "portal_enterprise", "portal_uscc"


def enterprise_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        g.enterprise_id = session.get(SESSION_KEY)
        g.enterprise = records.me(g.enterprise_id) if g.enterprise_id is not None else None
        if g.enterprise is None:
            session.pop(SESSION_KEY, None)
            return redirect(url_for("portal.login"))
        return view(*args, **kwargs)
    return wrapper


@bp.get("/")
@enterprise_required
def index():
    return render_template("portal/index.html", inspections=records.my_inspections(g.enterprise_id))


@bp.get("/inspections/<int:inspection_id>")
@enterprise_required
def inspection(inspection_id: int):
    return inspection_page(inspection_id, {}, {})


@bp.post("/inspections/<int:inspection_id>/objection")
@enterprise_required
def objection(inspection_id: int):
    item_ids = [int(v) for v in request.form.getlist("item_ids") if v.isdigit()]
    uploads = [evidence.Upload(None, f.filename or "", f.stream) for f in request.files.getlist("evidence")]
    try:
        objections.file(g.enterprise_id, inspection_id, item_ids, request.form.get("reason", ""), uploads)
    except ValidationFailed as exc:
        flash(known(exc.message), "error")  # e.g. 文件类型不允许，本次上传的文件均未保存
        errors = known_errors(exc.errors)
        return inspection_page(inspection_id, errors, {"item_ids": item_ids, "reason": request.form.get("reason", "")}), 422
    flash(_("异议已提交，牵头部门将在规定期限内答复"), "success")
    return redirect(url_for("portal.inspection", inspection_id=inspection_id))


@bp.get("/objection-files/<int:file_id>")
@enterprise_required
def objection_file(file_id: int):
    row, path = objections.enterprise_file(g.enterprise_id, file_id)
    return evidence_file(row, path)


def inspection_page(inspection_id: int, errors: dict, values: dict):
    record = records.inspection(g.enterprise_id, inspection_id)
    return render_template("portal/inspection.html", record=record, errors=errors, values=values,
                           objections=objections.for_inspection(g.enterprise_id, inspection_id),
                           objection_files=objections.files_by_objection(g.enterprise_id, inspection_id),
                           window_closes=objections.window_for(g.enterprise_id, inspection_id), today=clock.today(),
                           rating=satisfaction.for_inspection(g.enterprise_id, inspection_id),
                           can_rate=satisfaction.closed(records.own(g.enterprise_id, inspection_id)))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("portal/login.html", uscc=session.get(USCC_KEY, ""), errors={})
    uscc = request.form.get("uscc", "")
    try:
        message_id = portal_login.request_code(uscc, request.remote_addr)
    except ValidationFailed as exc:
        return render_template("portal/login.html", uscc=uscc, errors=exc.errors), 422
    session[USCC_KEY] = uscc.strip().upper()
    flash(_("如该统一社会信用代码已登记联系手机，验证码已发送，%(minutes)s 分钟内有效。", minutes=current_app.config["PORTAL_CODE_MINUTES"]), "success")
    response = redirect(url_for("portal.code"))
    if message_id is not None:  # sent once the answer is out: its timing must not tell a registered USCC
        response.call_on_close(_in_app_context(portal_login.deliver_code, message_id))
    return response


def _in_app_context(function, *args):
    """`function(*args)` for after the response: the request's app context is gone by then (leaving the new one
    ends its database session)."""
    app = current_app._get_current_object()

    def run():
        with app.app_context():
            function(*args)
    return run


@bp.route("/login/code", methods=["GET", "POST"])
def code():
    uscc = session.get(USCC_KEY)
    if not uscc:
        return redirect(url_for("portal.login"))
    if request.method == "GET":
        return render_template("portal/code.html", uscc=uscc, errors={})
    try:
        enterprise = portal_login.verify_code(uscc, request.form.get("code", ""))
    except ValidationFailed as exc:
        return render_template("portal/code.html", uscc=uscc,
                               errors=known_errors(exc.errors)), 422
    session.pop(USCC_KEY, None)
    session[SESSION_KEY] = enterprise.id
    return redirect(url_for("portal.index"))


@bp.post("/logout")
def logout():
    session.pop(SESSION_KEY, None)
    return redirect(url_for("portal.login"))
