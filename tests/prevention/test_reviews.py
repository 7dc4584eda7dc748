"""Contract review before signing: findings, fixing and answering them, signing, the .docx opinion."""

from __future__ import annotations

import io

import pytest

from core.extensions import db
from core.models.append_only import AppendOnlyError
from core.tenancy.scope import system_scope
from plugins.prevention.reviews.models import ReviewDecision

TERMS = {
    "payment_term_days": 90,
    "clock_start": "acceptance",
    "acceptance_days": 15,
    "audit_condition": True,
    "deposits": [{"kind": "quality", "rate": "5", "form": "cash", "guarantee_refused": True}],
}


def body(**overrides) -> dict:
    out = {
        "title": "甲一镇道路施工合同",
        "counterparty": "甲市路桥工程有限公司",
        "counterparty_size": "small",
        "category": "works",
        "contract_amount": "2000000.00",
        "contract_date": "2025-07-01",
        "terms": TERMS,
    }
    out.update(overrides)
    return out


def submit(client, world, **overrides) -> dict:
    r = client.post("/api/v1/prevention/reviews", json=body(**overrides), headers=world.headers("clerk_a1"))
    assert r.status_code == 201, r.json
    return r.json


def codes(review: dict) -> list[str]:
    return [f["code"] for f in review["findings"]]


def test_review_finds_each_problem_with_its_article(client, world):
    r = submit(client, world)
    assert codes(r) == ["term_over_cap", "audit_condition", "deposit_rate.0", "deposit_guarantee.0"]
    assert r["status"] == "problems" and r["problems_found"] == 4 and r["rule_set"] == "regulation-2025"
    articles = {f["code"]: f["article"] for f in r["findings"]}
    assert articles["term_over_cap"] == "《保障中小企业款项支付条例》第九条"
    assert articles["deposit_rate.0"] == "《保障中小企业款项支付条例》第十三条"
    assert all(f["suggestion"] for f in r["findings"])


def test_fix_answer_sign_and_the_log(client, world):
    h = world.headers("clerk_a1")
    r = submit(client, world)
    url = f"/api/v1/prevention/reviews/{r['id']}"
    # Signing with open findings is refused.
    assert client.post(f"{url}/sign", json={"signed_on": "2025-07-05"}, headers=h).status_code == 422
    # Fix the term and the deposit; the audit condition stays, and the unit must answer for it.
    fixed_terms = {
        **TERMS,
        "payment_term_days": 30,
        "deposits": [{"kind": "quality", "rate": "3", "form": "guarantee"}],
    }
    etag = client.get(url, headers=h).headers["ETag"]
    r = client.patch(url, json={"terms": fixed_terms}, headers={**h, "If-Match": etag})
    assert r.status_code == 200, r.json
    assert codes(r.json) == ["audit_condition"] and r.json["problems_fixed"] == 3
    assert (
        client.post(f"{url}/answers", json={"code": "term_over_cap", "note": "已改"}, headers=h).status_code
        == 422
    )
    r = client.post(
        f"{url}/answers", json={"code": "audit_condition", "note": "乙方书面同意以审计结论结算"}, headers=h
    )
    assert r.status_code == 200 and r.json["status"] == "clean"
    r = client.post(f"{url}/sign", json={"signed_on": "2025-07-05", "contract_no": "JA-2025-01"}, headers=h)
    assert r.status_code == 200 and r.json["status"] == "signed" and r.json["contract_no"] == "JA-2025-01"
    # A signed review keeps its record and is not edited again.
    etag = r.headers["ETag"]
    r = client.patch(url, json={"terms": TERMS}, headers={**h, "If-Match": etag})
    assert r.status_code == 422 and "已签订" in r.json["errors"]["status"][0]
    log = client.get(url, headers=h).json["decisions"]
    assert [(d["action"], d["status"]) for d in log] == [
        ("checked", "problems"),
        ("rechecked", "problems"),
        ("answered", "clean"),
        ("signed", "signed"),
    ]
    assert sorted(log[1]["fixed"]) == ["deposit_guarantee.0", "deposit_rate.0", "term_over_cap"]
    # The decision log is history: it cannot be changed.
    with system_scope():
        row = db.session.scalars(db.select(ReviewDecision)).first()
        row.note = "改写"
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()


def test_opinion_docx(client, world):
    from docx import Document

    r = submit(client, world)
    resp = client.get(f"/api/v1/prevention/reviews/{r['id']}/opinion.docx", headers=world.headers("clerk_a1"))
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    doc = Document(io.BytesIO(resp.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "合同审查意见书" in text and "存在问题待整改" in text and "甲市路桥工程有限公司" in text
    rows = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert rows[0] == ["序号", "问题", "依据", "建议表述", "单位说明"] and len(rows) == 5
    assert rows[1][2] == "《保障中小企业款项支付条例》第九条"


def test_bad_input_and_scope(client, world):
    h = world.headers("clerk_a1")
    bad = body(terms={**TERMS, "payment_term_days": -1})
    r = client.post("/api/v1/prevention/reviews", json=bad, headers=h)
    assert r.status_code == 422 and "payment_term_days" in r.json["errors"]["terms"]
    r = client.post("/api/v1/prevention/reviews", json=body(counterparty_size="huge"), headers=h)
    assert r.status_code == 422 and "counterparty_size" in r.json["errors"]
    r = client.post("/api/v1/prevention/reviews", json=body(project_id=999999), headers=h)
    assert r.status_code == 404 and "project_id" in r.json["errors"]
    assert client.get("/api/v1/prevention/reviews", headers=h).json == []
    review = submit(client, world)
    assert (
        client.get(
            f"/api/v1/prevention/reviews/{review['id']}", headers=world.headers("clerk_a2")
        ).status_code
        == 404
    )
    assert client.get("/api/v1/prevention/reviews", headers=world.headers("office_b")).status_code == 404
    listed = client.get("/api/v1/prevention/reviews?status=problems", headers=world.headers("office_a"))
    assert listed.headers["X-Total-Count"] == "1"


def test_pages_review_fix_and_turn_clean(client, world):
    h = world.headers("clerk_a1")
    form = {
        "title": "甲一镇绿化养护合同",
        "counterparty": "甲市园林有限公司",
        "counterparty_size": "small",
        "category": "services",
        "payment_term_days": "45",
        "clock_start": "delivery",
        "payment_method": "transfer",
        "advance_funding": "on",
    }
    r = client.post("/prevention/reviews", data=form, headers=h)
    assert r.status_code == 302
    page = client.get(r.headers["Location"], headers=h).get_data(as_text=True)
    assert "适用：《保障中小企业款项支付条例》（2025年修订）" in page
    assert 'data-status="problems"' in page and "垫资" in page and "第八条" in page and "第九条" in page
    form.pop("advance_funding")
    form["payment_term_days"] = "30"
    r = client.post(r.headers["Location"], data=form, headers=h)
    page = client.get(r.headers["Location"], headers=h).get_data(as_text=True)
    assert 'data-status="clean"' in page and 'id="no-findings"' in page and "已整改 2 个" in page
    assert client.get("/prevention/reviews", headers=h).status_code == 200
