"""Process designer pages: versions, view, compare, roll back, heat map, modeler, validate, deploy, import, migrate."""
from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from services.designer import processes as designer
from services.designer import decisions as designer_decisions
from services.workflow import migration
from services.workflow import validation
from services.errors import NotFound, ValidationFailed
from web.form_errors import FormErrors, for_page
from web.model_files import model_response
from web.i18n import N_

# services.designer.processes.CHANGE_NOTE_REQUIRED, answered to the modeler in the page's language.
N_("请填写变更说明（2–500 字）：这一版改了什么、为什么")

bp = Blueprint("designer", __name__, url_prefix="/designer")


@bp.before_request
@login_required
def _designers_only():
    designer.require_reader(current_user)  # every page; the reads behind them check it again


@bp.get("/")
def index():
    processes = [(pid, designer.versions(current_user, pid)) for pid in designer.process_ids(current_user)]
    deployed = designer_decisions.overview(current_user)
    undeployed = [name for name in designer.decision_files(current_user) if name not in dict(deployed)]
    return render_template("designer/index.html", processes=processes, drafts=designer.drafts(current_user),
                           deployed_decisions=deployed, decisions=undeployed)


@bp.get("/processes/<process_id>")
def process(process_id: str):
    return render_template("designer/process.html", process_id=process_id,
                           versions=designer.versions(current_user, process_id),
                           drafts=designer.drafts(current_user, process_id))


@bp.get("/processes/<process_id>/v<int:version>")
def version(process_id: str, version: int):
    definition = designer.definition(current_user, process_id, version)
    return render_template("designer/version.html", definition=definition,
                           instances=migration.running_instances(definition))


@bp.get("/processes/<process_id>/v<int:version>.bpmn")
def version_xml(process_id: str, version: int):
    return model_response(designer.definition(current_user, process_id, version).bpmn_xml,
                          f"{process_id}-v{version}.bpmn")


@bp.get("/processes/<process_id>/v<int:version>/heat.json")
def heat(process_id: str, version: int):
    return jsonify(designer.heat_map(designer.definition(current_user, process_id, version)))


@bp.get("/processes/<process_id>/compare")
def compare(process_id: str):
    a, b = request.args.get("a", type=int), request.args.get("b", type=int)
    old, new = designer.definition(current_user, process_id, a), designer.definition(current_user, process_id, b)
    return render_template("designer/compare.html", old=old, new=new, result=designer.compare(old, new))


@bp.post("/processes/<process_id>/v<int:version>/rollback")
def rollback(process_id: str, version: int):
    new = designer.roll_back(current_user, process_id, version)
    flash(_("已将版本 %(version)s 重新部署为版本 %(new)s", version=version, new=new.version), "success")
    return redirect(url_for("designer.process", process_id=process_id))


@bp.post("/instances/<int:instance_id>/migrate")
def migrate(instance_id: int):
    result = migration.migrate_instance(current_user, instance_id)
    flash(_("流程实例 #%(id)s 已迁移到版本 %(version)s", id=instance_id, version=result.target.version), "success")
    return redirect(request.referrer or url_for("designer.index"))


@bp.get("/instances/<int:instance_id>/migration-check")
def migration_check(instance_id: int):
    """Whether a running instance can move to the newest version, said in words, with the button when it can."""
    result = migration.check(migration.get_instance(current_user, instance_id))
    return render_template("designer/migration_check.html", result=result)


@bp.get("/instances/<int:instance_id>/migration-check.json")
def migration_check_json(instance_id: int):
    result = migration.check(migration.get_instance(current_user, instance_id))
    return jsonify({"safe": result.safe, "problems": result.problems, "target_version": result.target.version})


@bp.get("/edit")
def edit():
    """The modeler, opened on a deployed version or a saved draft."""
    draft_id = request.args.get("draft", type=int)
    if draft_id:
        draft = designer.draft(current_user, draft_id)
        source = url_for("designer.draft_xml", draft_id=draft.id)
        return render_template("designer/edit.html", process_id=draft.process_id, draft=draft, source=source,
                               regions=designer.deploy_regions(current_user))
    process_id = request.args.get("process", "")
    version = request.args.get("version", type=int) or designer.versions(current_user, process_id)[0].definition.version
    source = url_for("designer.version_xml", process_id=process_id, version=version)
    return render_template("designer/edit.html", process_id=process_id, draft=None, source=source, version=version,
                           regions=designer.deploy_regions(current_user))


@bp.get("/drafts/<int:draft_id>.bpmn")
def draft_xml(draft_id: int):
    return model_response(designer.draft(current_user, draft_id).bpmn_xml, f"draft-{draft_id}.bpmn")


