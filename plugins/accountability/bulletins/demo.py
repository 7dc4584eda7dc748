"""Demo content: one bulletin issued from the demo ledger, read by one unit, and a draft of the next."""

from __future__ import annotations

from core.tenancy.models import TenantNode
from plugins.accountability.bulletins import service
from plugins.accountability.bulletins.models import Bulletin


def demo_data(jurisdiction: TenantNode, users: dict) -> str | None:
    from core.extensions import db

    reader = _demo_measures_reader(jurisdiction, users)
    if db.session.scalar(db.select(Bulletin.id).where(Bulletin.jurisdiction_id == jurisdiction.id).limit(1)):
        return reader
    office = users.get("office_admin")
    issued = service.issue(service.create(jurisdiction, actor=office, values={}), actor=office)
    recipients = service.recipients(issued)
    read = 0
    clerk = users.get("unit_clerk") or users.get("unit_head")
    if clerk is not None:
        from core.auth.models import RoleAssignment

        nodes = set(
            db.session.scalars(db.select(RoleAssignment.node_id).where(RoleAssignment.user_id == clerk.id))
        )
        mine = {r.unit_id for r in recipients if r.unit_id in nodes}
        if mine:
            service.acknowledge(issued, actor=clerk, unit_ids=mine)
            read = len(mine)
    service.create(jurisdiction, actor=office, values={"title": "关于清欠工作进展情况的通报（草稿）"})
    supervised = _demo_supervision(jurisdiction, office, recipients)
    sent = f"发送 {len(recipients)} 个单位，{read} 个已阅"
    line = f"印发通报 {issued.doc_no}（{sent}），另有草稿 1 份；挂牌督办 {supervised}"
    return line + (f"；{reader}" if reader else "")


def _demo_measures_reader(jurisdiction: TenantNode, users: dict) -> str | None:
    """The finance bureau's read-only account for the register of measures (role ``measures_reader``),
    named after the office's demo account (``wts_office`` → ``wts_finance``)."""
    from core.auth.models import Role
    from core.cli.users import ensure_user, find_user

    office = users.get("office_admin")
    if office is None:
        return None
    prefix = office.username.split("_")[0]
    username, password = f"{prefix}_finance", f"{prefix}-finance-2023"  # demo only, printed by design
    existed = find_user(username) is not None
    ensure_user(
        username,
        Role.MEASURES_READER,
        jurisdiction,
        password=None if existed else password,
        display_name=f"{jurisdiction.name}财政局（限制措施只读）",
    )
    return None if existed else f"财政部门限制措施只读账号 {username}（密码 {password}）"


def deadline_text(day) -> str:
    from core.web.templating import cn_date

    return cn_date(day)


def _demo_supervision(jurisdiction: TenantNode, office, recipients) -> str:
    """A supervision item: the first proposed candidate, else the last unit the bulletin was sent to."""
    import datetime as dt

    from core import clock
    from plugins.accountability.supervision import candidates
    from plugins.accountability.supervision import service as supervision

    today = clock.today(jurisdiction)
    proposed = candidates.candidates(jurisdiction, today)
    if proposed:
        values = {
            k: proposed[0][k]
            for k in (
                "unit_id",
                "subject_kind",
                "subject_id",
                "subject_label",
                "reason",
                "required_actions",
                "deadline",
            )
        }
        values["proposal_key"] = proposed[0]["key"]
    elif recipients:
        values = {
            "unit_id": recipients[-1].unit_id,
            "subject_kind": "unit",
            "reason": "清偿进度落后于工作方案要求",
            "required_actions": "制定清偿计划，加快支付进度，每周报告进展",
            "deadline": today + dt.timedelta(days=15),
        }
    else:
        return "0 项"
    item = supervision.open_item(jurisdiction, actor=office, values=values)
    from plugins.accountability.interviews import service as interviews

    when = dt.datetime.combine(today + dt.timedelta(days=3), dt.time(9, 30))
    interviews.schedule(
        jurisdiction,
        actor=office,
        values={
            "unit_id": item.unit_id,
            "head_name": "主要负责人",
            "scheduled_at": when,
            "place": "清欠办会议室",
            "reason": f"专项约谈：{item.reason}",
            "attendees": "清欠办、财政局",
        },
    )
    from plugins.accountability.measures import service as measures

    measures.record(
        jurisdiction,
        actor=office,
        values={
            "unit_id": item.unit_id,
            "measure_type": measures.types(jurisdiction)[0],
            "decision_no": f"清欠办发〔{today.year}〕1号",
            "decided_by": "清理拖欠中小企业账款工作领导小组",
            "start_on": today,
            "lift_condition": "拖欠中小企业账款全部清偿",
        },
    )
    from plugins.accountability.assessment import service as assessment

    assessment.snapshot(jurisdiction, actor=office, end=today, group_id=None)
    from plugins.accountability.referrals import service as referrals

    confirmed = _demo_finding(jurisdiction, office)
    referrals.prepare(
        jurisdiction, actor=office, unit_id=item.unit_id, basis=f"挂牌督办后仍未整改：{item.reason}"
    )
    credit = _demo_credit_referral(jurisdiction, office)
    from plugins.accountability.cases import service as cases

    case = cases.draft(
        jurisdiction,
        actor=office,
        values={
            "unit_id": item.unit_id,
            "title": "某单位拖欠中小企业账款被挂牌督办",
            "summary": f"该单位{item.reason}，经挂牌督办，限期{deadline_text(item.deadline)}前办结。",
            "lesson": "机关、事业单位和国有企业应当及时支付中小企业款项，不得拖欠。",
        },
    )
    cases.publish(cases.approve(case, actor=office), actor=office)
    deadline = item.deadline.isoformat()
    others = (
        f"并安排专项约谈 1 次、登记限制措施 1 项，认定瞒报漏报 {confirmed} 条，固定考核结果 1 期，"
        f"整理问责移送 1 件，公开典型案例 1 件，提出失信惩戒移送建议 {credit} 件"
    )
    return f"1 项（{item.subject_label}，期限{deadline}），{others}"


def _demo_finding(jurisdiction: TenantNode, office) -> int:
    """The first concealment flag the demo ledger raised, confirmed (when the ledger plugin is there)."""
    from core.extensions import db
    from core.plugins import model_of
    from plugins.accountability.findings import service as findings

    flag = model_of("ledger_flags")
    if flag is None:
        return 0
    first = db.session.scalars(
        db.select(flag).where(flag.jurisdiction_id == jurisdiction.id).order_by(flag.id).limit(1)
    ).first()
    if first is None:
        return 0
    findings.decide(
        jurisdiction,
        actor=office,
        flag_id=first.id,
        finding="confirmed",
        note="经核实，该笔欠款未付款即从台账删除，认定为瞒报",
    )
    return 1


def _demo_credit_referral(jurisdiction: TenantNode, office) -> int:
    """A 失信 referral proposed for the first SOE of the tree, left for the decision."""
    from core.extensions import db
    from plugins.accountability.cases import service as cases

    soe = db.session.scalars(
        db.select(TenantNode)
        .where(TenantNode.jurisdiction_id == jurisdiction.id, TenantNode.kind.in_(cases.DEBTOR_KINDS))
        .order_by(TenantNode.path)
        .limit(1)
    ).first()
    if soe is None:
        return 0
    cases.propose_credit(
        jurisdiction, actor=office, unit_id=soe.id, reason="多次承诺还款未兑现，经挂牌督办、约谈仍拒不支付"
    )
    return 1
