"""The inputs of the grade decision (workflows/grade.dmn), derived from an inspection's result."""

GRADED_RESULTS = ("01", "02", "03", "06")   # results where the enterprise trades and can be graded
SERIOUS_DOMAINS = ("02", "05")               # 公示信息弄虚作假; 食品药品安全
GRADE_LABELS = {"A": "A 级（守法经营）", "B": "B 级（基本合规）", "C": "C 级（问题较多）", "D": "D 级（严重违法）"}


def is_graded(result_code: str | None) -> bool:
    return result_code in GRADED_RESULTS


def grade_inputs(result_code: str, problem_domain: str | None, failed_items: int,
                 leniency_listed: bool = False, first_violation: bool = False) -> dict:
    if result_code == "03":
        severity = "corrected"
    elif result_code in ("02", "06") and problem_domain in SERIOUS_DOMAINS:
        severity = "serious"
    elif result_code in ("02", "06"):
        severity = "minor"
    else:
        severity = "none"
    return {"problems": failed_items, "severity": severity, "refusal": result_code == "06",
            "unreachable": problem_domain == "03", "leniency_listed": leniency_listed,
            "first_violation": first_violation}
