"""What a unit sees of a creditor, and how a unit changes it.

A creditor row is shared by the jurisdiction (de-duplicated by credit code), but what each unit recorded
about it is the unit's own: the name as it entered it, its contacts, its address live on the unit's
``EnterpriseLink``. The office (a user whose scope is the whole jurisdiction) reads and edits the shared
row; a unit user reads its own view and edits its own contacts and address, and its changes to the shared
fields (name, credit code, size, private) become an ``EnterpriseProposal`` the office accepts or rejects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core import clock
from core.extensions import db
from core.models.enterprise import (
    SIZE_LABELS,
    Enterprise,
    EnterpriseLink,
    EnterpriseProposal,
    ProposalStatus,
    SizeClass,
)
from core.rules import credit_code
from core.rules.validation import Issue, ValidationFailed
from core.services import history
from core.tenancy.models import TenantNode
from core.tenancy.scope import Scope, current_scope, scope_context

SHARED_FIELDS = ("name", "credit_code", "size_class", "is_private")
UNIT_FIELDS = ("contacts", "address")


@dataclass
class CreditorView:
    """A creditor as one unit sees it; dumped by the same schema as ``Enterprise``."""

    id: int
    name: str
    credit_code: str | None
    credit_code_warning: str | None
    size_class: str
    is_private: bool
    contacts: list
    address: str | None
    version: int
    created_at: Any
    etag: str
    proposal: EnterpriseProposal | None = None

    @property
    def size_label(self) -> str:
        return SIZE_LABELS.get(SizeClass(self.size_class), self.size_class)


def sees_shared_record(scope: Scope | None = None) -> bool:
    """The office (whole-jurisdiction scope) works on the shared row; unit users on their own view."""
    return (scope or current_scope()).whole_jurisdiction


def caller_unit() -> TenantNode | None:
    """The unit whose view the current user reads: its first role node in the active jurisdiction."""
    from flask import g, has_app_context

    # A background job runs as the user who started it (``core.jobs``): their view, as in a request.
    principal = getattr(g, "principal", None) if has_app_context() else None
    if principal is None:
        return None
    jurisdiction_id = current_scope().jurisdiction_id
    for _role, node in principal.role_nodes:
        if node is not None and node.jurisdiction_id == jurisdiction_id:
            return node
    return None


def link_of(enterprise: Enterprise, unit: TenantNode | None) -> EnterpriseLink | None:
    """The link of ``unit`` to the creditor, else any link in the caller's subtrees (through the filter)."""
    links = db.session.scalars(
        db.select(EnterpriseLink)
        .where(EnterpriseLink.enterprise_id == enterprise.id)
        .order_by(EnterpriseLink.id)
    ).all()
    own = [link for link in links if unit is not None and link.unit_id == unit.id]
    return (own or links or [None])[0]


def _has_own_values(link: EnterpriseLink | None) -> bool:
    return link is not None and (
        link.name is not None or link.contacts is not None or link.address is not None
    )


def _reads_shared_values(enterprise: Enterprise, link: EnterpriseLink | None) -> bool:
    """A link with nothing of its own, of the unit that registered the creditor (or below it): the shared
    row holds what that unit entered (links made before units had views, and bulk-made links)."""
    if _has_own_values(link):
        return False
    registrar = enterprise.registered_by_unit_id
    return registrar is not None and current_scope().covers_unit(registrar, enterprise.jurisdiction_id)


def view_of(enterprise: Enterprise, unit: TenantNode | None) -> Enterprise | CreditorView:
    """What the current user sees of ``enterprise``: the shared row for the office, else the unit's view."""
    if sees_shared_record():
        return enterprise
    link = link_of(enterprise, unit)
    shared = _reads_shared_values(enterprise, link)
    link_version = link.version if link is not None else 0
    return CreditorView(
        id=enterprise.id,
        name=(link.name if link is not None and link.name else None) or enterprise.name,
        credit_code=enterprise.credit_code,
        credit_code_warning=enterprise.credit_code_warning,
        size_class=enterprise.size_class,
        is_private=enterprise.is_private,
        contacts=list(enterprise.contacts or []) if shared else list((link and link.contacts) or []),
        address=enterprise.address if shared else (link.address if link is not None else None),
        version=enterprise.version + link_version,
        created_at=enterprise.created_at,
        etag=f'"enterprises-{enterprise.id}-v{enterprise.version}-u{link_version}"',
    )


