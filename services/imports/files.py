"""Reading import files: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) and XLSX, row by row, never whole.

The format is decided by content, not by the file name: an XLSX is a zip holding the parts of a
workbook; a CSV must decode as text. Government exports are often GBK; GB18030 is its superset, so a
file that is not UTF-8 is read as GB18030.
"""
import codecs
import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from xml.etree import ElementTree

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse as defused_iterparse
from flask import current_app, has_app_context

from services.errors import DomainError

SNIFF_BYTES = 256 * 1024
XLSX_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
ALLOWED_SUFFIXES = (".csv", ".xlsx")
MAX_PARTS = 10_000  # a workbook has tens of parts; thousands of tiny members is another way to exhaust us


class ImportRefused(DomainError):
    """The file as a whole cannot be imported (wrong type, unreadable, missing columns)."""
    status = 422
    title = "文件无法导入"


@dataclass
class Source:
    kind: str          # csv / xlsx
    encoding: str | None
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (spreadsheet row number, cells as text)
    close: Callable[[], None]
    progress: Callable[[], float] = lambda: 0.0  # share of the file read so far, for progress bars


def sniff(path: Path, filename: str | None = None) -> tuple[str, str | None]:
    """Return ("xlsx", None) or ("csv", encoding), or refuse with a reason a person can act on."""
    suffix = Path(filename or path.name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ImportRefused(f"只支持 CSV 或 XLSX 文件，收到的是「{Path(filename or path.name).name}」")
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head:
        raise ImportRefused("文件是空的")
    if head.startswith(b"PK\x03\x04"):
        if suffix != ".xlsx":
            raise ImportRefused("文件扩展名是 .csv，内容却是压缩包（可能是 XLSX）：请改正扩展名后再导入")
        _check_workbook(path)
        return "xlsx", None
    if suffix == ".xlsx":
        raise ImportRefused("文件扩展名是 .xlsx，但内容不是 Excel 工作簿（XLSX）；旧版 .xls 请另存为 XLSX 或 CSV")
    return "csv", _text_encoding(head)


def _check_workbook(path: Path) -> None:
    """Refuse a workbook before any of it is decompressed for parsing: a zip bomb (a few kB that inflate to
    gigabytes) is recognised from the sizes its central directory declares, which zipfile then enforces while
    reading; an XML part with a DTD (entity expansion, external entities) is refused as defusedxml would."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            names = {part.filename for part in parts}
            _check_expansion(path, parts)
            missing = [part for part in XLSX_PARTS if part not in names]
            if missing:
                raise ImportRefused("压缩包不是 Excel 工作簿：缺少 " + "、".join(missing))
            for part in parts:
                if part.filename.endswith((".xml", ".rels", ".vml")):
                    _refuse_dtd(archive, part)
    except zipfile.BadZipFile as exc:
        raise ImportRefused("XLSX 文件已损坏，无法读取") from exc


def max_uncompressed_bytes() -> int:
    """IMPORT_MAX_BYTES × IMPORT_XLSX_EXPANSION (defaults 20 MB × 10): a real workbook inflates 5–10×."""
    config = current_app.config if has_app_context() else {}
    return config.get("IMPORT_MAX_BYTES", 20 * 1024 * 1024) * config.get("IMPORT_XLSX_EXPANSION", 10)


def _check_expansion(path: Path, parts: list[zipfile.ZipInfo]) -> None:
    limit = max_uncompressed_bytes()
    if len(parts) > MAX_PARTS:
        raise ImportRefused(f"XLSX 文件包含 {len(parts)} 个部件，超过上限 {MAX_PARTS}：不像是正常的 Excel 工作簿")
    total = sum(part.file_size for part in parts)
    if total > limit:
        raise ImportRefused(f"XLSX 文件解压后为 {total // (1024 * 1024)} MB，超过上限 {limit // (1024 * 1024)} MB"
                            "（可能是压缩炸弹）：请拆分文件或改用 CSV 导入")


def _refuse_dtd(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    """Parse the part only up to its root element: a DTD can only come before it."""
    try:
        with archive.open(part) as stream:
            for _event in defused_iterparse(stream, events=("start",), forbid_dtd=True, forbid_entities=True,
                                            forbid_external=True):
                break
    except DefusedXmlException as exc:
        raise ImportRefused(f"XLSX 文件的部件 {part.filename} 含有不允许的 DTD 或实体声明") from exc
    except ElementTree.ParseError as exc:
        raise ImportRefused(f"XLSX 文件的部件 {part.filename} 不是有效的 XML") from exc


def _text_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if b"\x00" in head:
        raise ImportRefused("文件不是文本格式的 CSV（含有二进制内容）")
    for encoding in ("utf-8", "gb18030"):
        try:
            # final=False: the sample may end in the middle of a multi-byte character.
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
            return encoding
        except UnicodeDecodeError:
            continue
    raise ImportRefused("无法识别文件编码：CSV 应为 UTF-8 或 GBK/GB18030")


def open_source(path: Path, filename: str | None = None) -> Source:
    kind, encoding = sniff(path, filename)
    return _open_xlsx(path) if kind == "xlsx" else _open_csv(path, encoding)


def _open_csv(path: Path, encoding: str) -> Source:
    raw = open(path, "rb")
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raw.close()
        raise ImportRefused("文件是空的") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raw.close()
        raise ImportRefused(f"表头无法读取：{exc}") from exc

    def rows():
        number = 1
        try:
            for number, cells in enumerate(reader, start=2):
                yield number, cells
        except UnicodeDecodeError as exc:
            raise ImportRefused(f"第 {number + 1} 行附近的字节不是 {encoding} 编码，文件可能混用了编码") from exc
        except csv.Error as exc:
            raise ImportRefused(f"第 {number + 1} 行 CSV 格式错误：{exc}") from exc

    size = max(1, path.stat().st_size)
    return Source("csv", encoding, header, rows(), raw.close, lambda: min(1.0, raw.tell() / size))


def _open_xlsx(path: Path) -> Source:
    import openpyxl
    from openpyxl import load_workbook

    if not openpyxl.DEFUSEDXML:  # OPENPYXL_DEFUSEDXML=False in the environment: fail closed
        raise ImportRefused("服务器未启用安全的 XML 解析（defusedxml），不能导入 XLSX；请改用 CSV")

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken workbook
        raise ImportRefused(f"XLSX 文件无法读取：{exc.__class__.__name__}") from exc
    sheet = workbook.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        header = [_cell(v) for v in next(values)]
    except StopIteration:
        workbook.close()
        raise ImportRefused("工作表是空的") from None
    total = max(1, (sheet.max_row or 1) - 1)
    state = {"done": 0}

    def rows():
        number = 1
        try:
            for number, cells in enumerate(values, start=2):
                state["done"] = number - 1
                yield number, [_cell(v) for v in cells]
        except (zipfile.BadZipFile, ElementTree.ParseError, DefusedXmlException, OSError) as exc:
            # A part that inflates past its declared size fails its CRC here; a broken sheet stops here too.
            raise ImportRefused(f"XLSX 文件第 {number + 1} 行附近无法读取：文件已损坏") from exc

    return Source("xlsx", None, header, rows(), workbook.close, lambda: min(1.0, state["done"] / total))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # codes typed as numbers come back as 421126.0
    return str(value).strip()
