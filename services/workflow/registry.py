"""Hooks by which domain services plug into the workflow runtime.

- operations: service-task operators (`spiffworkflow:serviceTaskOperator id=...`).
- form handlers: what completing a user task's form writes to the domain tables;
  they return the few values the process's gateways need.
- form contexts: the choices and rows a form needs (checklist items, departments…).
- drafts and evidence: for the forms that keep unchecked input or take files (the inspection
  record, the rectification), called with (user, inspection id, data or uploads).

- form validation: for a form whose choices and rows change seldom, (cache key, choices-and-rows builder),
  so a completion validates against a cached schema instead of building the page's whole context.
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
