"""Hooks by which domain services plug into the workflow runtime.

- operations: service-task operators (`spiffworkflow:serviceTaskOperator id=...`).
- form handlers: what completing a user task's form writes to the domain tables;
  they return the few values the process's gateways need.
- form contexts: the choices and rows a form needs (checklist items, departments…).
- drafts and evidence: for the forms that keep unchecked input or take files (the inspection
  record, the rectification), called with (user, inspection id, data or uploads).

- form validation: for a form whose choices and rows change seldom, (cache key, choices-and-rows builder),
  so a completion validates against a cached schema instead of building the page's whole context.
- campaign stages: by campaign kind, who sets the stage of a campaign whose work goes on after its own process
  ends (a complaint's targeted inspection: its handling decision and its enterprise case); called with the
  campaign when its process ends and after each save of one of its cases.
The tables are filled by services.handlers.install() (one visible table), which keeps
runtime.py free of imports from the topic services.
"""
from typing import Callable

OPERATIONS: dict[str, Callable] = {}
FORM_HANDLERS: dict[str, Callable] = {}
FORM_CONTEXTS: dict[str, Callable] = {}
FORM_DRAFTS: dict[str, Callable] = {}
FORM_EVIDENCE: dict[str, Callable] = {}

FORM_VALIDATION: dict[str, Callable] = {}
CAMPAIGN_STAGES: dict[str, Callable] = {}
