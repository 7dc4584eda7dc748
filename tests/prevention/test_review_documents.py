"""The contract under review uploaded as .docx or .pdf: checked by content, kept, read for clues."""

from __future__ import annotations

import io

from docx import Document

from tests.prevention.test_reviews import submit


def docx_bytes(*paragraphs: str) -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


CONTRACT = docx_bytes(
    "甲一镇道路施工合同",
    "第五条 乙方应垫资施工至主体完工。",
    "第八条 工程款以审计结论为准，审计完成后支付。",
    "第九条 付款方式为银行转账。",
)


def upload(client, world, review_id: int, data: bytes, name: str = "合同.docx", user: str = "clerk_a1"):
    return client.post(
        f"/api/v1/prevention/reviews/{review_id}/documents",
        data={"file": (io.BytesIO(data), name)},
        headers=world.headers(user),
        content_type="multipart/form-data",
    )


def test_upload_download_and_clues(client, world):
    h = world.headers("clerk_a1")
    review = submit(client, world)
    r = upload(client, world, review["id"], CONTRACT, name="施工合同")
    assert r.status_code == 201, r.json
    assert r.json["filename"] == "施工合同.docx" and r.json["content_type"].endswith(
        "wordprocessingml.document"
    )
    pdf = upload(client, world, review["id"], b"%PDF-1.4\n%%EOF\n", name="扫描件.pdf")
    assert pdf.status_code == 201 and pdf.json["content_type"] == "application/pdf"
    got = client.get(f"/api/v1/prevention/reviews/{review['id']}", headers=h).json
    assert [d["filename"] for d in got["documents"]] == ["施工合同.docx", "扫描件.pdf"]
    download = client.get(f"/api/v1/prevention/reviews/{review['id']}/documents/{r.json['id']}", headers=h)
    assert download.status_code == 200 and download.data == CONTRACT
    # The page reads the newest .docx for the reviewer; a PDF gives no clues, so upload the Word file again.
    upload(client, world, review["id"], CONTRACT)
    page = client.get(f"/prevention/reviews/{review['id']}", headers=h).get_data(as_text=True)
    assert 'data-term="advance_funding"' in page and "乙方应垫资施工至主体完工" in page
    assert 'data-term="audit_condition"' in page and 'data-term="back_to_back"' not in page


def test_only_word_and_pdf_and_not_too_large(client, world):
    review = submit(client, world)
    r = upload(client, world, review["id"], b"\x89PNG\r\n\x1a\nxxxx", name="合同.docx")
    assert r.status_code == 422 and "Word" in r.json["errors"]["file"][0]
    r = upload(client, world, review["id"], b"PK\x03\x04not a zip", name="合同.docx")
    assert r.status_code == 422
    r = upload(client, world, review["id"], b"%PDF-" + b"0" * (10 * 1024 * 1024), name="big.pdf")
    assert r.status_code == 413
    r = client.post(f"/api/v1/prevention/reviews/{review['id']}/documents", headers=world.headers("clerk_a1"))
    assert r.status_code == 422 and "file" in r.json["errors"]
    assert (
        client.get(f"/api/v1/prevention/reviews/{review['id']}", headers=world.headers("clerk_a1")).json[
            "documents"
        ]
        == []
    )


def test_other_units_neither_upload_nor_download(client, world):
    review = submit(client, world)
    doc = upload(client, world, review["id"], CONTRACT).json
    assert upload(client, world, review["id"], CONTRACT, user="clerk_a2").status_code == 404
    url = f"/api/v1/prevention/reviews/{review['id']}/documents/{doc['id']}"
    assert client.get(url, headers=world.headers("clerk_a2")).status_code == 404
    assert client.get(url, headers=world.headers("office_b")).status_code == 404
    other = submit(client, world)
    wrong = f"/api/v1/prevention/reviews/{other['id']}/documents/{doc['id']}"
    assert client.get(wrong, headers=world.headers("clerk_a1")).status_code == 404


def test_page_uploads_with_the_new_review(client, world):
    h = world.headers("clerk_a1")
    form = {
        "title": "甲一镇路灯采购合同",
        "counterparty": "甲市照明有限公司",
        "counterparty_size": "small",
        "category": "goods",
        "payment_term_days": "30",
        "clock_start": "delivery",
        "payment_method": "transfer",
        "file": (io.BytesIO(CONTRACT), "路灯合同.docx"),
    }
    r = client.post("/prevention/reviews", data=form, headers=h, content_type="multipart/form-data")
    assert r.status_code == 302 and "/prevention/reviews/" in r.headers["Location"]
    page = client.get(r.headers["Location"], headers=h).get_data(as_text=True)
    assert "路灯合同.docx" in page and 'data-term="advance_funding"' in page
    bad = {**form, "file": (io.BytesIO(b"GIF89a"), "x.docx")}
    r = client.post("/prevention/reviews", data=bad, headers=h, content_type="multipart/form-data")
    assert r.headers["Location"].endswith("/prevention/reviews")
    assert len(client.get("/api/v1/prevention/reviews", headers=h).json) == 1


def rezip(
    data: bytes, extra: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None
) -> bytes:
    """``data`` (a .docx) with parts replaced or added."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, (replace or {}).get(info.filename, src.read(info.filename)))
        for name, body in (extra or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def test_a_hostile_docx_is_refused_before_any_parser_reads_it(client, world):
    review = submit(client, world)
    bomb = rezip(CONTRACT, extra={"word/media/pad.bin": b"\0" * (3 * 1024 * 1024)})
    r = upload(client, world, review["id"], bomb)
    assert r.status_code == 422 and "疑似压缩炸弹" in r.json["errors"]["file"][0]
    entity = (
        b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
        b"<w:document>&lol2;</w:document>"
    )
    r = upload(client, world, review["id"], rezip(CONTRACT, replace={"word/document.xml": entity}))
    assert r.status_code == 422 and "DOCTYPE/ENTITY" in r.json["errors"]["file"][0]
    # A declaration deep inside a part (past the first chunk) is found too.
    late = b"<w:document>" + b"<w:p/>" * 20000 + b"<!DOCTYPE x></w:document>"
    r = upload(client, world, review["id"], rezip(CONTRACT, replace={"word/document.xml": late}))
    assert r.status_code == 422 and "DOCTYPE/ENTITY" in r.json["errors"]["file"][0]
    many = rezip(CONTRACT, extra={f"customXml/item{i}.bin": b"x" for i in range(1001)})
    r = upload(client, world, review["id"], many)
    assert r.status_code == 422 and "文件过多" in r.json["errors"]["file"][0]
    got = client.get(f"/api/v1/prevention/reviews/{review['id']}", headers=world.headers("clerk_a1")).json
    assert got["documents"] == []
    # The real contract, repacked the same way, still goes in.
    assert upload(client, world, review["id"], rezip(CONTRACT)).status_code == 201


def test_the_page_names_why_a_hostile_docx_was_refused(client, world):
    from tests.prevention.test_reviews import body as review_body

    h = world.headers("clerk_a1")
    bomb = rezip(CONTRACT, extra={"word/media/pad.bin": b"\0" * (3 * 1024 * 1024)})
    form = {k: str(v) for k, v in review_body().items() if not isinstance(v, list | dict) and v is not None}
    r = client.post(
        "/prevention/reviews",
        data={**form, "file": (io.BytesIO(bomb), "合同.docx")},
        headers=h,
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "疑似压缩炸弹" in r.get_data(as_text=True)
