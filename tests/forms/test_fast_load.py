"""forms/fast_load.py: a cached schema's quick path gives exactly what marshmallow gives, or leaves it to marshmallow.

Every form definition, with choices and rows made up for it, is loaded both ways on a valid submission and on
many broken or unusual ones: whenever the quick path answers, marshmallow accepts the submission and loads the
same dict (keys in the same order); whenever marshmallow refuses, the quick path does not answer.
"""
import copy
from datetime import date, datetime

import pytest
from marshmallow import ValidationError

from forms import fast_load
from forms.loader import Choice, FormContext, Row, build_schema, cached_schema, form_keys, load_form, validate_submission


def _choices(spec: dict, index: int) -> list[Choice]:
    if index % 2:
        return [Choice(v, f"c{v}") for v in (3, 5, 8)]
    return [Choice(v, v) for v in ("01", "02", "03")]


def _context(form: dict) -> FormContext:
    context = FormContext()
    index = 0
    for spec in form["fields"]:
        for sub in [spec, *spec.get("fields", [])]:
            if sub["type"] == "rows":
                context.rows[sub["source"]] = [Row(31, "a"), Row(7, "b"), Row(12, "c")]
            elif "source" in sub:
                context.choices[sub["source"]] = _choices(sub, index)
                index += 1
    return context


def _value(spec: dict, context: FormContext):
    kind = spec["type"]
    if kind in ("string", "text"):
        return "说明"
    if kind == "integer":
        return spec.get("min", 1)
    if kind == "date":
        return "2026-03-04"
    if kind == "boolean":
        return True
    if kind in ("choice", "multichoice"):
        options = context.choices[spec["source"]] if "source" in spec else [
            Choice(c["value"], "") for c in spec["choices"]]
        return options[0].value if kind == "choice" else [options[0].value]
    return [{"key": row.key, **{sub["name"]: _value(sub, context) for sub in spec["fields"]}}
            for row in context.rows[spec["source"]]]


def _valid(form: dict, context: FormContext) -> dict:
    data = {spec["name"]: _value(spec, context) for spec in form["fields"]}
    for spec in form["fields"]:  # a required_if field: given (its condition may hold)
        if "required_if" in spec and data.get(spec["name"]) in (None, "", []):
            data[spec["name"]] = _value(spec, context)
    return data


def _variants(form: dict, context: FormContext) -> list[dict]:
    """The valid submission and ways to spoil (or merely vary) it."""
    valid = _valid(form, context)
    out = [valid, {}, {**valid, "unknown": 1}, {**valid, "_schema": None}]
    odd_values = [None, "", "12", 12, 12.0, 12.5, True, False, 0, -1, 91, "x" * 501, "x" * 6000, [], [None], ["01"],
                  [3, 3], ["01", "02", "03", "01", "02"], {}, (1,), "2026-13-40", "2026-03-04", "20260304",
                  date(2026, 3, 4), datetime(2026, 3, 4, 5, 6), "01", "02", 3, 5, "03", "实地检查", b"bytes"]
    for spec in form["fields"]:
        name = spec["name"]
        without = dict(valid)
        without.pop(name)
        out.append(without)
        out += [{**valid, name: value} for value in odd_values]
        if spec["type"] == "rows":
            rows = valid[name]
            out += [{**valid, name: rows[:-1]}, {**valid, name: rows + rows[:1]}, {**valid, name: tuple(rows)},
                    {**valid, name: [*rows[:-1], "row"]}, {**valid, name: [*rows[:-1], {**rows[-1], "key": 99}]},
                    {**valid, name: [*rows[:-1], {**rows[-1], "key": "7"}]},
                    {**valid, name: [*rows[:-1], {**rows[-1], "extra": 1}]},
                    {**valid, name: [*rows[:-1], {"key": rows[-1]["key"]}]},
                    {**valid, name: list(reversed(rows))}]
            for sub in spec["fields"]:
                for value in odd_values:
                    changed = copy.deepcopy(rows)
                    changed[1][sub["name"]] = value
                    out.append({**valid, name: changed})
                dropped = copy.deepcopy(rows)
                dropped[0].pop(sub["name"])
                out.append({**valid, name: dropped})
    return out


@pytest.mark.parametrize("form_key", form_keys())
def test_the_quick_path_agrees_with_marshmallow(form_key):
    form = load_form(form_key)
    context = _context(form)
    schema = build_schema(form, context)
    quick = fast_load.compile_loader(schema, schema.cross_field)
    assert quick is not None  # every form built today has one
    answered = 0
    for data in _variants(form, context):
        try:
            expected = schema.load(copy.deepcopy(data))
        except ValidationError:
            expected = None
        got = quick(copy.deepcopy(data))
        if got is not None:
            answered += 1
            assert expected is not None, data
            assert got == expected and list(got) == list(expected), data
            for name, value in got.items():
                if isinstance(value, list) and value and isinstance(value[0], dict):
                    assert [list(r) for r in value] == [list(r) for r in expected[name]], data
    assert answered > 0  # the valid submission, at least, took the quick path


def test_a_cached_schema_takes_the_quick_path_and_refusals_keep_marshmallows_messages():
    form = load_form("joint_inspection")
    context = _context(form)
    schema = cached_schema(form, ("test_fast_load", 1), lambda: context)
    assert schema.fast_load is not None
    valid = _valid(form, context)
    assert validate_submission(form, None, valid, schema=schema) == schema.load(valid)
    broken = {**valid, "inspected_on": "2026-13-40"}
    with pytest.raises(ValidationError) as caught:
        validate_submission(form, None, broken, schema=schema)
    assert caught.value.messages == {"inspected_on": ["Not a valid date."]}
