"""Attachments of a confirmation request: checked like a complaint's uploads (type by content, size and count
limits, no archive or XML ever opened), kept under the debtor unit, listed and downloaded by the unit's
subtree and the office only, shown on the request's page."""

from __future__ import annotations

import base64
import io
import re
import zipfile

import pytest

from core.extensions import db
from core.tenancy.scope import system_scope
from core.testing.harness import add_user
from plugins.finance.confirmations import attachments
from plugins.finance.confirmations.models import Confirmation, ConfirmationAttachment
from tests.finance.conftest import item_id, request_body
from tests.finance.test_pages import login, token

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def b64(name: str, data: bytes) -> dict:
    return {"filename": name, "content_base64": base64.b64encode(data).decode()}


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def count(model) -> int:
    with system_scope():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def file_with(client, files: list[dict], **overrides):
    return client.post(
        "/api/v1/public/finance/confirmations", json=request_body(attachments=files, **overrides)
    )


def test_public_request_keeps_its_files_for_the_debtor_and_the_office(client, world):
    r = file_with(client, [b64("合同 扫描.pdf", PDF), b64("../../发票.png", PNG), b64("送货单", JPEG)])
    assert r.status_code == 201, r.json
    cid = item_id(client, world, r.json["tracking_code"])

    detail = client.get(f"/api/v1/finance/confirmations/{cid}", headers=world.headers("clerk_a1")).json
    listed = [(a["filename"], a["content_type"], a["size"]) for a in detail["attachments"]]
    # Names are cleaned and end with the extension of the type found in the bytes.
    assert listed == [
        ("合同_扫描.pdf", "application/pdf", len(PDF)),
        ("发票.png", "image/png", len(PNG)),
        ("送货单.jpg", "image/jpeg", len(JPEG)),
    ]
    assert detail["steps"][0]["label"].startswith("企业网上申请确权（附件3个）")

    for user in ("clerk_a1", "office_a", "leader_a"):
        rows = client.get(f"/api/v1/finance/confirmations/{cid}/attachments", headers=world.headers(user))
        assert rows.status_code == 200 and len(rows.json) == 3, user
        got = client.get(rows.json[0]["url"], headers=world.headers(user))
        assert got.status_code == 200 and got.data == PDF
        assert got.mimetype == "application/pdf" and got.headers["X-Content-Type-Options"] == "nosniff"
        assert got.headers["Content-Disposition"].startswith("attachment;")


def test_other_units_and_jurisdictions_reach_no_attachment(client, world):
    r = file_with(client, [b64("合同.pdf", PDF)])
    cid = item_id(client, world, r.json["tracking_code"])
    url = client.get(f"/api/v1/finance/confirmations/{cid}", headers=world.headers("office_a")).json[
        "attachments"
    ][0]["url"]
    for outsider in ("clerk_a2", "soe_a", "office_b", "clerk_b1"):
        assert client.get(url, headers=world.headers(outsider)).status_code == 404, outsider
        listing = client.get(
            f"/api/v1/finance/confirmations/{cid}/attachments", headers=world.headers(outsider)
        )
        assert listing.status_code == 404, outsider
    # An attachment id under another request of the same unit is not found either.
    other = file_with(client, [b64("另一份.pdf", PDF)], contract_no="HT-2026-099")
    other_id = item_id(client, world, other.json["tracking_code"])
    attachment_id = url.rsplit("/", 1)[-1]
    wrong = f"/api/v1/finance/confirmations/{other_id}/attachments/{attachment_id}"
    assert client.get(wrong, headers=world.headers("office_a")).status_code == 404


def test_a_request_to_a_subunit_is_seen_from_above_not_from_the_side(client, world):
    with system_scope():
        add_user(world, "clerk_a1o", "unit_clerk", world.node("a.town1.office"))
        db.session.commit()
    r = file_with(client, [b64("合同.pdf", PDF)], debtor_unit="a.town1.office")
    cid = item_id(client, world, r.json["tracking_code"])
    for user, expected in (("clerk_a1o", 200), ("clerk_a1", 200), ("clerk_a2", 404)):
        got = client.get(f"/api/v1/finance/confirmations/{cid}/attachments", headers=world.headers(user))
        assert got.status_code == expected, user
    with system_scope():
        row = db.session.scalar(db.select(ConfirmationAttachment))
        assert row.unit_id == world.node("a.town1.office").id


