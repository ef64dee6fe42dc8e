"""Turn a form definition into a marshmallow schema, so the HTML inbox and the JSON API validate alike.

A definition lists fields; a field's choices are either static or named by `source`, which
the service supplies per task (departments, checklist items…). A `rows` field repeats its
sub-fields once per row of its source (one result per checklist item).
"""
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from forms import fast_load

FORM_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Choice:
    value: object
    label: str


@dataclass(frozen=True)
class Row:
    key: int
    label: str
    group: str = ""
    detail: str = ""


@dataclass
class FormContext:
    """What one task's form needs beyond its definition: dynamic choices, rows, defaults, read-only facts."""
    choices: dict[str, list[Choice]] = field(default_factory=dict)
    rows: dict[str, list[Row]] = field(default_factory=dict)
    initial: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)


class UnknownForm(KeyError):
    pass


def N_(message: str) -> str:
    """Mark a message for pybabel extraction; the page translates it when it shows it (forms/ has no Flask)."""
    return message


def localized(text, lang: str = "zh") -> str:
    """A definition's {"zh": …, "en": …} label in one language; Chinese when the English one is missing."""
    if not isinstance(text, dict):
        return "" if text is None else str(text)
    return (text.get("en") if lang == "en" else None) or text.get("zh") or text.get("en") or ""


@lru_cache(maxsize=None)
def load_form(form_key: str) -> dict:
    path = FORM_DIR / f"{form_key}.json"
    if not form_key.replace("_", "").isalnum() or not path.is_file():
        raise UnknownForm(form_key)
    return json.loads(path.read_text(encoding="utf-8"))


def form_keys() -> list[str]:
    return sorted(p.stem for p in FORM_DIR.glob("*.json"))


def choices_for(spec: dict, context: FormContext, lang: str = "zh") -> list[Choice]:
    if "source" in spec:
        return context.choices.get(spec["source"], [])
    return [Choice(c["value"], localized(c["label"], lang)) for c in spec.get("choices", [])]


def _field(spec: dict, context: FormContext) -> fields.Field:
    kind = spec["type"]
    required = spec.get("required", False) and "required_if" not in spec
    common = {"required": required, "allow_none": not required,
              "error_messages": {"required": N_("此项必填"), "null": N_("此项必填")}}
    if kind in ("string", "text"):
        limit = spec.get("max_length", 200 if kind == "string" else 5000)
        length = validate.Length(min=1 if required else 0, max=limit, error="长度应在 {min}–{max} 字之间")
        return fields.String(validate=length, **common)
    if kind == "integer":
        return fields.Integer(validate=validate.Range(spec.get("min"), spec.get("max")), **common)
    if kind == "date":
        return fields.Date(**common)
    if kind == "boolean":
        return fields.Boolean(**common)
    options = choices_for(spec, context)
    values = [c.value for c in options]
    base = fields.Integer if values and all(isinstance(v, int) for v in values) else fields.String
    one_of = validate.OneOf(values, error=N_("不是可选的值"))
    if kind == "choice":
        return base(validate=one_of, **common)
    if kind == "multichoice":
        low, high = spec.get("min", 1 if required else 0), spec.get("max")
        # Templates catalogued in forms/messages.py (translated there, numbers kept).
        size = validate.Length(min=low, max=high, error="应选择 {min}–{max} 项" if high else "至少选择 {min} 项")
        return fields.List(base(validate=one_of), validate=size, **common)
    if kind == "rows":
        return fields.List(fields.Nested(_row_schema(spec, context)), required=True)
    raise ValueError(f"unknown field type {kind!r} in form definition")


def _row_schema(spec: dict, context: FormContext) -> type[Schema]:
    keys = [r.key for r in context.rows.get(spec["source"], [])]
    members = {"key": fields.Integer(required=True, validate=validate.OneOf(keys, error=N_("未知的行")))}
    members.update({sub["name"]: _field(sub, context) for sub in spec["fields"]})
    return Schema.from_dict(members, name=f"{spec['name']}_row")


def build_schema(form: dict, context: FormContext) -> Schema:
    members: dict = {spec["name"]: _field(spec, context) for spec in form["fields"]}
    cross_field = _cross_field_errors(form, context)

    @validates_schema
    def _cross_field(self, data, **kwargs):
        errors = cross_field(data)
        if errors:
            raise ValidationError(errors)

    members["_cross_field"] = _cross_field
    schema = type(f"{form['key']}_form", (Schema,), members)()
    schema.cross_field = cross_field  # for forms/fast_load.py
    return schema


