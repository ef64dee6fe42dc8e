"""Versioned deployments: a running instance stays on its version; new campaigns take the newest."""
import pytest

from extensions import db
from models import ProcessDefinition
from services.workflow import deployments
from services.workflow import runtime
from services.errors import DomainError
from tests.factories import plan_and_approve, scope


def test_running_instance_keeps_its_version(app):
    s = scope(app, 2)
    first = plan_and_approve(app, s)
    with app.app_context():
        v1 = deployments.latest("campaign")
        changed = v1.bpmn_xml.replace('name="slaDays" value="5"', 'name="slaDays" value="7"', 1)
        again = deployments.deploy(v1.bpmn_xml, "campaign.bpmn", None)
        assert again.id == v1.id  # unchanged content: no new version
        v2 = deployments.deploy(changed, "campaign.bpmn", None)
        db.session.commit()
        assert (v1.version, v2.version) == (1, 2) and v2.content_hash != v1.content_hash
    second = plan_and_approve(app, scope(app, 2))
    with app.app_context():
        assert runtime.campaign_instance(first).definition.version == 1
        assert runtime.campaign_instance(second).definition.version == 2


def test_malformed_bpmn_is_refused_and_nothing_stored(app):
    with app.app_context():
        before = db.session.query(ProcessDefinition).count()
        with pytest.raises(DomainError):
            deployments.deploy("<bpmn:definitions", "broken.bpmn", None)
        db.session.rollback()
        assert db.session.query(ProcessDefinition).count() == before
