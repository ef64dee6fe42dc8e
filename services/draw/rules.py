"""The draw's rules as plan settings: defaults, validation, and what a campaign's draw uses.

A plan entry's `draw_settings` holds only what the supervisor set; `effective()` fills in
the defaults, so changing a default (a regional rule) reaches every plan that did not
override it.
"""
from flask import current_app

from domain import draw as algorithm

CLASSES = ("A", "B", "C", "D")
TARGET_KEYS = ("credit_classes", "name_contains", "address_contains", "entity")
ENTITY_KINDS = {"company": "企业", "sole_trader": "个体工商户"}  # USCC position 1-2: 91 / 92


def defaults() -> dict:
    return {
        "mode": "stratified",              # stratified / random (不定向) / targeted (定向)
        "overall_ratio": None,              # percent, plain random mode only
        "target": {},                       # targeted mode: attribute filter (TARGET_KEYS)
        "min_per_class": 1,                 # a class with a ratio above 0 gives at least this many
        "officers_per_department": 2,       # each department's officers per enterprise (执法人员不少于两人)
        "zero_reasons": {},                 # class -> why the plan exempts it (不免抽: a reason is required)
        "exclude_inactive": True,           # 注销 / 吊销 / 撤销 / 迁出
        "exclude_inspected_months": current_app.config["DRAW_EXCLUDE_INSPECTED_MONTHS"],  # 0 = off
        "exclude_open_case": True,          # an open case for one of the campaign's matters
        "extra_industry_ids": [],           # scope beyond the plan's industry
        "region_ids": [],                   # empty = the lead department's region
        "expert_field": None,               # draw experts of this field …
        "experts_per_enterprise": 0,        # … this many per enterprise
    }


def effective(settings: dict | None) -> dict:
    merged = defaults()
    merged.update({k: v for k, v in (settings or {}).items() if k in merged})
    return merged


def problems(ratios: dict, settings: dict) -> dict[str, list[str]]:
    """Field -> messages for a plan's ratios and draw settings; empty when they may be used."""
    errors: dict[str, list[str]] = {}
    for credit_class in CLASSES:
        value = ratios.get(credit_class)
        if value is None or not 0 <= float(value) <= 100:
            errors.setdefault("ratios", []).append(f"{credit_class} 类比例应在 0–100 之间")
        elif float(value) == 0 and not (settings["zero_reasons"].get(credit_class) or "").strip():
            errors.setdefault("zero_reasons", []).append(
                f"{credit_class} 类比例为 0%（免抽）时必须记录理由：原则上不免抽")
    if settings["mode"] not in algorithm.MODES:
        errors["mode"] = ["抽取方式无效"]
    if settings["mode"] == "random":
        overall = settings.get("overall_ratio")
        if overall is None or not 0 < float(overall) <= 100:
            errors["overall_ratio"] = ["不定向抽取需设定 0–100% 的总体抽取比例"]
    if settings["mode"] == "targeted" and not any(settings["target"].get(k) for k in TARGET_KEYS):
        errors["target"] = ["定向抽取至少需要一个筛选条件"]
    if not 1 <= int(settings["officers_per_department"]) <= 5:
        errors["officers_per_department"] = ["每个部门每户派 1–5 名执法人员"]
    if int(settings["min_per_class"]) < 0:
        errors["min_per_class"] = ["每类最少户数不能为负"]
    if int(settings["exclude_inspected_months"]) < 0:
        errors["exclude_inspected_months"] = ["月数不能为负"]
    if int(settings["experts_per_enterprise"]) > 0 and not settings.get("expert_field"):
        errors["expert_field"] = ["抽取专家需指定专业领域"]
    return errors


def draw_ratios(ratios: dict, settings: dict) -> dict[str, str]:
    """The ratios the algorithm receives, as exact decimal strings (they are part of the commitment)."""
    if settings["mode"] == "random":
        return {algorithm.WHOLE_SCOPE: algorithm.format_ratio(settings["overall_ratio"])}
    return {c: algorithm.format_ratio(ratios.get(c, 0)) for c in CLASSES}


def floor_warning(drawn: int, candidates: int) -> str | None:
    floor = current_app.config["DRAW_NATIONAL_FLOOR_PERCENT"]
    if candidates and drawn * 100 < floor * candidates:
        return f"本次抽取 {drawn} 户，占候选 {candidates} 户的 {drawn * 100 / candidates:.2f}%，低于全国 {floor:g}% 的最低比例"
    return None
