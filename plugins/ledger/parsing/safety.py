"""File safety: zip bombs and XML entity tricks in .xlsx/.ods, and formula injection in every export.

Checks run on the zip's central directory and then stream every XML part whole (in chunks, so memory stays
flat), before any parser sees the file: a DTD hidden after the first kilobytes of a part is found too, and a
hostile upload costs a single read of its parts, never a parser's gigabytes.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from pathlib import Path

from plugins.ledger.parsing.types import LedgerFileError

MAX_UNCOMPRESSED = 200 * 1024 * 1024
# The unpacked size also grows with the row limit (QINGQIAN_UPLOAD_MAX_ROWS, 200,000 by default): a real
# official-layout sheet takes about 1.1 KB of XML per row (measured; long 拖欠原因 texts take more), so a
# file at the limit must fit. 4 KB a row leaves room for wide sheets; the ratio check below still catches
# what compresses like a bomb.
BYTES_PER_ROW = 4 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 5000
# Small parts legitimately compress very well (styles, empty sheets): only big parts are judged by ratio.
RATIO_MIN_SIZE = 1024 * 1024
XML_CHUNK_BYTES = 64 * 1024
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
# A declaration split across two chunks is found because each search also covers the end of the previous
# chunk. XML allows no space inside "<!DOCTYPE"; the pattern tolerates some anyway, this much of it.
_OVERLAP = 256


def check_zip(path: Path, max_rows: int = 0) -> None:
    """Refuse zip bombs and XML with DTDs (billion laughs, external entities) in an Office Open XML file."""
    limit = max(MAX_UNCOMPRESSED, max_rows * BYTES_PER_ROW)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise LedgerFileError("文件已损坏或不是有效的Excel文件，请用Excel另存为.xlsx后重新上传") from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise LedgerFileError("文件结构异常（压缩包内文件过多），已拒绝读取")
        total = sum(i.file_size for i in infos)
        if total > limit:
            raise LedgerFileError(
                f"文件解压后超过{limit // (1024 * 1024)}MB，疑似压缩炸弹，已拒绝读取；请拆分后上传"
            )
        for info in infos:
            if info.file_size >= RATIO_MIN_SIZE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise LedgerFileError("文件压缩比异常，疑似压缩炸弹，已拒绝读取")
        for info in infos:
            name = info.filename.lower()
            if not name.endswith((".xml", ".rels", ".vml")) or info.file_size == 0:
                continue
            if _declares_dtd(zf, info):
                raise LedgerFileError("文件中含有不允许的XML实体声明（DOCTYPE/ENTITY），已拒绝读取")


def _declares_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether the part holds a DOCTYPE or ENTITY declaration anywhere, read in chunks to its end."""
    decoder = None
    tail = b""
    try:
        with zf.open(info) as fh:
            first = True
            while chunk := fh.read(XML_CHUNK_BYTES):
                if first:
                    first = False
                    if chunk.startswith((b"\xff\xfe", b"\xfe\xff")):
                        decoder = codecs.getincrementaldecoder("utf-16")(errors="ignore")
                if decoder is not None:
                    chunk = decoder.decode(chunk).encode("utf-8")
                window = tail + chunk
                if _DTD.search(window):
                    return True
                tail = window[-_OVERLAP:]
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as exc:
        # RuntimeError: an encrypted member; NotImplementedError: an exotic compression method.
        raise LedgerFileError("文件已损坏或已加密，无法读取") from exc
    return False


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d[\d,]*(\.\d+)?%?$")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_cell(value: object) -> object:
    """A value safe to write into an exported spreadsheet or CSV.

    Text starting with = + - @ (or tab/CR, or their full-width forms, which Excel also accepts) is
    prefixed with an apostrophe so no spreadsheet program runs it as a formula. Plain signed numbers
    like "-5000" are left alone: they cannot call anything. Control characters that break .xlsx are dropped.
    """
    if not isinstance(value, str):
        return value
    text = _ILLEGAL_XML.sub("", value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text