_NAMES = "qingqian_creditor_names"


def _names_cache() -> dict[int, str | None] | None:
    from flask import g, has_app_context

    if not has_app_context():
        return None
    return g.setdefault(_NAMES, {})  # one request or job: a name changed in it is re-read by the next


def prefetch_names(enterprise_ids) -> None:
    """Read the caller's names for these creditors in one query (a list page calls it for its rows)."""
    cache = _names_cache()
    if cache is None or sees_shared_record():
        return
    missing = {i for i in enterprise_ids if i is not None} - cache.keys()
    if not missing:
        return
    unit = caller_unit()
    links = db.session.execute(
        db.select(EnterpriseLink.enterprise_id, EnterpriseLink.unit_id, EnterpriseLink.name)
        .where(EnterpriseLink.enterprise_id.in_(missing))
        .order_by(EnterpriseLink.id)
    ).all()
    picked: dict[int, tuple[bool, str | None]] = {}
    for enterprise_id, unit_id, name in links:  # as ``link_of``: the caller's own unit, else the first
        own = unit is not None and unit_id == unit.id
        if enterprise_id not in picked or (own and not picked[enterprise_id][0]):
            picked[enterprise_id] = (own, name)
    for enterprise_id in missing:
        cache[enterprise_id] = picked.get(enterprise_id, (False, None))[1]


def shown_name(enterprise: Enterprise) -> str:
    """The creditor's name as the current reader knows it: the shared name for the office; for a unit user
    the name its unit entered (its own link), so linking another unit's creditor by credit code reveals
    nothing that unit recorded. Background jobs read as the user who started them."""
    if sees_shared_record():
        return enterprise.name
    cache = _names_cache()
    if cache is None:
        return enterprise.name
    if enterprise.id not in cache:
        prefetch_names([enterprise.id])
    return cache.get(enterprise.id) or enterprise.name


def views_of(enterprises: list[Enterprise], unit: TenantNode | None) -> list:
    return [view_of(e, unit) for e in enterprises]


def fill_new_link(link: EnterpriseLink, name: str, data: dict[str, Any]) -> None:
    """A unit's view as it registered the creditor: its name, its contacts and address (nothing else's)."""
    link.name = name
    link.contacts = list(data.get("contacts") or [])
    link.address = data.get("address")


def _unit_snapshot(link: EnterpriseLink, enterprise: Enterprise) -> dict:
    shared = _reads_shared_values(enterprise, link)
    return {
        "contacts": list(enterprise.contacts or []) if shared else list(link.contacts or []),
        "address": enterprise.address if shared else link.address,
    }


def update_as_unit(
    enterprise: Enterprise, unit: TenantNode, changes: dict[str, Any], actor=None
) -> EnterpriseProposal | None:
    """A unit user's PATCH: its own contacts/address change at once, shared fields become a proposal."""
    own = {k: v for k, v in changes.items() if k in UNIT_FIELDS}
    shared = _proposed_changes(enterprise, {k: v for k, v in changes.items() if k in SHARED_FIELDS})
    if own:
        link = db.session.scalar(
            db.select(EnterpriseLink).where(
                EnterpriseLink.enterprise_id == enterprise.id, EnterpriseLink.unit_id == unit.id
            )
        )
        if link is None:
            link = EnterpriseLink(
                jurisdiction_id=unit.jurisdiction_id, unit_id=unit.id, enterprise_id=enterprise.id
            )
            db.session.add(link)
        before = _unit_snapshot(link, enterprise)
        link.contacts, link.address = before["contacts"], before["address"]
        for key, value in own.items():
            setattr(link, key, list(value or []) if key == "contacts" else value)
        link.version = (link.version or 1) + 1
        db.session.flush()
        old, new = history.diff(before, _unit_snapshot(link, enterprise))
        if new:
            history.record(enterprise, "updated", before=old, after=new, actor=actor, unit_id=unit.id)
    if not shared:
        return None
    return propose(enterprise, unit, shared, actor=actor)


