"""Campaign page: stage, history, tasks, and the diagram with element states."""
from tests.e2e.journey import user_client
from tests.factories import initiate, plan_and_approve, scope


def test_campaign_page_diagram_and_states(app):
    s = scope(app, 2)
    campaign_id = plan_and_approve(app, s)
    initiate(app, s, campaign_id)
    lead = user_client(app, "scjg_01")
    page = lead.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    assert "发起与报到" in page and "牵头部门吹哨" in page
    # history reads as sentences, never as audit codes or "<model> #<id>"
    assert "发起联合检查（牵头部门吹哨），邀请配合部门报到" in page
    assert "campaign.initiate" not in page and "campaign.open" not in page and "campaign #" not in page
    xml = lead.get(f"/campaigns/{campaign_id}/diagram.xml")
    assert xml.status_code == 200 and b"bpmndi:BPMNDiagram" in xml.data
    states = lead.get(f"/campaigns/{campaign_id}/diagram-states.json").get_json()
    assert states["initiation"] == "completed"
    assert states["partner_confirmation"] == "active"
    assert "publication_approval" not in states
    outsider = user_client(app, "hb_01")
    assert outsider.get(f"/campaigns/{campaign_id}/diagram.xml").status_code == 403


def test_vendor_serves_only_allowed_npm_files(client):
    assert client.get("/vendor/bpmn-js/package.json").status_code == 404
    assert client.get("/vendor/../app.py").status_code == 404
    response = client.get("/vendor/bpmn-js/dist/bpmn-navigated-viewer.production.min.js")
    assert response.status_code == 200 and len(response.data) > 100_000


def test_diagram_marks_the_waiting_element_overdue_when_the_stage_sla_passes(app):
    """Stage SLA (not only task due dates): the inspection stage waits on a message, not a task."""
    from datetime import timedelta

    from services.workflow import clock
    from tests.factories import report_in
    s = scope(app, 2)
    campaign_id = plan_and_approve(app, s)
    initiate(app, s, campaign_id)
    report_in(app, s, campaign_id)
    lead = user_client(app, "scjg_01")
    assert lead.get(f"/campaigns/{campaign_id}/diagram-states.json").get_json()["await_inspections"] == "active"
    clock.advance(timedelta(days=120))  # far past the joint-inspection stage's SLA
    assert lead.get(f"/campaigns/{campaign_id}/diagram-states.json").get_json()["await_inspections"] == "overdue"
