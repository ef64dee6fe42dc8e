"""The one way values leave the application in CSV and XLSX: inert, whatever an enterprise calls itself.

A spreadsheet program runs a cell that starts with = + - @ (and, in some, a tab or carriage return followed by
one of them) as a formula: an enterprise registered as `=HYPERLINK("http://…")` or `+1+cmd|' /C calc'!A0` would
become a live link or a DDE call on the desk of whoever opens the publication list (CSV/formula injection,
OWASP). WPS and Excel with East Asian input also take the full-width forms ＝ ＋ － ＠ as formula starters.
Every writer below prefixes such a text value with an apostrophe, the same way in CSV and XLSX, so the cell is
text (openpyxl stores it as a string, data type 's') and a person still reads the whole name. Numbers, dates
and None pass through unchanged: only text can carry a formula.
"""
import csv
import io
import tempfile
from typing import IO, Iterable

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
# Excel limits a sheet to 1,048,576 rows; the header takes one.
MAX_ROWS = 1_048_575


def workbook(write_only: bool = False):
    """A new openpyxl workbook. openpyxl is imported on the first export, not with this module: importing it
    costs ~0.15 s of CPU, which every process importing a service that can export (every web worker, every CLI
    command) would otherwise pay."""
    from openpyxl import Workbook
    return Workbook(write_only=write_only)


def bold():
    """The font of a header cell."""
    from openpyxl.styles import Font  # imported on first use, as in workbook()
    return Font(bold=True)


def inert(value):
    """The value as a spreadsheet must store it: text that could start a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def inert_row(values: Iterable) -> list:
    return [inert(v) for v in values]


def append(sheet, values: Iterable) -> None:
    """Append one row to an openpyxl sheet (normal or write-only), every cell inert."""
    sheet.append(inert_row(values))


def csv_text(header: list[str], rows: Iterable[Iterable]) -> str:
    """A CSV document, UTF-8 with BOM so that spreadsheet programs on Windows read the Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(inert_row(header))
    for row in rows:
        writer.writerow(inert_row(row))
    return "\ufeff" + buffer.getvalue()


def xlsx_bytes(title: str, header: list[str], rows: Iterable[Iterable]) -> bytes:
    """A one-sheet workbook in memory, for exports of one campaign's size."""
    book = workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    append(sheet, header)
    for row in rows:
        append(sheet, row)
    return workbook_bytes(book)


def xlsx_file(title: str, headers: list[str], rows: Iterable[Iterable]) -> IO[bytes]:
    """One sheet streamed to a temporary file (a whole province's directory keeps memory flat); rewound, and
    deleted when closed."""
    from openpyxl.cell import WriteOnlyCell  # imported on first use, as in workbook()

    book = workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=inert(text))
        cell.font = bold()
        header_cells.append(cell)
    sheet.append(header_cells)
    for count, row in enumerate(rows, start=1):
        if count > MAX_ROWS:
            break
        append(sheet, row)
    out = tempfile.TemporaryFile(suffix=".xlsx")
    book.save(out)
    out.seek(0)
    return out


def workbook_bytes(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