def _cross_field_errors(form: dict, context: FormContext):
    """The form's rules across fields (required_if, each row once), checked once every field is valid."""
    conditional = [s for s in form["fields"] if "required_if" in s]
    rows = [s for s in form["fields"] if s["type"] == "rows"]

    def errors_of(data: dict) -> dict:
        errors = {}
        for spec in conditional:
            rule = spec["required_if"]
            if data.get(rule["field"]) in rule["in"] and data.get(spec["name"]) in (None, "", []):
                errors[spec["name"]] = [N_("此项必填")]
        for spec in rows:
            expected = {r.key for r in context.rows.get(spec["source"], [])}
            given = [row["key"] for row in data.get(spec["name"], [])]
            if sorted(given) != sorted(expected):
                errors[spec["name"]] = [N_("每一行都必须填写且只填写一次")]
        return errors
    return errors_of


_SCHEMAS: dict = {}
SCHEMA_CACHE_SIZE = 256


def cached_schema(form: dict, key, build_context) -> Schema:
    """The form's schema for the choices and rows that `key` identifies; `build_context()` only on a miss.
    The key must change whenever those choices or rows would (e.g. a checklist revision and its matters).
    A cached schema also gets its quick path (forms/fast_load.py), which pays off only when reused."""
    full_key = (form["key"], key)
    schema = _SCHEMAS.get(full_key)
    if schema is None:
        if len(_SCHEMAS) >= SCHEMA_CACHE_SIZE:
            _SCHEMAS.pop(next(iter(_SCHEMAS)))  # the oldest entry
        schema = build_schema(form, build_context())
        schema.fast_load = fast_load.compile_loader(schema, schema.cross_field)
        _SCHEMAS[full_key] = schema
    return schema


def validate_submission(form: dict, context: FormContext | None, data: dict, schema: Schema | None = None) -> dict:
    """Return the cleaned data or raise marshmallow.ValidationError with per-field messages."""
    if not isinstance(data, dict):
        raise ValidationError({"_schema": [N_("提交内容必须是对象")]})
    schema = schema or build_schema(form, context)
    quick = getattr(schema, "fast_load", None)
    loaded = quick(data) if quick is not None else None
    return loaded if loaded is not None else schema.load(data)


def from_html(form: dict, context: FormContext, formdata) -> dict:
    """Collect an HTML post (flat names like items.12.result) into the nested shape the schema takes."""
    data: dict = {}
    for spec in form["fields"]:
        name, kind = spec["name"], spec["type"]
        if kind == "rows":
            data[name] = [
                {"key": row.key, **{sub["name"]: _html_value(sub, formdata, f"{name}.{row.key}.{sub['name']}")
                                    for sub in spec["fields"]}}
                for row in context.rows.get(spec["source"], [])
            ]
        else:
            value = _html_value(spec, formdata, name)
            if value is not None:
                data[name] = value
    return data


def _html_value(spec: dict, formdata, name: str):
    if spec["type"] == "multichoice":
        return formdata.getlist(name)
    if spec["type"] == "boolean":
        return formdata.get(name) in ("on", "true", "1", "y")
    value = formdata.get(name)
    return None if value in (None, "") else value


def describe(form: dict, context: FormContext) -> dict:
    """A JSON description of the form for API clients: fields, types, choices and rows."""
    def one(spec):
        out = {k: spec[k] for k in ("name", "type", "label") if k in spec}
        out["required"] = spec.get("required", False)
        if "required_if" in spec:
            out["required_if"] = spec["required_if"]
        if spec["type"] in ("choice", "multichoice"):
            out["choices"] = [{"value": c.value, "label": c.label} for c in choices_for(spec, context)]
        if spec["type"] == "rows":
            out["rows"] = [{"key": r.key, "label": r.label, "group": r.group} for r in context.rows.get(spec["source"], [])]
            out["fields"] = [one(sub) for sub in spec["fields"]]
        return out
    return {"key": form["key"], "title": form["title"], "fields": [one(s) for s in form["fields"]]}
