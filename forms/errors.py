"""Marshmallow's nested error dicts, turned into what a page needs: one entry per control it can point at.

A task form posts flat names (`items.12.result`); marshmallow answers by list position
(`{"items": {3: {"result": [...]}}}`). `field_errors` maps positions back to row keys, so each message
lands next to the control it concerns, in the form's order, with a label a person can read
("康瑞农家乐（9132…）· 处置方式"). Messages stay as given here; the page translates them through
forms/messages.py.
"""
from dataclasses import dataclass, field

from forms.loader import FormContext, localized


@dataclass
class FieldError:
    name: str            # the control's HTML name (items.12.result), or a key no control carries (_schema)
    label: str           # what the summary calls it; "" for a message about the whole form
    messages: list = field(default_factory=list)


def flatten(errors, prefix: str = "") -> list[tuple[str, list]]:
    """Generic nested errors as (dotted path, messages); list positions and Dict's key/value parts
    are dropped, so an element's message belongs to its field."""
    if isinstance(errors, (list, tuple)):
        leaves = [m for m in errors if not isinstance(m, (dict, list, tuple))]
        nested = [m for m in errors if isinstance(m, (dict, list, tuple))]
        out = [(prefix, leaves)] if leaves else []
        for item in nested:
            out += flatten(item, prefix)
        return out
    if isinstance(errors, dict):
        out = []
        for key, value in errors.items():
            part = "" if isinstance(key, int) or key in ("key", "value") else str(key)
            out += flatten(value, f"{prefix}.{part}".strip(".") if part else prefix)
        return _merge(out)
    return [(prefix, [errors])]


def _merge(pairs: list[tuple[str, list]]) -> list[tuple[str, list]]:
    merged: dict[str, list] = {}
    for name, messages in pairs:
        merged.setdefault(name, []).extend(m for m in messages if m not in merged.get(name, []))
    return list(merged.items())


def field_errors(form: dict, context: FormContext, errors: dict, lang: str = "zh") -> list[FieldError]:
    """A task form's errors in the form's order; rows by their key; anything else (evidence, _schema) last."""
    errors = dict(errors or {})
    out: list[FieldError] = []
    for spec in form["fields"]:
        name = spec["name"]
        if name not in errors:
            continue
        given = errors.pop(name)
        label = localized(spec.get("label"), lang)
        if spec["type"] != "rows" or not isinstance(given, dict):
            out += [FieldError(name, label, msgs) for _, msgs in flatten(given)]
            continue
        rows = context.rows.get(spec["source"], [])
        subs = {sub["name"]: localized(sub.get("label"), lang) for sub in spec["fields"]}
        for position in sorted(k for k in given if isinstance(k, int)):
            row = rows[position] if 0 <= position < len(rows) else None
            for sub_name, messages in flatten(given[position]):
                if row is None:
                    out.append(FieldError(name, label, messages))
                elif sub_name in subs:
                    out.append(FieldError(f"{name}.{row.key}.{sub_name}", f"{row.label} · {subs[sub_name]}", messages))
                else:
                    out.append(FieldError(name, f"{label} · {row.label}", messages))
        if given.get("_schema"):
            out.append(FieldError(name, label, list(given["_schema"])))
    for name, messages in flatten(errors):
        out.append(FieldError(name, "", messages))
    return out


def rows_by_key(form: dict, data: dict) -> dict:
    """A submission with each rows field as {key: row}, the shape the form template reads its values in."""
    out = dict(data or {})
    for spec in form["fields"]:
        rows = out.get(spec["name"])
        if spec["type"] == "rows" and isinstance(rows, list):
            out[spec["name"]] = {int(r["key"]): r for r in rows
                                 if isinstance(r, dict) and str(r.get("key", "")).lstrip("-").isdigit()}
    return out
