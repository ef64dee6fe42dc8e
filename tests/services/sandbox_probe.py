"""A small process a designer might upload, with the hostile part given by each test.

start → [wait: a timer] → review (user task) → compute (script task) → after (user task) → end
(or compute before review),
all in the supervisor's lane, using the special_approval form; deployed through the designer
service (validation included) and started for a real campaign, so completing `review` runs the
real inbox use case.
"""
from xml.sax.saxutils import escape

from flask import current_app
from sqlalchemy import select

from extensions import db
from models import Department, HumanTask, Industry, User, WorkflowInstance
from services.designer import processes
from services.stages import initiation
from services.workflow import runtime

PROCESS_ID = "sandbox_probe"


def probe_xml(script: str = "checked = True", *, timer: tuple[str, str] | None = None,
              script_first: bool = False) -> str:
    """timer: (kind, expression), e.g. ("timeCycle", '"R3/PT1H"'); the expression is Python, as in BPMN.
    script_first: compute runs right after the timer (or the start), before review."""
    body = ["compute", "review"] if script_first else ["review", "compute"]
    nodes = ["start", *(["wait"] if timer else []), *body, "after", "end"]
    refs = "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in nodes)
    form = ('<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="formKey" '
            'value="special_approval" /></spiffworkflow:properties></bpmn:extensionElements>')
    wait = ""
    if timer:
        kind, expression = timer
        wait = (f'<bpmn:intermediateCatchEvent id="wait" name="等待"><bpmn:timerEventDefinition id="wait_timer">'
                f'<bpmn:{kind}>{escape(expression)}</bpmn:{kind}></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>')
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}" />'
                    for i, (a, b) in enumerate(zip(nodes, nodes[1:])))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="probe_definitions" targetNamespace="http://yiye-yicha.example/bpmn">
  <bpmn:process id="{PROCESS_ID}" name="沙箱探针" isExecutable="true">
    <bpmn:laneSet id="probe_lanes"><bpmn:lane id="lane_supervisor" name="联席会办公室">{refs}</bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start" />
    {wait}
    <bpmn:userTask id="review" name="审批">{form}</bpmn:userTask>
    <bpmn:scriptTask id="compute" name="计算"><bpmn:script>{escape(script)}</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="after" name="后续处理">{form}</bpmn:userTask>
    <bpmn:endEvent id="end" />
    {flows}
  </bpmn:process>
</bpmn:definitions>
"""


def user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def deploy(xml: str):
    return processes.deploy_model(user("designer"), xml, f"{PROCESS_ID}.bpmn")


def campaign_id() -> int:
    """A real campaign for the special_approval form's handler (its own instance stays as it is)."""
    industry = db.session.scalars(select(Industry).where(Industry.code == "6110")).one()
    lead = db.session.scalars(select(Department).where(Department.code == "scjg")).one()
    campaign = initiation.open_campaign(user("supervisor"), kind="special", industry=industry, lead=lead,
                                        ratios=current_app.config["DEFAULT_RATIOS"],
                                        matters=[m for m in industry.matters if m.department_id == lead.id],
                                        special_reason="沙箱探针")
    db.session.commit()
    return campaign.id


def start(script: str, **kwargs) -> tuple[int, int]:
    """Deploy the probe with this script, start it; (instance id, id of the open `review` task)."""
    deploy(probe_xml(script, **kwargs))
    instance = runtime.start_instance(PROCESS_ID, {}, campaign_id=campaign_id())
    db.session.commit()
    task = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                      HumanTask.element_id == "review")).one()
    return instance.id, task.id


def snapshot(instance_id: int) -> tuple:
    """What is stored for the instance: its state, version and human tasks."""
    db.session.expire_all()
    instance = db.session.get(WorkflowInstance, instance_id)
    tasks = db.session.execute(select(HumanTask.element_id, HumanTask.status).where(
        HumanTask.instance_id == instance_id).order_by(HumanTask.id)).all()
    return instance.state, instance.updated_at, [tuple(t) for t in tasks]
