"""grade.dmn is deployed and versioned like a BPMN model; an edited table changes the suggestions."""
import pytest
from sqlalchemy import select

from extensions import db
from models import ProcessDefinition
from services.workflow import deployments
from services.stages import diagnosis
from services.workflow.deployments import WORKFLOW_DIR
from services.errors import DomainError
from tests.services import report_dataset


def test_bundled_dmn_is_deployed_once_and_an_edit_makes_a_new_version(app):
    with app.app_context():
        ids = report_dataset.build()
        v1, _ = deployments.latest_decision("grade")
        assert (v1.process_id, v1.version, v1.source_name) == ("dmn:grade", 1, "grade.dmn")
        deployments.deploy_bundled()
        assert db.session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.process_id == "dmn:grade")
                                 .order_by(ProcessDefinition.version.desc())) == v1.id  # unchanged: no new version
        version, gradings = diagnosis.grade_campaign(ids["campaign_id"])
        # E1: 02 with 2 failed items, no domain -> minor -> row 9; E3: 03 -> corrected -> row 6; E2: 01 -> row 10
        # (rows 5 and 8 are 轻微免罚 / 首违不罚, for matters on the list only)
        assert version == 1
        assert {(g.grade, g.suggested, g.row) for g in gradings.values()} == {
            ("B", "rectify", 9), ("B", "none", 6), ("A", "none", 10)}

        # The designer makes minor problems a case: deploy() recognises DMN and versions it.
        source = (WORKFLOW_DIR / "grade.dmn").read_text(encoding="utf-8")
        edited = source.replace('<outputEntry id="r7_handling"><text>"rectify"</text>',
                                '<outputEntry id="r7_handling"><text>"case"</text>')
        v2 = deployments.deploy(edited, "grade.dmn", None)
        db.session.commit()
        assert (v2.process_id, v2.version) == ("dmn:grade", 2)
        version, gradings = diagnosis.grade_campaign(ids["campaign_id"])
        assert version == 2 and gradings[ids["e1"]].suggested == "case"


def test_a_broken_dmn_is_refused(app):
    with app.app_context():
        source = (WORKFLOW_DIR / "grade.dmn").read_text(encoding="utf-8")
        with pytest.raises(DomainError):
            deployments.deploy(source.replace("<decisionTable", "<decisionTabel").replace(
                "</decisionTable>", "</decisionTabel>"), "grade.dmn", None)
        assert deployments.latest_decision("grade")[0].version == 1
