"""Demo content of the disclosure plugin: last year's figures published, so the public page has data."""

from __future__ import annotations

from core import clock
from core.tenancy.models import TenantNode
from plugins.disclosure.annual import service


def demo_data(jurisdiction: TenantNode, users: dict) -> str | None:
    today = clock.today(jurisdiction)
    year = today.year - 1
    if service.report_of(jurisdiction, year) is not None:
        return None
    report = service.publish(jurisdiction, year, actor=users.get("office_admin"), today=today)
    page = f"/public/{jurisdiction.code}/disclosure"
    return f"公开{year}年度逾期未支付中小企业账款 {report.total_count} 笔（公开页面 {page}）"
