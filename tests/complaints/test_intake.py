"""Public intake: page, API, validation, attachments, abuse protection and the status lookup."""

from __future__ import annotations

import base64

from core.extensions import db
from core.tenancy.scope import system_scope
from plugins.complaints.intake import security
from plugins.complaints.models import Complaint, ComplaintAttachment, ConfidentialNote
from tests.complaints.conftest import filing

PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20


def file(client, **overrides):
    return client.post("/api/v1/public/complaints", json=filing(**overrides))


def count(model) -> int:
    with system_scope():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_public_page_needs_no_login_and_is_chinese(client, cworld):
    r = client.get("/public/a/complaints/new")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "中小企业账款拖欠投诉" in html and 'name="website"' in html and "甲风景区" in html
    assert client.get("/public/a/complaints/status").status_code == 200


def test_file_and_look_up(client, cworld):
    r = file(client)
    assert r.status_code == 201, r.json
    code = r.json["tracking_code"]
    assert security.CODE_PATTERN.match(code)
    with system_scope():
        c = db.session.scalar(db.select(Complaint))
        assert c.tracking_code == code and str(c.amount) == "85000.50" and c.status == "received"
        assert c.debtor_unit_id == cworld.nodes["a.town1"].id  # "甲一镇政府" matched "甲一镇人民政府"
        assert c.unit_id == cworld.nodes["a"].id  # with the office until transferred
    r = client.post(
        "/api/v1/public/complaints/status",
        json={"jurisdiction": "a", "tracking_code": code.lower(), "phone_last4": "5678"},
    )
    assert r.status_code == 200
    assert set(r.json) == {
        "tracking_code",
        "status",
        "status_label",
        "received_on",
        "transferred_on",
        "answered_on",
        "closed_on",
        "result_text",
        "info_request",
        "info_requested_on",
    }
    assert "王经理" not in r.get_data(as_text=True)


def test_lookup_cannot_tell_wrong_code_from_wrong_digits(client, cworld):
    code = file(client).json["tracking_code"]
    other = "".join("2" if ch != "2" else "3" for ch in code)
    answers = [
        client.post(
            "/api/v1/public/complaints/status",
            json={"jurisdiction": "a", "tracking_code": tc, "phone_last4": digits},
        )
        for tc, digits in ((code, "0000"), (other, "5678"), ("short", "5678"), (code, ""))
    ]
    assert {a.status_code for a in answers} == {404}
    assert len({a.get_data() for a in answers}) == 1
    # Another jurisdiction's code cannot reach a's case either.
    r = client.post(
        "/api/v1/public/complaints/status",
        json={"jurisdiction": "b", "tracking_code": code, "phone_last4": "5678"},
    )
    assert r.status_code == 404 and r.get_data() == answers[0].get_data()


def test_validation_names_fields(client, cworld):
    r = file(client, creditor_code="91140922MA0K7C0M1X", amount=12.5, contact_phone="abc", category="rent")
    assert r.status_code == 422
    assert {"creditor_code", "amount", "contact_phone", "category"} <= set(r.json["errors"])
    assert count(Complaint) == 0
    assert file(client, amount="1.234").status_code == 422
    assert file(client, amount="-5").status_code == 422


def test_honeypot_answers_like_success_and_keeps_nothing(client, cworld):
    r = file(client, website="http://spam.example")
    assert r.status_code == 201 and security.CODE_PATTERN.match(r.json["tracking_code"])
    assert count(Complaint) == 0


