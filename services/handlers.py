"""Who handles what: every form key, service-task operation and timer kind, in one table.

The workflow runtime (services.workflow) knows nothing of the stages; the stages plug their
form handlers, form contexts, service-task operations, timer handlers and the stage rule of a
campaign kind whose work outlives its process into it here, and nowhere else. `install()` is
called once by the app factory. A form key in workflows/ without a row here fails a test
(tests/services/test_handlers.py).
"""
from dataclasses import dataclass
from typing import Callable

from services import audit_checkpoints
from services.complaints import handling as targeted_handling
from services.complaints import progress as targeted_progress
from services.complaints import register as complaints
from services.complaints import triage as complaint_triage
from services.draw import stage as draw_stage
from services.portal import notices, objections
from services.stages import (diagnosis, evidence, follow_up, initiation, inspections, joint_cases, opinions,
                             publication, referrals, review)
from services.workflow import escalations, event_timers, registry, script_functions, timers


@dataclass(frozen=True)
class FormHooks:
    context: Callable      # the choices and rows the form needs
    complete: Callable     # what submitting it writes to the domain tables
    draft: Callable | None = None     # keeps unchecked input: (user, inspection id, data)
    evidence: Callable | None = None  # stores uploaded files: (user, inspection id, uploads)
    validation: Callable | None = None  # (schema cache key, choices-and-rows builder); else the context validates


FORMS: dict[str, FormHooks] = {
    "special_approval": FormHooks(initiation.special_approval_context, initiation.record_special_approval),
    "initiation": FormHooks(initiation.initiation_context, initiation.record_initiation),
    "partner_confirmation": FormHooks(initiation.partner_context, initiation.record_partner_confirmation),
    "joint_inspection": FormHooks(inspections.inspection_context, inspections.record_inspection,
                                  validation=inspections.validation_context, draft=inspections.save_draft,
                                  evidence=evidence.store),
    "referral_decision": FormHooks(referrals.decision_context, referrals.record_decision),
    "publication_approval": FormHooks(publication.approval_context, publication.record_approval),
    "publication_rework": FormHooks(publication.rework_context, publication.record_rework),
    "diagnosis_opinion": FormHooks(opinions.opinion_context, opinions.record_opinion),
    "diagnosis": FormHooks(diagnosis.diagnosis_context, diagnosis.record_diagnosis),
    "targeted_handling": FormHooks(targeted_handling.handling_context, targeted_handling.record_handling),
    "rectification": FormHooks(follow_up.rectification_context, follow_up.record_rectification,
                               evidence=follow_up.attach_evidence),
    "reinspection": FormHooks(follow_up.reinspection_context, follow_up.record_reinspection),
    "performance_review": FormHooks(review.review_context, review.record_review),
    "case_review": FormHooks(joint_cases.review_context, joint_cases.record_review),
    "objection_review": FormHooks(objections.review_context, objections.record_review),
}

OPERATIONS: dict[str, Callable] = {
    "draw": draw_stage.run_draw,
    "diagnosis_panel": opinions.panel,
}

TIMER_KINDS: dict[str, Callable] = {
    audit_checkpoints.TIMER_KIND: audit_checkpoints.publish_daily,
    event_timers.KIND: event_timers.fire_event_timer,
    escalations.TASK_KIND: escalations.task_overdue,
    escalations.STAGE_KIND: escalations.stage_overdue,
    "draw_execute": draw_stage.execute_when_due,
    inspections.ABNORMAL_TIMER: inspections.abnormal_list_overdue,
    publication.OVERDUE_TIMER: publication.publication_overdue,
    referrals.OVERDUE_TIMER: referrals.escalate_unacknowledged,
    follow_up.OVERDUE_KIND: follow_up.rectification_overdue,
    notices.REMINDER_KIND: notices.rectification_reminder,
    complaints.OVERDUE_KIND: complaint_triage.complaint_overdue,
}

# Campaign kinds whose work goes on after their process ends: who sets their stage (registry.CAMPAIGN_STAGES).
CAMPAIGN_STAGES: dict[str, Callable] = {
    targeted_progress.KIND: targeted_progress.follow,
}


def install() -> None:
    """Plug the tables into the runtime, the script engine and the timer worker (idempotent)."""
    registry.FORM_CONTEXTS.update({key: hooks.context for key, hooks in FORMS.items()})
    registry.FORM_HANDLERS.update({key: hooks.complete for key, hooks in FORMS.items()})
    registry.FORM_DRAFTS.update({key: hooks.draft for key, hooks in FORMS.items() if hooks.draft})
    registry.FORM_EVIDENCE.update({key: hooks.evidence for key, hooks in FORMS.items() if hooks.evidence})
    registry.FORM_VALIDATION.update({key: hooks.validation for key, hooks in FORMS.items() if hooks.validation})
    registry.OPERATIONS.update(OPERATIONS)
    registry.CAMPAIGN_STAGES.update(CAMPAIGN_STAGES)
    timers.HANDLERS.update(TIMER_KINDS)
    script_functions.install()
