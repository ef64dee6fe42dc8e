"""A cached form schema's quick path: the submission marshmallow would accept, loaded to the same dict.

marshmallow spends ~0.2 ms on a joint-inspection record (18 checklist rows: a nested schema load per row, with
its error store and hooks), a tenth of a completion. For the submissions it accepts, its work comes down to type
checks, its validators and the form's cross-field rule; this module mirrors exactly that for the field kinds
forms/loader.py builds, from the built schema itself (its fields, their required/allow_none and validators), and
gives up (returns None) on anything else: a value of another type (even one marshmallow would convert, such as
"12" for an integer), a validator that fails, a field or option it does not know. The caller then runs the
schema's own load, so every refusal and its messages come from marshmallow as before. A compiled loader never
accepts what the schema refuses; tests/forms/test_fast_load.py compares both on valid and invalid submissions.
"""
from datetime import date
from typing import Callable

from marshmallow import RAISE, Schema, ValidationError, fields, validate

_FAIL = object()
_VALIDATORS = (validate.OneOf, validate.Length, validate.Range)


def compile_loader(schema: Schema, cross_field: Callable[[dict], dict]) -> Callable[[dict], dict | None] | None:
    """A function of a submission giving what `schema.load` would, or None where marshmallow must decide;
    None (no quick path) for a schema with anything this does not mirror. `cross_field(data)`: the errors of the
    schema's one `validates_schema` hook, which runs only when every field is valid (marshmallow's default)."""
    hooks = {name: entries for name, entries in schema._hooks.items() if entries}
    if set(hooks) - {"validates_schema"} or len(hooks.get("validates_schema", ())) > 1:
        return None
    load_object = _object_loader(schema)
    if load_object is None:
        return None

    def load(data: dict) -> dict | None:
        loaded = load_object(data)
        if loaded is _FAIL or cross_field(loaded):
            return None
        return loaded
    return load


def _object_loader(schema: Schema):
    if schema.many or schema.partial or schema.unknown != RAISE:
        return None
    members = []
    for name, field in schema.load_fields.items():
        load_value = _value_loader(field)
        if load_value is None or field.data_key is not None or field.attribute is not None:
            return None
        members.append((name, field.required, load_value))
    names = frozenset(name for name, _, _ in members)

    def load(data):
        # marshmallow: a mapping, no key it does not know (unknown=RAISE), each required field given, each given
        # one loaded; the result holds the given fields in the schema's order.
        if type(data) is not dict or not names.issuperset(data):
            return _FAIL
        out = {}
        for name, required, load_value in members:
            if name in data:
                value = load_value(data[name])
                if value is _FAIL:
                    return _FAIL
                out[name] = value
            elif required:
                return _FAIL
        return out
    return load


def _value_loader(field: fields.Field):
    """Field.deserialize for the values taken as they are; None for a field this does not mirror."""
    if field.pre_load or field.post_load or any(type(v) not in _VALIDATORS for v in field.validators):
        return None
    convert = _converter(field)
    if convert is None:
        return None
    validators, allow_none = tuple(field.validators), field.allow_none

    def load(value):
        if value is None:
            return None if allow_none else _FAIL  # marshmallow runs no validator on an allowed None
        value = convert(value)
        if value is _FAIL:
            return _FAIL
        try:
            for check in validators:
                check(value)
        except ValidationError:
            return _FAIL
        return value
    return load


def _converter(field: fields.Field):
    kind = type(field)
    if kind is fields.String:
        return lambda value: value if type(value) is str else _FAIL
    if kind is fields.Integer:  # bool is not int here (marshmallow refuses it), "12" is left to marshmallow
        return lambda value: value if type(value) is int else _FAIL
    if kind is fields.Boolean:
        return lambda value: value if type(value) is bool else _FAIL
    if kind is fields.Date and field.format in (None, "iso", "iso8601"):
        return _iso_date
    if kind is fields.List:
        inner = _value_loader(field.inner)
        if inner is None:
            return None

        def load_list(value):
            if type(value) is not list:
                return _FAIL
            out = [inner(each) for each in value]
            return _FAIL if any(each is _FAIL for each in out) else out
        return load_list
    if kind is fields.Nested and not field.many and field.only is None and not field.exclude and field.unknown is None:
        nested = field.schema
        if any(nested._hooks.values()):
            return None
        return _object_loader(nested)
    return None


def _iso_date(value):
    """fields.Date with the ISO format: a date as it is, a string through date.fromisoformat (what marshmallow
    calls); a datetime (also a date) is left to marshmallow."""
    if type(value) is date:
        return value
    if type(value) is not str:
        return _FAIL
    try:
        return date.fromisoformat(value)
    except ValueError:
        return _FAIL
