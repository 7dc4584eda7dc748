"""Reading .xlsx/.xlsm/.xls/.ods/.csv row by row.

Excel formats go through python-calamine: it reads the cached values Excel saved, never evaluates a
formula (a formula without a cached value reads as empty) and never runs macros, so a .xlsm is read as
plain data. CSV encoding is detected with the standard library: UTF-8 (with or without BOM), else GB18030
(a superset of GBK/GB2312, what Chinese Excel writes).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from plugins.ledger.parsing.safety import check_zip
from plugins.ledger.parsing.types import LedgerFileError

EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
SUPPORTED = (*EXCEL_EXTENSIONS, ".csv", ".txt")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"

Cell = object


def _kind(path: Path, filename: str) -> str:
    """The real format from the first bytes, because clerks rename files and systems export HTML as .xls."""
    ext = Path(filename or path.name).suffix.lower()
    if ext not in SUPPORTED:
        raise LedgerFileError(f"不支持的文件类型“{ext or '无扩展名'}”，请上传 .xlsx、.xls 或 .csv 文件")
    with open(path, "rb") as fh:
        head = fh.read(512)
    if not head:
        raise LedgerFileError("文件为空")
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    if ext in EXCEL_EXTENSIONS:
        sniff = head.lstrip().lower()
        if sniff.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta")):
            raise LedgerFileError(
                "该文件实为网页或XML格式（系统导出的“伪Excel”），请用Excel打开后另存为.xlsx再上传"
            )
        raise LedgerFileError("文件内容不是有效的Excel文件，请用Excel另存为.xlsx后重新上传")
    return "csv"


def read_table(path: Path, filename: str, *, max_rows: int) -> Iterator[tuple[str, int, list[Cell]]]:
    """(sheet name, 1-based row number, cells) for every non-empty row of every visible sheet.

    Raises LedgerFileError for unsupported, corrupt, encrypted, unsafe or too-long files.
    """
    path = Path(path)
    kind = _kind(path, filename)
    if kind == "csv":
        rows = _read_csv(path, filename)
    else:
        if kind == "zip":
            check_zip(path, max_rows)
        rows = _read_excel(path)
    for count, (sheet, number, cells) in enumerate(rows, start=1):
        if count > max_rows:
            raise LedgerFileError(f"文件超过{max_rows}行的上限，请拆分后分批上传")
        yield sheet, number, cells


def _read_excel(path: Path) -> Iterator[tuple[str, int, list[Cell]]]:
    from python_calamine import (
        CalamineError,
        CalamineWorkbook,
        PasswordError,
        SheetTypeEnum,
        SheetVisibleEnum,
    )

    # From a file object calamine detects the format from the content, not the extension: clerks rename
    # .xlsx files to .xls and the other way round.
    try:
        with open(path, "rb") as fh:
            wb = CalamineWorkbook.from_filelike(fh)
    except PasswordError as exc:
        raise LedgerFileError("文件设置了密码保护，请取消密码后重新上传") from exc
    except (CalamineError, OSError, ValueError) as exc:
        raise LedgerFileError(_calamine_message(exc)) from exc
    with wb:
        for meta in wb.sheets_metadata:
            # Hidden sheets hold drop-down lists and scratch work, not the ledger the clerk sees.
            if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
                continue
            try:
                sheet = wb.get_sheet_by_name(meta.name)
                start = sheet.start
                if start is None:
                    continue
                # calamine yields rows from the top of the sheet but columns only from the first used one;
                # pad the left so column positions (and Excel's row numbers) stay true.
                pad = [None] * start[1]
                for index, cells in enumerate(sheet.iter_rows()):
                    # Empty cells come as "": None instead, in one C-level pass (this runs for every row).
                    row = list(map(_BLANK_TO_NONE.get, cells, cells))
                    if not _TIMES.isdisjoint(map(type, row)):
                        row = [str(c) if type(c) in _TIMES else c for c in row]
                    if row.count(None) != len(row):
                        yield meta.name, index + 1, pad + row if pad else row
            except PasswordError as exc:
                raise LedgerFileError("文件设置了密码保护，请取消密码后重新上传") from exc
            except CalamineError as exc:
                raise LedgerFileError(_calamine_message(exc)) from exc


# Times of day and durations have no meaning in a ledger cell; they are kept as their text.
_TIMES = frozenset({dt.time, dt.timedelta})
_BLANK_TO_NONE = {"": None}  # .get(cell, cell): None for "", the cell itself otherwise


def _calamine_message(exc: Exception) -> str:
    text = str(exc).lower()
    if "password" in text or "encrypt" in text:
        return "文件设置了密码保护，请取消密码后重新上传"
    return "文件已损坏或格式无法识别，请用Excel另存为.xlsx后重新上传"


CSV_SNIFF = 64 * 1024


def _encoding(path: Path) -> str:
    """UTF-8 (BOM or not) when the whole file decodes as UTF-8, else GB18030."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1024 * 1024):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def _read_csv(path: Path, filename: str) -> Iterator[tuple[str, int, list[Cell]]]:
    encoding = _encoding(path)
    sheet = Path(filename or path.name).stem
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        sample = fh.read(CSV_SNIFF)
        fh.seek(0)
        try:
            dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        if "\x00" in sample:
            raise LedgerFileError("文件内容不是有效的CSV文本，请检查文件格式")
        reader = csv.reader(fh, dialect)
        try:
            for number, cells in enumerate(reader, start=1):
                # Line numbers are the CSV's record numbers, as Excel shows them when it opens the file.
                if any(c.strip() for c in cells):
                    yield sheet, number, [c if c.strip() else None for c in cells]
        except csv.Error as exc:
            raise LedgerFileError(f"CSV文件格式错误：{exc}") from exc


_DIMENSION = re.compile(rb'<dimension\s+ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')


def estimate_rows(path: Path, filename: str) -> int | None:
    """A quick upper bound of the rows to parse, for progress shown from the first moment: the sheets'
    recorded dimensions in an .xlsx, the line count of a CSV; None when it cannot be had cheaply."""
    path = Path(path)
    try:
        kind = _kind(path, filename)
        if kind == "csv":
            with open(path, "rb") as fh:
                return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) + 1
        if kind != "zip":
            return None
        total = 0
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with zf.open(name) as fh:
                        m = _DIMENSION.search(fh.read(4096))
                    if m is None:
                        return None
                    total += int(m.group(1) or 1)
        return total or None
    except (LedgerFileError, OSError, zipfile.BadZipFile, ValueError):
        return None
