"""A document as PDF (fpdf2, pure Python) with the CJK font shipped in a PyPI package (services.fonts) — no
system fonts, no root. The header (authority, title, number, enterprise, campaign) and footer (record hash, the enterprise's
signatures with their hashes) are fixed here; the body comes from the document's template
(services.documents.templates), so no template can leave the number or the hash off. The same frozen data
always renders the same text."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import TYPE_CHECKING

from services.documents.numbering import KINDS
from services.fonts import cjk_font_path

if TYPE_CHECKING:
    from fpdf import FPDF

MARGIN = 18
HEADING = "## "


@dataclass(frozen=True)
class Signature:
    """An enterprise signature as printed: the image, how it was taken, who signed, its SHA-256."""
    image: bytes
    method: str        # pad / photo
    signer: str
    signed_at: str
    sha256: str


def render_pdf(number: str, kind: str, authority: str, issued_at: datetime, data: dict, lines: list[str],
               record_sha256: str, voided: str | None = None, signatures: list[Signature] = ()) -> bytes:
    # Imported here: fpdf2 and its fontTools cost ~0.5 s of CPU to import, paid by every process that
    # imports the documents services (every web worker, every CLI command) though few ever render a PDF.
    from fpdf import FPDF

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
    for text in lines:
        if text.startswith(HEADING):
            _heading(pdf, text[len(HEADING):])
        else:
            _line(pdf, text)
    _signatures(pdf, signatures)
    pdf.ln(4)
    pdf.set_font("cjk", size=8)
    _line(pdf, f"本文书所据记录的 SHA-256：{record_sha256}")
    return bytes(pdf.output())


def _signatures(pdf: FPDF, signatures: list[Signature]) -> None:
    _heading(pdf, "被检查单位代表签字")
    if not signatures:
        _line(pdf, "被检查单位代表（签字）：____________    日期：____________")
        return
    for signature in signatures:
        how = "手写签名板" if signature.method == "pad" else "签字纸质文书照片"
        _line(pdf, f"签字人：{signature.signer}    签字时间：{signature.signed_at}（{how}）")
        pdf.image(BytesIO(signature.image), w=60 if signature.method == "pad" else 80)
        pdf.set_font("cjk", size=8)
        _line(pdf, f"签名图像 SHA-256：{signature.sha256}", 5)
        pdf.set_font("cjk", size=11)


def _line(pdf: FPDF, text: str, height: float = 7) -> None:
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(2)
    pdf.set_font("cjk", size=12)
    _line(pdf, text, 8)
    pdf.set_font("cjk", size=11)
