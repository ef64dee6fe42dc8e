"""Row-level pieces shared by the import kinds: column names, the report, and cell checks."""
import re
from dataclasses import dataclass, field

from domain import uscc as uscc_rules

MAX_REPORTED = 1_000

COLUMNS = {
    "enterprises": {"uscc": ("统一社会信用代码", "uscc", "信用代码"), "name": ("名称", "企业名称", "name"),
                    "industry_code": ("行业代码", "industry_code"), "region_code": ("区域代码", "行政区划代码", "region_code"),
                    "address": ("地址", "住所", "address"), "status": ("登记状态", "状态", "status"),
                    "credit_class": ("信用风险分类", "信用风险等级", "credit_class")},
    "credit": {"uscc": ("统一社会信用代码", "uscc", "信用代码"),
               "credit_class": ("信用风险分类", "信用风险等级", "credit_class")},
    "officials": {"cert_no": ("执法证号", "cert_no"), "name": ("姓名", "name"), "department": ("部门", "department"),
                  "username": ("账号", "username"), "specialties": ("专长", "specialties"), "active": ("在岗", "active")},
    "experts": {"cert_no": ("证件号", "cert_no"), "name": ("姓名", "name"), "field": ("专业领域", "field"),
                "organisation": ("工作单位", "organisation"), "region_code": ("区域代码", "region_code"),
                "active": ("在库", "active")},
}
REQUIRED = {"enterprises": ("uscc", "name", "industry_code", "region_code", "credit_class"),
            "credit": ("uscc", "credit_class"), "officials": ("cert_no", "name", "department"),
            "experts": ("cert_no", "name", "field")}
LABELS = {kind: {name: aliases[0] for name, aliases in cols.items()} for kind, cols in COLUMNS.items()}
TRUE, FALSE = ("是", "1", "true", "y", "yes", "在岗", "在库", ""), ("否", "0", "false", "n", "no", "停用")


@dataclass
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class ImportReport:
    kind: str
    file_kind: str = ""
    encoding: str | None = None
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    bad_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    unknown: list[RowError] = field(default_factory=list)
    unknown_count: int = 0
    applied: bool = False
    dry_run: bool = False
    valid_only: bool = False
    filename: str = ""
    import_id: int | None = None      # the DirectoryImport row of an applied import
    changes: list[dict] = field(default_factory=list)  # enterprises' old/new name, address, status (first 1,000)
    changes_total: int = 0
    _last_bad_row: int = field(default=0, repr=False)

    def error(self, row: int, column: str, reason: str) -> None:
        self.error_count += 1
        if row != self._last_bad_row:
            self.bad_rows += 1
            self._last_bad_row = row
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(RowError(row, column, reason))


def cell(cells: list[str], index: dict[str, int], name: str) -> str:
    position = index.get(name)
    return cells[position].strip() if position is not None and position < len(cells) else ""

def text_value(report, number, label, value, limit, required=True) -> str | None:
    if not value:
        if required:
            report.error(number, label, "不能为空")
            return None
        return ""
    if len(value) > limit:
        report.error(number, label, f"超过 {limit} 字")
        return None
    return value


# A clean code (the vast majority of rows) skips normalisation and the per-character error hunt.
_CLEAN_CODE = re.compile(r"[1-9ANY][0-9A-HJ-NP-RTUWXY]\d{6}[0-9A-HJ-NP-RTUWXY]{10}")


def check_uscc(report, number, raw) -> uscc_rules.UsccResult | None:
    if _CLEAN_CODE.fullmatch(raw) and raw[0] in uscc_rules.AUTHORITIES \
            and uscc_rules.check_character(raw[:17]) == raw[17]:
        return uscc_rules.UsccResult(raw, True, False, (), None)
    if not raw:
        report.error(number, "统一社会信用代码", "不能为空")
        return None
    result = uscc_rules.validate(raw)
    if not result.valid:
        report.error(number, "统一社会信用代码", f"「{raw}」无效：" + "；".join(result.errors))
        return None
    return result


def flag(report, number, label, value) -> bool | None:
    lowered = value.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    report.error(number, label, f"「{value}」应为 是 或 否")
    return None


