"""Standard inspection result categories (抽查检查结果), as one provincial system codes them."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    code: str
    zh: str
    en: str
    problem: bool = False          # counts as a problem found
    needs_domain: bool = False     # the violated domain must be given


CATEGORIES = (
    Category("01", "未发现问题", "No problem found"),
    Category("02", "发现问题待后续处理", "Problem found, pending follow-up", True, True),
    Category("03", "发现问题经责令已改正", "Problem found and corrected on order", True, True),
    Category("04", "未发现开展本次抽查涉及的经营活动", "No business activity of this inspection found"),
    Category("05", "已关闭停业或正在组织清算", "Closed or in liquidation"),
    Category("06", "不配合检查情节严重", "Serious refusal to cooperate", True),
    Category("07", "已注销", "Deregistered"),
    Category("08", "已被吊销", "Licence revoked"),
    Category("09", "已被撤销", "Registration cancelled"),
    Category("10", "已迁出", "Moved out"),
)

PROBLEM_DOMAINS = (
    ("01", "未按规定公示应当公示的信息", "Failed to publish required information"),
    ("02", "公示信息隐瞒真实情况弄虚作假", "Published information false or concealing facts"),
    ("03", "通过登记的住所（经营场所）无法联系", "Unreachable at the registered address"),
    ("04", "违反市场监管领域其他规定", "Other market-regulation rules"),
    ("05", "违反食品药品安全监管规定", "Food and drug rules"),
    ("06", "违反产品质量监管规定", "Product-quality rules"),
    ("07", "违反其他部门监管规定", "Other departments' rules"),
)

ITEM_RESULTS = (("pass", "符合", "Compliant"), ("fail", "不符合", "Non-compliant"), ("na", "不涉及", "Not applicable"))

HANDLING = (
    ("none", "无需处置", "No action"),
    ("rectify", "责令整改", "Order to rectify"),
    ("case", "立案查处", "Open a case"),
    ("transfer", "移送其他机关", "Transfer to another authority"),
    # 包容审慎: no penalty, once per matter and enterprise within the matter's period (services/stages/leniency.py)
    ("first_free", "首违不罚", "No penalty for a first violation"),
    ("minor_free", "轻微免罚", "No penalty for a minor violation"),
)
LENIENT_HANDLING = ("first_free", "minor_free")

# Special outcomes of a visit and the standard category (and domain) each is recorded under.
UNREACHABLE_DOMAIN = "03"
SPECIAL_OUTCOMES = (
    ("not_found", "登记住所（经营场所）无法联系", "02", UNREACHABLE_DOMAIN,
     "须在 10 个工作日内列入经营异常名录"),
    ("refusal", "不配合检查", "06", None, "建议立案查处"),
    ("ceased", "已关闭停业或正在组织清算", "05", None, "无需现场检查清单，提示更新名录库状态"),
)

_BY_CODE = {c.code: c for c in CATEGORIES}


def special_outcome(code: str | None, domain: str | None) -> str | None:
    """Which special outcome a result records, if any (not_found / refusal / ceased)."""
    for key, _zh, outcome_code, outcome_domain, _consequence in SPECIAL_OUTCOMES:
        if code == outcome_code and (outcome_domain is None or domain == outcome_domain):
            return key
    return None


def category(code: str) -> Category:
    return _BY_CODE[code]


def is_problem(code: str | None) -> bool:
    return code is not None and code in _BY_CODE and _BY_CODE[code].problem


def suggested_handling(code: str) -> str:
    """The handling the lead department starts from; it confirms or overrides it."""
    return {"02": "rectify", "06": "case"}.get(code, "none")