def _proposed_changes(enterprise: Enterprise, wanted: dict[str, Any]) -> dict[str, Any]:
    """The shared fields that would really change, validated as the office's own edit would be."""
    out = {}
    for key, value in wanted.items():
        if key == "credit_code" and value:
            result = credit_code.check(value)
            if not result.valid:
                raise ValidationFailed([Issue("credit_code", result.message or "统一社会信用代码无效")])
            value = result.code
            from core.services.debts import find_enterprise_by_code

            other = find_enterprise_by_code(enterprise.jurisdiction_id, value)
            if other is not None and other.id != enterprise.id:
                raise ValidationFailed(
                    [Issue("credit_code", "本辖区已有使用该统一社会信用代码的企业", conflict=True)]
                )
        if key == "name":
            from core.services.debts import enterprise_name

            value = enterprise_name(value)
            if not value:
                raise ValidationFailed([Issue("name", "企业名称不能为空")])
        if getattr(enterprise, key) != value:
            out[key] = value
    return out


def propose(
    enterprise: Enterprise, unit: TenantNode, changes: dict[str, Any], actor=None
) -> EnterpriseProposal:
    proposal = EnterpriseProposal(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        enterprise_id=enterprise.id,
        changes=history.to_jsonable(changes),
        status=ProposalStatus.PENDING,
        proposed_by_id=getattr(actor, "id", None),
        created_at=clock.utcnow(),
    )
    db.session.add(proposal)
    db.session.flush()
    history.record(enterprise, "proposed", after=proposal.changes, actor=actor, unit_id=unit.id)
    _notify_office(enterprise, unit, proposal)
    return proposal


def _notify_office(enterprise: Enterprise, unit: TenantNode, proposal: EnterpriseProposal) -> None:
    from core.models.notification import Notification

    # The office's notice is filed at the jurisdiction, outside the proposing clerk's subtree.
    with scope_context(Scope(jurisdiction_id=unit.jurisdiction_id)):
        db.session.add(
            Notification(
                jurisdiction_id=unit.jurisdiction_id,
                unit_id=unit.jurisdiction_id,
                key=f"enterprise-proposal:{proposal.id}",
                title=f"{unit.name}申请修改债权企业信息",
                body="申请修改："
                + "、".join(FIELD_LABELS.get(k, k) for k in proposal.changes)
                + "。请核实后采纳或驳回。",
                link=f"/enterprises/{enterprise.id}",
            )
        )
        db.session.flush()


FIELD_LABELS = {
    "name": "企业名称",
    "credit_code": "统一社会信用代码",
    "size_class": "企业规模",
    "is_private": "是否民营",
}


def decide(
    proposal: EnterpriseProposal, enterprise: Enterprise, accept: bool, actor=None, note: str | None = None
) -> EnterpriseProposal:
    """The office accepts (applies to the shared row) or rejects a pending proposal."""
    from core.services.debts import update_enterprise

    if proposal.status != ProposalStatus.PENDING:
        raise ValidationFailed([Issue("decision", "该申请已处理")])
    if accept:
        update_enterprise(enterprise, dict(proposal.changes), actor=actor)
    proposal.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.REJECTED
    proposal.decided_by_id = getattr(actor, "id", None)
    proposal.decided_at = clock.utcnow()
    proposal.decision_note = note
    db.session.flush()
    return proposal


def name_matches(like: str):
    """A name filter on creditors as the caller sees them: the shared name for the office; for a unit,
    the names its links hold, or the shared name where its links hold none of their own."""
    if sees_shared_record():
        return Enterprise.name.like(like, escape="\\")
    named = db.select(EnterpriseLink.id).where(
        EnterpriseLink.enterprise_id == Enterprise.id, EnterpriseLink.name.is_not(None)
    )
    return db.or_(
        db.exists(named.where(EnterpriseLink.name.like(like, escape="\\"))),
        db.and_(~db.exists(named), Enterprise.name.like(like, escape="\\")),
    )


def describe_changes(changes: dict[str, Any]) -> list[tuple[str, str]]:
    """(field label, new value as read) of a proposal, for pages and notices."""
    out = []
    for key, value in (changes or {}).items():
        if key == "size_class":
            text = SIZE_LABELS.get(SizeClass(value), value) if value in set(SizeClass) else str(value)
        elif key == "is_private":
            text = "是" if value else "否"
        else:
            text = "—" if value in (None, "") else str(value)
        out.append((FIELD_LABELS.get(key, key), text))
    return out
