"""A document as PDF (fpdf2, pure Python) with the CJK font shipped in a PyPI package (services.fonts) — no
system fonts, no root. The same frozen data always renders the same text; the PDF carries the document
number and the SHA-256 of the record it renders."""
from datetime import datetime

from fpdf import FPDF

from services.documents.numbering import KINDS
from services.fonts import cjk_font_path

MARGIN = 18


def render_pdf(number: str, kind: str, authority: str, issued_at: datetime, data: dict, record_sha256: str,
               voided: str | None = None) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(issued_at)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.add_font("cjk", fname=str(cjk_font_path()))
    pdf.add_page()
    pdf.set_font("cjk", size=18)
    pdf.cell(0, 12, authority, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 12, KINDS[kind][0], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11)
    pdf.cell(0, 8, number, align="R", new_x="LMARGIN", new_y="NEXT")
    if voided:
        pdf.set_text_color(180, 0, 0)
        _line(pdf, f"【已作废】{voided}")
        pdf.set_text_color(0, 0, 0)
    enterprise = data["enterprise"]
    _line(pdf, f"被检查单位：{enterprise['name']}")
    _line(pdf, f"统一社会信用代码：{enterprise['uscc']}")
    if enterprise.get("address"):
        _line(pdf, f"地址：{enterprise['address']}")
    _line(pdf, f"检查活动：{data['campaign']['code']} {data['campaign']['title']}")
    BODIES[kind](pdf, data)
    pdf.ln(4)
    pdf.set_font("cjk", size=8)
    _line(pdf, f"本文书所据记录的 SHA-256：{record_sha256}")
    return bytes(pdf.output())


def _line(pdf: FPDF, text: str, height: float = 7) -> None:
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(2)
    pdf.set_font("cjk", size=12)
    _line(pdf, text, 8)
    pdf.set_font("cjk", size=11)


def _inspection_record(pdf: FPDF, data: dict) -> None:
    _line(pdf, f"检查日期：{data['inspected_on'] or '—'}    检查方式：{data.get('method') or '—'}")
    _line(pdf, "检查人员：" + "、".join(f"{o['name']}（{o['department']}，执法证号 {o['cert_no'] or '—'}）"
                                    for o in data["officers"]))
    for block in data["departments"]:
        _heading(pdf, f"{block['department']} 检查情况")
        for n, finding in enumerate(block["findings"], start=1):
            note = f"（{finding['note']}）" if finding["note"] else ""
            _line(pdf, f"{n}. {finding['item']} —— {finding['result']}{note}")
    _heading(pdf, f"检查结果：{data['result'] or '—'}")
    if data.get("summary"):
        _line(pdf, f"现场情况：{data['summary']}")
    _heading(pdf, "签字")
    for signoff in data["signoffs"]:
        _line(pdf, f"检查人员：{signoff['name']}  签字时间：{signoff['signed_at']}")
    _line(pdf, "被检查单位负责人（签字）：____________    日期：____________")


def _rectification_order(pdf: FPDF, data: dict) -> None:
    _line(pdf, f"经 {data['inspected_on'] or '—'} 检查，你单位存在下列问题：")
    for n, problem in enumerate(data["problems"], start=1):
        _line(pdf, f"{n}. {problem['item']}（{problem['department']}：{problem['matter']}；依据：{problem['legal_basis']}）")
    days = f"（{data['working_days']} 个工作日）" if data.get("working_days") else ""
    _line(pdf, f"现责令你单位于 {data['deadline'] or '—'}{days}前改正，并将整改情况报送本机关。逾期不改正的，依法处理。")


def _result_notice(pdf: FPDF, data: dict) -> None:
    _line(pdf, f"检查日期：{data['inspected_on'] or '—'}    检查部门：{'、'.join(data['departments'])}")
    _line(pdf, f"检查结果：{data['result'] or '—'}")
    if data.get("handling"):
        _line(pdf, f"处置：{data['handling']}")
    _line(pdf, f"公示日期：{data.get('published_on') or '—'}。如对检查结果有异议，可在公示期内通过企业服务页面提出。")


BODIES = {"inspection_record": _inspection_record, "rectification_order": _rectification_order,
          "result_notice": _result_notice}
