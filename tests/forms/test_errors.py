"""forms/errors.py: marshmallow's nested errors mapped to the controls a page shows (no Flask, no database)."""
import pytest
from marshmallow import ValidationError

from forms.errors import field_errors, flatten, rows_by_key
from forms.loader import Choice, FormContext, Row, load_form, validate_submission


def _context() -> FormContext:
    return FormContext(
        choices={"item_results": [Choice("pass", "符合"), Choice("fail", "不符合"), Choice("na", "不涉及")],
                 "result_categories": [Choice("01", "01 未发现问题"), Choice("02", "02 发现问题已责令改正")],
                 "problem_domains": [Choice("04", "04 消防")], "methods": [Choice("实地检查", "实地检查")]},
        rows={"checklist_items": [Row(31, "公示许可证", "市场监管局"), Row(7, "灭火器有效", "消防")]})


def test_row_errors_land_on_the_row_key_with_the_row_and_field_names():
    form, context = load_form("joint_inspection"), _context()
    submission = {"items": [{"key": 31, "result": "pass"}, {"key": 7, "result": None, "note": "x" * 501}],
                  "result_code": "09", "method": "实地检查", "inspected_on": "2026-13-40"}
    with pytest.raises(ValidationError) as caught:
        validate_submission(form, context, submission)
    found = {e.name: (e.label, e.messages) for e in field_errors(form, context, caught.value.messages)}
    assert found["items.7.result"] == ("灭火器有效 · 结果", ["此项必填"])
    assert found["items.7.note"][0] == "灭火器有效 · 说明" and found["items.7.note"][1][0].startswith("长度应在")
    assert "items.31.result" not in found
    assert found["result_code"] == ("检查结果", ["不是可选的值"])
    assert found["inspected_on"] == ("检查日期", ["Not a valid date."])  # translated where shown (forms/messages.py)
    english = {e.name: e.label for e in field_errors(form, context, caught.value.messages, "en")}
    assert english["items.7.result"] == "灭火器有效 · Result"


def test_flatten_drops_positions_and_dict_parts_and_keeps_form_level_messages():
    errors = {"partner_department_ids": {0: ["Not a valid integer."]}, "ratios": {"B": {"value": ["Too big"]}},
              "draw_settings": {"mode": ["Must be one of: a."]}, "_schema": ["整体有误"]}
    assert dict(flatten(errors)) == {"partner_department_ids": ["Not a valid integer."], "ratios.B": ["Too big"],
                                     "draw_settings.mode": ["Must be one of: a."], "_schema": ["整体有误"]}


def test_rows_come_back_by_key_for_the_template():
    form = load_form("diagnosis")
    data = rows_by_key(form, {"assessment": "评估", "handling": [{"key": 5, "handling": "rectify"}, {"key": "x"}]})
    assert data == {"assessment": "评估", "handling": {5: {"key": 5, "handling": "rectify"}}}
