"""File safety: zip bombs, XML entities, formulas, macros, corrupt and unsupported files, export escaping."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from plugins.ledger.parsing import LedgerFileError, parse_file, read_table, safe_cell, safety
from tests.ledger.fixtures import (
    PLAN,
    SIMPLE_HEADER,
    add_zip_member,
    replace_zip_member,
    simple_row,
    write_xlsx,
)


def ledger(tmp_path, name="a.xlsx"):
    return write_xlsx(tmp_path / name, [SIMPLE_HEADER, simple_row(1)])


def test_zip_bomb_ratio_refused(tmp_path):
    path = ledger(tmp_path)
    add_zip_member(path, "xl/media/bomb.bin", b"\0" * (20 * 1024 * 1024))
    with pytest.raises(LedgerFileError, match="压缩"):
        list(read_table(path, "a.xlsx", max_rows=10))


def test_total_uncompressed_size_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(safety, "MAX_UNCOMPRESSED", 1000)
    monkeypatch.setattr(safety, "BYTES_PER_ROW", 0)
    with pytest.raises(LedgerFileError, match="压缩炸弹"):
        parse_file(ledger(tmp_path), "a.xlsx", PLAN)


def test_doctype_and_entities_refused(tmp_path):
    path = ledger(tmp_path)
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    laughs = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
    body = sheet.split(b"?>", 1)[1] if sheet.startswith(b"<?xml") else sheet
    replace_zip_member(path, "xl/worksheets/sheet1.xml", laughs + body)
    with pytest.raises(LedgerFileError, match="DOCTYPE"):
        parse_file(path, "a.xlsx", PLAN)


def test_formulas_are_not_evaluated(tmp_path):
    path = tmp_path / "f.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(SIMPLE_HEADER)
    row = simple_row(1)
    row[1] = '=HYPERLINK("http://evil.example","点我")'
    row[6] = "=1000*2"  # openpyxl stores no cached value: it must read as empty, not 2000
    ws.append(row)
    wb.save(path)
    res = parse_file(path, "f.xlsx", PLAN)
    r = res.rows[0]
    assert r.status == "rejected"
    assert {i.message for i in r.issues} >= {"债权企业名称不能为空", "欠款金额不能为空"}


def test_xlsm_read_as_data_only(tmp_path):
    path = ledger(tmp_path, "宏.xlsm")
    add_zip_member(path, "xl/vbaProject.bin", b'Attribute VB_Name = "Module1"\nSub AutoOpen()\nEnd Sub\n')
    res = parse_file(path, "宏.xlsm", PLAN)
    assert res.counts["accepted"] == 1


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("a.pdf", b"%PDF-1.4", "不支持的文件类型"),
        ("a.docx", b"PK\x03\x04", "不支持的文件类型"),
        ("a.xlsx", b"", "文件为空"),
        ("a.xlsx", b"PK\x03\x04garbage" * 10, "损坏"),
        ("a.xls", b"<html><table><tr><td>1</td></tr></table></html>", "网页"),
        ("a.xlsx", b"\x00\x01\x02hello", "不是有效的Excel"),
        ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "损坏"),
    ],
)
def test_bad_files(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LedgerFileError, match=message):
        parse_file(path, name, PLAN)


def test_real_xlsx_renamed_xls_still_reads(tmp_path):
    path = ledger(tmp_path)
    renamed = path.rename(tmp_path / "b.xls")
    assert parse_file(renamed, "b.xls", PLAN).counts["accepted"] == 1


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("＝1+1", "'＝1+1"),
        ("-5000", "-5000"),
        ("-1,234.50", "-1,234.50"),
        ("正常文本", "正常文本"),
        ("a\x00b\x07", "ab"),
        (12, 12),
        (None, None),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def _with_sheet_prolog(path, prolog: bytes) -> None:
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    body = sheet.split(b"?>", 1)[1] if sheet.startswith(b"<?xml") else sheet
    replace_zip_member(path, "xl/worksheets/sheet1.xml", b'<?xml version="1.0"?>' + prolog + body)


def test_doctype_after_the_first_kilobytes_refused(tmp_path):
    """Regression: only the first 4 KB of each part were read, so a long comment hid the DTD."""
    path = ledger(tmp_path)
    padding = b"<!--" + b"x" * (64 * 1024) + b"-->\n"
    _with_sheet_prolog(path, padding + b'<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>')
    with pytest.raises(LedgerFileError, match="DOCTYPE"):
        parse_file(path, "a.xlsx", PLAN)


def test_doctype_split_across_read_chunks_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(safety, "XML_CHUNK_BYTES", 64)
    path = ledger(tmp_path)
    for shift in range(8):
        _with_sheet_prolog(path, b" " * (60 + shift) + b'<!DOCTYPE d [<!ENTITY e "x">]>')
        with pytest.raises(LedgerFileError, match="DOCTYPE"):
            parse_file(path, "a.xlsx", PLAN)


def test_utf16_part_with_late_entity_refused(tmp_path):
    path = ledger(tmp_path)
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    body = sheet.split(b"?>", 1)[1] if sheet.startswith(b"<?xml") else sheet
    text = '<?xml version="1.0" encoding="UTF-16"?>' + " " * 9000 + '<!DOCTYPE d [<!ENTITY e "x">]>'
    replace_zip_member(path, "xl/worksheets/sheet1.xml", (text + body.decode("utf-8")).encode("utf-16"))
    with pytest.raises(LedgerFileError, match="DOCTYPE"):
        parse_file(path, "a.xlsx", PLAN)


def test_long_clean_parts_still_read(tmp_path):
    path = ledger(tmp_path)
    _with_sheet_prolog(path, b"<!--" + b"y" * (200 * 1024) + b"-->\n")
    assert parse_file(path, "a.xlsx", PLAN).counts["accepted"] == 1


def test_uncompressed_budget_grows_with_the_configured_row_limit(tmp_path, monkeypatch):
    # The budget is the larger of the fixed floor and the row limit × bytes per row.
    path = ledger(tmp_path)
    with zipfile.ZipFile(path) as zf:
        total = sum(i.file_size for i in zf.infolist())
    monkeypatch.setattr(safety, "MAX_UNCOMPRESSED", total // 4)
    monkeypatch.setattr(safety, "BYTES_PER_ROW", 100)
    with pytest.raises(LedgerFileError, match="压缩炸弹"):
        safety.check_zip(path)
    safety.check_zip(path, max_rows=total // 100 + 1)
    with pytest.raises(LedgerFileError, match="压缩炸弹"):
        safety.check_zip(path, max_rows=total // 200)


def test_a_real_ledger_at_its_row_limit_fits_the_budget(tmp_path, monkeypatch):
    # An official-layout ledger (long texts, 小计 rows, footers) allowed exactly its own row count must not
    # be taken for a bomb by the per-row budget alone: a 200,000-row file at the default limit was refused.
    from tests.ledger.messy import official_ledger

    ledger_file = official_ledger(3000, debtors=["甲一镇人民政府", "甲一镇财政所"], seed=5)
    path = ledger_file.write_xlsx(tmp_path / "official.xlsx")
    rows = len(ledger_file.sheet_rows())
    monkeypatch.setattr(safety, "MAX_UNCOMPRESSED", 0)
    safety.check_zip(path, max_rows=rows)
