"""XLSX exports of directory listings with the filters the user set.

openpyxl's write_only mode streams rows to a temporary file, so exporting a whole province's directory
keeps memory flat; the caller streams the file back and it is deleted once closed.
"""
from typing import IO

from services import exports
from services.directory import listings as directory

XLSX_MIME = exports.XLSX_MIME
write_xlsx = exports.xlsx_file  # every cell through the one export helper (formula-safe)


ENTERPRISE_HEADERS = ["统一社会信用代码", "旧版注册号", "名称", "行业代码", "行业", "区域", "地址", "登记状态", "信用风险分类"]


def enterprises(filters: directory.Filters) -> IO[bytes]:
    rows = ([e.uscc, "是" if e.legacy_code else "", e.name, industry.code if industry else "",
             industry.name if industry else "", region.name if region else "", e.address or "", e.status,
             e.credit_class] for e, industry, region in directory.iter_enterprises(filters))
    return write_xlsx("检查对象名录", ENTERPRISE_HEADERS, rows)


def officials(filters: directory.Filters) -> IO[bytes]:
    rows = ([u.cert_no or "", u.display_name, u.username, u.department.name if u.department else "",
             u.department.region.name if u.department else "", u.specialties or "", "在岗" if u.active else "停用"]
            for u in directory.iter_officials(filters))
    return write_xlsx("执法检查人员名录", ["执法证号", "姓名", "账号", "部门", "区域", "专长", "状态"], rows)


def experts(filters: directory.Filters) -> IO[bytes]:
    rows = ([x.cert_no, x.name, x.field, x.organisation or "", "在库" if x.active else "停用"]
            for x in directory.iter_experts(filters))
    return write_xlsx("专家库", ["证件号", "姓名", "专业领域", "工作单位", "状态"], rows)


def checklist(revision) -> IO[bytes]:
    rows = ([item.position, item.text, item.matter.code, item.matter.name, item.matter.department.name,
             item.matter.legal_basis, item.matter.method] for item in (revision.items if revision else []))
    return write_xlsx("检查清单", ["序号", "检查内容", "事项编码", "监管事项", "责任部门", "法律依据", "检查方式"], rows)


def matters(items) -> IO[bytes]:
    rows = ([m.code, m.department.name, m.name, m.legal_basis, m.method, m.requirement or "", "有效" if m.active else "停用"]
            for m in items)
    return write_xlsx("监管事项清单", ["事项编码", "部门", "监管事项", "法律依据", "检查方式", "合规要求", "状态"], rows)
