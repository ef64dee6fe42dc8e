"""Form errors as a page shows them: each message in the UI language next to its control, and a summary
at the top of the form linking to each control (WCAG 3.3.1; templates/_form_errors.html renders both,
static/forms.js moves focus to the summary).

`FormErrors` is a dict (control name → translated messages), so templates that ask
`errors.get('reason')` keep working; `.summary` lists (control id, label, message) in the form's order.
"""
from dataclasses import dataclass

from flask_babel import gettext

from forms.errors import FieldError, field_errors, flatten
from forms.loader import FormContext
from forms.messages import localise
from web.i18n import is_english


@dataclass(frozen=True)
class SummaryItem:
    target: str | None   # id of the control to jump to; None when no control carries the message
    label: str
    message: str


class FormErrors(dict):
    def __init__(self, entries: list[FieldError] = (), controls: set[str] | None = None):
        super().__init__()
        self.summary: list[SummaryItem] = []
        for entry in entries:
            messages = [localise(m, gettext) for m in entry.messages]
            self.setdefault(entry.name, []).extend(messages)
            has_control = controls is None or entry.name in controls
            for message in messages:
                self.summary.append(SummaryItem(control_id(entry.name) if has_control else None, entry.label, message))


def control_id(name: str) -> str:
    """The id a control named `name` carries (templates/inbox/fields.html builds the same)."""
    return "f-" + name.replace(".", "-")


def for_task_form(form: dict, context: FormContext, errors: dict | None,
                  extra: dict[str, str] | None = None) -> FormErrors:
    """A workflow task form's errors (forms/*.json), rows mapped back to their keys; `extra` labels the
    page's controls beyond the definition (a correction's reason)."""
    entries = field_errors(form, context, errors or {}, "en" if is_english() else "zh")
    for entry in entries:
        if not entry.label and extra and entry.name in extra:
            entry.label = extra[entry.name]
    controls = {spec["name"] for spec in form["fields"]} | set(extra or {})
    for spec in form["fields"]:
        if spec["type"] == "rows":
            controls |= {e.name for e in entries if e.name.startswith(spec["name"] + ".")}
    return FormErrors(entries, controls)


def for_page(errors: dict | None, labels: dict[str, str]) -> FormErrors:
    """A hand-written form's errors; `labels` names its controls (in page order) and says which exist."""
    found = dict(flatten(errors or {}))
    order = [name for name in labels if name in found] + [name for name in found if name not in labels]
    return FormErrors([FieldError(name, labels.get(name, ""), found[name]) for name in order], set(labels))