@bp.get("/options.json")
def options():
    return jsonify(designer.modeler_options(current_user))


@bp.post("/validate")
def validate():
    return jsonify(validation.validate(_posted_xml()).as_dict())


@bp.post("/drafts")
def save_draft():
    body = request.get_json(silent=True) or {}
    draft = designer.save_draft(current_user, str(body.get("process_id") or ""), _posted_xml(),
                                body.get("draft_id") or None)
    return jsonify({"draft_id": draft.id, "url": url_for("designer.edit", draft=draft.id)})


@bp.post("/deploy")
def deploy():
    xml = _posted_xml()
    body = request.get_json(silent=True) or {}
    note, region_id = str(body.get("change_note") or ""), body.get("region_id")
    try:
        definition, report = designer.deploy_model(current_user, xml, "designer", note,
                                                   int(region_id) if str(region_id or "").isdigit() else None)
    except ValidationFailed as exc:
        if "change_note" in exc.errors:  # answered like a validation finding, in the page's language
            return jsonify({"ok": False, "warnings": [], "errors": [
                {"element_id": None, "message": _(designer.CHANGE_NOTE_REQUIRED), "field": "change_note"}]}), 422
        if "region_id" in exc.errors:
            return jsonify({"ok": False, "warnings": [], "errors": [
                {"element_id": None, "message": _("区划不存在，未部署"), "field": "region_id"}]}), 422
        return jsonify(validation.validate(xml).as_dict()), 422
    return jsonify({**report.as_dict(), "version": definition.version, "process_id": definition.process_id,
                    "url": url_for("designer.process", process_id=definition.process_id)})


@bp.route("/import", methods=["GET", "POST"])
def import_file():
    if request.method == "GET":
        return render_template("designer/import.html", errors=FormErrors())
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise ValidationFailed({"file": ["请选择 BPMN 文件"]})
        xml = designer.read_upload(upload.read(designer.MAX_UPLOAD_BYTES + 1), upload.filename)
    except ValidationFailed as exc:
        # A browser cannot put a file back into a file input: the page names the file that was refused instead.
        return render_template("designer/import.html", errors=for_page(exc.errors, {"file": _("BPMN 文件")}),
                               filename=upload.filename if upload else None), 422
    report = validation.validate(xml)
    draft = designer.save_draft(current_user, report.process_id or "imported", xml)
    flash(_("已导入为草稿：%(errors)s 个错误，%(warnings)s 个警告（在设计器中查看）", errors=len(report.errors), warnings=len(report.warnings)),
          "success" if report.ok else "warning")
    return redirect(url_for("designer.edit", draft=draft.id))


def _posted_xml() -> str:
    body = request.get_json(silent=True) or {}
    xml = body.get("xml")
    if not isinstance(xml, str) or not xml.strip():
        raise ValidationFailed({"xml": ["缺少 BPMN XML"]})
    return xml


@bp.get("/decisions/<name>")
def decision(name: str):
    """A deployed decision: its versions, one of them in dmn-js, validate and deploy a new version.
    A DMN file in workflows/ that was never deployed opens read from the file."""
    try:
        rows = designer_decisions.versions(current_user, name)
    except NotFound:
        designer.decision_xml(current_user, name)  # 404 for unknown names
        return render_template("designer/decision.html", name=name, versions=[], shown=None,
                               source=url_for("designer.decision_xml", name=name))
    shown = designer_decisions.definition(current_user, name, request.args.get("version", type=int))
    return render_template("designer/decision.html", name=name, versions=rows, shown=shown,
                           source=url_for("designer.decision_version_xml", name=name, version=shown.version))


@bp.get("/decisions/<name>/v<int:version>.dmn")
def decision_version_xml(name: str, version: int):
    return model_response(designer_decisions.definition(current_user, name, version).bpmn_xml, f"{name}-v{version}.dmn")


@bp.post("/decisions/<name>/validate")
def decision_validate(name: str):
    return jsonify(designer_decisions.validate(_posted_xml(), name).as_dict())


@bp.post("/decisions/<name>/deploy")
def decision_deploy(name: str):
    xml = _posted_xml()
    try:
        definition, created = designer_decisions.deploy(current_user, name, xml)
    except ValidationFailed:
        return jsonify(designer_decisions.validate(xml, name).as_dict()), 422
    return jsonify({"ok": True, "created": created, "version": definition.version, "decision_id": name,
                    "url": url_for("designer.decision", name=name, version=definition.version)})


@bp.get("/decisions/<name>.dmn")
def decision_xml(name: str):
    return model_response(designer.decision_xml(current_user, name), f"{name}.dmn")