def test_rate_limit_per_address(client, cworld):
    codes = [file(client).status_code for _ in range(5)]
    assert codes == [201] * 5
    r = file(client)
    assert r.status_code == 429 and r.json["code"] == "too_many_requests"
    assert 3500 <= int(r.headers["Retry-After"]) <= 3600
    other = client.post("/api/v1/public/complaints", json=filing(), environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 201


def test_lookup_rate_limited(client, cworld):
    body = {"jurisdiction": "a", "tracking_code": "2" * 12, "phone_last4": "0000"}
    statuses = [client.post("/api/v1/public/complaints/status", json=body).status_code for _ in range(21)]
    assert statuses[:20] == [404] * 20 and statuses[20] == 429


def test_attachments_by_magic_bytes(client, cworld):
    data = filing()
    data["attachments"] = [
        (__import__("io").BytesIO(PDF), "合同.pdf"),
        (__import__("io").BytesIO(PNG), "发票.png"),
    ]
    r = client.post("/api/v1/public/complaints", data=data, content_type="multipart/form-data")
    assert r.status_code == 201, r.json
    with system_scope():
        rows = db.session.scalars(db.select(ComplaintAttachment).order_by(ComplaintAttachment.id)).all()
        assert [(a.filename, a.content_type) for a in rows] == [
            ("合同.pdf", "application/pdf"),
            ("发票.png", "image/png"),
        ]


def test_attachment_type_refused(client, cworld):
    fake = base64.b64encode(b"MZ\x90\x00 executable pretending").decode()
    r = file(client, attachments=[{"filename": "合同.pdf", "content_base64": fake}])
    assert r.status_code == 422 and "attachments" in r.json["errors"]
    data = filing()
    data["attachments"] = [(__import__("io").BytesIO(b"<html>"), "a.jpg")]
    r = client.post("/api/v1/public/complaints", data=data, content_type="multipart/form-data")
    assert r.status_code == 422
    assert count(Complaint) == 0


def test_too_large_answers_413(client, cworld):
    big = PDF + b"0" * (security.MAX_ATTACHMENT_BYTES + 10)
    data = filing()
    data["attachments"] = [(__import__("io").BytesIO(big), "big.pdf")]
    r = client.post("/api/v1/public/complaints", data=data, content_type="multipart/form-data")
    assert r.status_code == 413
    r = client.post(
        "/api/v1/public/complaints",
        data=b"x" * (security.MAX_REQUEST_BYTES + 1),
        content_type="application/json",
    )
    assert r.status_code == 413
    assert count(Complaint) == 0


def test_suggestions_return_names_only(client, cworld):
    r = client.get("/api/v1/public/a/units?q=甲一镇政府")
    assert r.status_code == 200
    assert r.json["names"][0] == "甲一镇人民政府"
    assert all(isinstance(n, str) for n in r.json["names"])
    assert client.get("/api/v1/public/a/units?q=").json == {"names": []}


def test_public_routes_are_per_jurisdiction(client, cworld):
    # b's plan does not enable the plugin: its page, suggestions and intake do not exist.
    assert client.get("/public/b/complaints/new").status_code == 404
    assert client.get("/public/b/complaints/status").status_code == 404
    assert client.get("/api/v1/public/b/units?q=乙一镇").status_code == 404
    assert file(client, jurisdiction="b").status_code == 404
    # Units are never a jurisdiction; unknown codes likewise.
    assert client.get("/public/a.town1/complaints/new").status_code == 404
    assert client.get("/api/v1/public/nowhere/units?q=x").status_code == 404
    # a's suggestions never name b's units.
    assert "乙一镇人民政府" not in client.get("/api/v1/public/a/units?q=乙一镇政府").get_data(as_text=True)


def test_disabled_plugin_everything_404(client, world):
    with system_scope():
        a = world.node("a")
        a.plan = {**a.plan, "plugins": [p for p in a.plan["plugins"] if p != "complaints"]}
        db.session.commit()
    assert client.get("/public/a/complaints/new").status_code == 404
    assert file(client).status_code == 404
    assert client.get("/api/v1/complaints", headers=world.headers("office_a")).status_code == 404
    assert client.get("/complaints", headers=world.headers("office_a")).status_code == 404


def test_retaliation_concern_kept_confidential(client, cworld):
    code = file(client, retaliation="担心被压减后续合同").json["tracking_code"]
    with system_scope():
        note = db.session.scalar(db.select(ConfidentialNote))
        assert note.text == "担心被压减后续合同" and note.unit_id == cworld.nodes["a"].id
        cid = db.session.scalar(db.select(Complaint.id).where(Complaint.tracking_code == code))
    office = client.get(f"/api/v1/complaints/{cid}", headers=cworld.headers("office_a")).json
    assert office["confidential_notes"][0]["text"] == "担心被压减后续合同"
    leader = client.get(f"/api/v1/complaints/{cid}", headers=cworld.headers("leader_a")).json
    assert "confidential_notes" not in leader and "contact_phone" not in leader


def test_signed_in_staff_can_use_the_public_form(client, cworld):
    from tests.test_web import csrf_token, login

    login(client, "clerk_a1")
    token = csrf_token(client, "/public/a/complaints/new")
    assert client.post("/api/v1/public/complaints", data=filing()).status_code == 400  # CSRF refused
    r = client.post("/api/v1/public/complaints", data={**filing(), "csrf_token": token})
    assert r.status_code == 201, r.json


def test_public_routes_keep_jurisdictions_apart_when_both_enable_the_plugin(client, cworld):
    with system_scope():
        b = cworld.node("b")
        b.plan = {**b.plan, "plugins": ["complaints"]}
        db.session.commit()
    code = file(client).json["tracking_code"]
    names = client.get("/api/v1/public/b/units?q=甲一镇政府").json["names"]
    assert all("甲" not in n for n in names)
    assert client.get("/api/v1/public/b/units?q=乙一镇政府").json["names"][0] == "乙一镇人民政府"
    body = {"jurisdiction": "b", "tracking_code": code, "phone_last4": "5678"}
    assert client.post("/api/v1/public/complaints/status", json=body).status_code == 404
    # b's office sees nothing of a's case.
    assert client.get("/api/v1/complaints", headers=cworld.headers("office_b")).json == []
    r = file(client, jurisdiction="b", debtor="乙一镇政府")
    assert r.status_code == 201
    with system_scope():
        rows = db.session.execute(db.select(Complaint.jurisdiction_id, Complaint.debtor_unit_id)).all()
        assert {(j, d) for j, d in rows} == {
            (cworld.nodes["a"].id, cworld.nodes["a.town1"].id),
            (cworld.nodes["b"].id, cworld.nodes["b.town1"].id),
        }
