"""Portal pages: the self-check (企业自查, logged in) and the compliance guide (一次性告知, no login): each
industry's compliance manual and a link to the public matter list. Routes join the portal blueprint."""
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.directory import catalogue
from services.errors import ValidationFailed
from services.portal import self_checks
from web.i18n import known_errors
from web.portal.routes import bp, enterprise_required


@bp.get("/guide/")
def guide():
    return render_template("portal/guide.html", industries=catalogue.list_industries())


@bp.get("/guide/industries/<int:industry_id>")
def manual(industry_id: int):
    industry, revision, sections = catalogue.manual(industry_id)
    return render_template("portal/manual.html", industry=industry, revision=revision, sections=sections)


@bp.route("/self-check", methods=["GET", "POST"])
@enterprise_required
def self_check():
    if request.method == "GET":
        return _page({}, {}, {})
    answers = {int(k[7:]): v for k, v in request.form.items() if k.startswith("result-") and k[7:].isdigit()}
    notes = {int(k[5:]): v for k, v in request.form.items() if k.startswith("note-") and k[5:].isdigit()}
    try:
        self_checks.save(g.enterprise_id, answers, notes)
    except ValidationFailed as exc:
        return _page(known_errors(exc.errors), answers, notes), 422
    flash(_("自查结果已保存，检查部门可作为参考"), "success")
    return redirect(url_for("portal.self_check"))


def _page(errors: dict, answers: dict, notes: dict):
    return render_template("portal/self_check.html", revision=self_checks.current_checklist(g.enterprise_id),
                           last=self_checks.latest(g.enterprise_id), errors=errors, answers=answers, notes=notes)
