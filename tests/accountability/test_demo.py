"""`qingqian demo` exercises every part of accountability, including the finance bureau's read-only account
for the register of measures, a confirmed concealment finding and a 失信 referral proposal."""

from __future__ import annotations

from core.auth.models import RoleAssignment, User
from core.extensions import db
from core.tenancy.scope import system_scope
from plugins.accountability.cases.models import CreditReferral
from plugins.accountability.findings.models import FlagFinding
from plugins.accountability.referrals.models import Referral
from tests.conftest import needs_plugins
from tests.test_cli import pinned, run
from tests.test_web import login

__all__ = ["pinned"]


@needs_plugins("ledger")
def test_demo_has_the_register_reader_a_finding_and_a_credit_referral(app, client, pinned):
    out = run(app, "demo", "--debts", "24", "--seed", "5").stdout
    assert (
        "五台山风景名胜区：" in out and "财政部门限制措施只读账号 wts_finance（密码 wts-finance-2023）" in out
    )
    assert "提出失信惩戒移送建议 1 件" in out
    with system_scope():
        user = db.session.scalar(db.select(User).where(User.username == "wts_finance"))
        roles = db.session.scalars(
            db.select(RoleAssignment.role).where(RoleAssignment.user_id == user.id)
        ).all()
        assert roles == ["measures_reader"]
        credit = db.session.scalars(db.select(CreditReferral)).all()
        assert [c.status for c in credit] == ["proposed"]
        findings = db.session.scalars(db.select(FlagFinding)).all()
        referral = db.session.scalars(db.select(Referral)).one()
        # The demo ledger's flag (an audit-found debt the submitted ledger lacked) is confirmed; the
        # referral carries it if it is that unit's.
        assert [f.finding for f in findings] == ["confirmed"]
        assert "认定瞒报漏报 1 条" in out
        assert set(referral.finding_ids or []) <= {f.id for f in findings}
    # The 瞒报认定 page shows the flag and its finding, with the correction form for the office.
    office = app.test_client()
    login(office, "wts_office", "wts-office-2023")
    page = office.get("/accountability/flags").get_data(as_text=True)
    assert "审计/巡视/督导/线索发现但未填报" in page and "认定为瞒报" in page and "提交更正" in page
    login(client, "wts_finance", "wts-finance-2023")
    r = client.get("/", follow_redirects=True)
    assert r.status_code == 200 and r.request.path == "/accountability/measures"
    assert "限制措施登记簿" in r.get_data(as_text=True)
    again = run(app, "demo", "--debts", "24", "--seed", "5").stdout
    assert "财政部门限制措施只读账号" not in again
    with system_scope():
        assert db.session.scalar(db.select(db.func.count(User.id)).where(User.username == "wts_finance")) == 1
        assert db.session.scalar(db.select(db.func.count(CreditReferral.id))) == 1
