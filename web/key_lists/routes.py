"""Key-object lists: the lists of the viewer's region, one list's members and history, and its forms."""
import shutil
import tempfile
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from services.errors import Conflict, ValidationFailed
from services.imports.files import ImportRefused
from services.key_lists import campaigns as key_campaigns
from services.key_lists import imports, lists
from web.form_errors import for_page
from web.i18n import N_

bp = Blueprint("key_lists", __name__, url_prefix="/key-lists")
NEW_LABELS = {"name": N_("名录名称"), "description": N_("说明")}
MEMBER_LABELS = {"uscc": N_("统一社会信用代码"), "reason": N_("列入理由"), "added_on": N_("列入日期"),
                 "removed_reason": N_("移出理由"), "removed_on": N_("移出日期"), "file": N_("文件"),
                 "ratio": N_("提高抽查比例")}

# The file format's column names: the same in both languages.
IMPORT_COLUMNS = "、".join(aliases[0] for aliases in imports.COLUMNS.values())


def _labels(labels: dict[str, str]) -> dict[str, str]:
    return {name: _(text) for name, text in labels.items()}


@bp.get("/")
@login_required
def index(errors: dict | None = None, status: int = 200):
    return render_template("key_lists/index.html", lists=lists.visible_lists(current_user),
                           errors=for_page(errors, _labels(NEW_LABELS)), form=request.form), status


@bp.post("/")
@login_required
def create():
    try:
        key_list = lists.create(current_user, request.form.get("name", ""), request.form.get("description", ""))
    except ValidationFailed as exc:
        return index(exc.errors, 422)
    flash(_("已建立名录「%(name)s」", name=key_list.name), "success")
    return redirect(url_for("key_lists.detail", list_id=key_list.id))


@bp.get("/<int:list_id>")
@login_required
def detail(list_id: int, errors: dict | None = None, status: int = 200, report=None):
    page = lists.view(current_user, list_id)
    return render_template("key_lists/detail.html", page=page, errors=for_page(errors, _labels(MEMBER_LABELS)),
                           form=request.form, report=report, columns=IMPORT_COLUMNS, campaigns=key_campaigns.campaigns_of(list_id),
                           attachable=key_campaigns.attachable_campaigns(current_user, page.key_list)), status


@bp.post("/<int:list_id>/members")
@login_required
def add_member(list_id: int):
    try:
        entry = lists.add_member(current_user, list_id, request.form.get("uscc", ""), request.form.get("reason", ""),
                                 request.form.get("added_on"))
    except ValidationFailed as exc:
        return detail(list_id, exc.errors, 422)
    except Conflict as exc:
        return detail(list_id, {"uscc": [exc.message]}, 409)
    flash(_("已将「%(name)s」列入名录", name=entry.enterprise.name), "success")
    return redirect(url_for("key_lists.detail", list_id=list_id))


@bp.post("/<int:list_id>/members/<int:entry_id>/remove")
@login_required
def remove_member(list_id: int, entry_id: int):
    try:
        entry = lists.remove_member(current_user, list_id, entry_id, request.form.get("removed_reason", ""),
                                    request.form.get("removed_on"))
    except ValidationFailed as exc:
        return detail(list_id, exc.errors, 422)
    flash(_("已将「%(name)s」移出名录", name=entry.enterprise.name), "success")
    return redirect(url_for("key_lists.detail", list_id=list_id))


@bp.post("/<int:list_id>/import")
@login_required
def import_members(list_id: int):
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return detail(list_id, {"file": ["请选择要导入的 XLSX 或 CSV 文件"]}, 422)
    with tempfile.TemporaryDirectory(prefix="key-list-") as tmp:
        path = Path(tmp) / ("upload" + Path(upload.filename).suffix.lower()[:6])
        with open(path, "wb") as out:
            shutil.copyfileobj(upload.stream, out, 1024 * 1024)
        if path.stat().st_size > current_app.config["IMPORT_MAX_BYTES"]:
            return detail(list_id, {"file": ["文件过大"]}, 413)
        try:
            report = imports.import_members(current_user, list_id, path, upload.filename)
        except ImportRefused as exc:
            return detail(list_id, {"file": [exc.message]}, 422)
    return detail(list_id, report=report, status=200 if report.applied else 422)


@bp.post("/<int:list_id>/campaigns")
@login_required
def attach(list_id: int):
    try:
        link = key_campaigns.attach(current_user, list_id, request.form.get("campaign_id", type=int) or 0,
                                    request.form.get("ratio"))
    except ValidationFailed as exc:
        return detail(list_id, exc.errors, 422)
    if link.ratio is None:
        flash(_("检查活动将只从本名录的在册对象中抽取"), "success")
    else:
        flash(_("检查活动将按不低于 %(ratio)s%% 的比例抽取本名录的在册对象", ratio=link.ratio), "success")
    return redirect(url_for("key_lists.detail", list_id=link.key_list_id))