@pytest.mark.parametrize(
    "files, message",
    [
        ([("合同.docx", docx_bytes())], "不是 PDF、JPEG 或 PNG 文件"),
        ([("发票.xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "a">]><x>&a;</x>')], "不是 PDF"),
        ([("图.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>")], "不是 PDF"),
        ([("伪装.pdf", b"MZ\x90\x00 not a pdf")], "不是 PDF"),
        ([("空.pdf", b"")], "空文件"),
        ([(f"第{i}张.pdf", PDF) for i in range(6)], "附件最多5个"),
    ],
)
def test_files_are_judged_by_their_bytes_and_nothing_is_written(client, world, files, message):
    r = file_with(client, [b64(name, data) for name, data in files])
    assert r.status_code == 422, r.json
    assert message in r.json["errors"]["attachments"][0]
    assert count(Confirmation) == 0 and count(ConfirmationAttachment) == 0


def test_a_file_too_large_is_413_and_bad_fields_are_named_with_the_files(client, world):
    big = PDF + b"0" * attachments.MAX_ATTACHMENT_BYTES
    r = file_with(client, [b64("大.pdf", big)])
    assert r.status_code == 413 and "不能超过5MB" in r.json["errors"]["attachments"][0]
    # A bad field and a bad file are named together, as one refusal.
    r = file_with(client, [b64("合同.txt", b"hello")], amount="约12万")
    assert r.status_code == 422 and {"amount", "attachments"} <= set(r.json["errors"])
    r = file_with(client, "not a list")
    assert r.status_code == 422 and "attachments" in r.json["errors"]
    r = file_with(client, [{"filename": "a.pdf", "content_base64": "%%%"}])
    assert r.status_code == 422 and "base64" in r.json["errors"]["attachments"][0]
    assert count(Confirmation) == 0 and count(ConfirmationAttachment) == 0


def test_the_public_page_uploads_files_and_the_request_page_lists_them(client, world):
    page = "/public/a/finance/confirm"
    form = {k: v for k, v in request_body().items() if k != "jurisdiction"}
    bad = client.post(
        page,
        data={
            **form,
            "csrf_token": token(client, page),
            "attachments": [(io.BytesIO(docx_bytes()), "合同.docx")],
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "不是 PDF、JPEG 或 PNG 文件" in bad.get_data(as_text=True)
    assert count(Confirmation) == 0
    ok = client.post(
        page,
        data={
            **form,
            "csrf_token": token(client, page),
            "attachments": [(io.BytesIO(PDF), "合同.pdf"), (io.BytesIO(PNG), "发票.png")],
        },
        content_type="multipart/form-data",
    )
    code = re.search(r'<p class="tracking-code">([A-Z0-9]{12})</p>', ok.get_data(as_text=True))
    assert ok.status_code == 200 and code and "已收到附件2个" in ok.get_data(as_text=True)
    cid = item_id(client, world, code.group(1))

    login(client, "clerk_a1")
    listing = client.get("/finance").get_data(as_text=True)
    assert listing.count('data-attachments="2"') == 1
    html = client.get(f"/finance/confirmations/{cid}").get_data(as_text=True)
    links = re.findall(r'<a href="(/api/v1/finance/confirmations/\d+/attachments/\d+)">([^<]+)</a>', html)
    assert [name for _, name in links] == ["合同.pdf", "发票.png"]
    assert client.get(links[1][0]).data == PNG


def test_the_office_records_a_paper_request_with_its_scans(client, world):
    r = client.post(
        "/api/v1/finance/confirmations",
        json=request_body(attachments=[b64("书面申请.pdf", PDF)]),
        headers=world.headers("office_a"),
    )
    assert r.status_code == 201, r.json
    assert [a["filename"] for a in r.json["attachments"]] == ["书面申请.pdf"]
