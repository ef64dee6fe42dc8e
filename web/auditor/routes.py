"""The auditor's (纪检监察/督查) home, and the rule that makes the role read-only and every view of it audited.

The guard sits here, before every request of the application, because read-only is a property of the
account, not of any one page: an auditor's POST is refused whatever the endpoint, except entering a draw's
public value, signing in or out, changing its own password and switching the language. The services refuse
too (they check roles); this guard makes the promise hold for routes added later.
"""
from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from services import auditor
from services.draw import beacon
from services.draw import stage as draw
from services.errors import Forbidden
from services.stages import initiation as campaigns
from web.verify.routes import DRAW_STATUS

bp = Blueprint("auditor", __name__, url_prefix="/auditor")

# Its own password is the account's hygiene, not the regulator's data.
WRITES_ALLOWED = {"draws.enter_beacon", "auth.login", "auth.logout", "auth.password", "i18n.switch"}
NOT_RECORDED = {"static", "vendor.asset"}


@bp.before_app_request
def _read_only_and_audited():
    if not auditor.is_auditor(current_user):
        return
    if request.method not in ("GET", "HEAD", "OPTIONS") and request.endpoint not in WRITES_ALLOWED:
        raise Forbidden("纪检监察（审计）账号只能查看，不能修改")
    if request.method == "GET" and request.endpoint not in NOT_RECORDED:
        auditor.record_view(current_user, request.endpoint, request.full_path.rstrip("?"))


@bp.get("/")
@login_required
def index():
    if not auditor.is_auditor(current_user):
        raise Forbidden("只有纪检监察（审计）人员可以查看该页")
    visible = campaigns.visible_campaigns(current_user)
    return render_template("auditor/index.html", waiting=beacon.waiting(current_user), campaigns=visible,
                           draws={c.id: draw.draws_of(c.id) for c in visible}, labels=DRAW_STATUS)
