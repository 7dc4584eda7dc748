"""The complaints list: filters, deadlines that shout and sort, a 合计, Chinese filter errors, and an export
of exactly what is on screen (issue 14, point 4)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from core.extensions import db
from core.tenancy.scope import system_scope
from plugins.complaints.models import Complaint
from tests.complaints.test_handling import accept_and_transfer, file, fixed_today  # noqa: F401
from tests.test_web import login, text


def test_filters_deadlines_totals_and_export(app, client, cworld, fixed_today):  # noqa: F811
    near = file(client, creditor_name="五台山宏达建材有限公司", amount="85000.50")
    other = file(client, creditor_name="豆村石料加工厂", amount="12000.25")
    accept_and_transfer(client, cworld, near)
    login(client, "office_a")

    page = text(client.get("/complaints"))
    assert "剩余" in page and "deadline-" in page  # every open case's deadline says how long is left
    assert "2023年9月25日" in page  # dates as people write them, not ISO
    assert 'data-testid="complaints-total"' in page

    page = text(client.get("/complaints?q=豆村"))
    assert "豆村石料加工厂" in page and "五台山宏达建材有限公司" not in page
    assert "共 1 件" in page

    page = text(client.get("/complaints?status=transferred"))
    assert "五台山宏达建材有限公司" in page and "豆村石料加工厂" not in page

    page = text(client.get("/complaints?channel=bogus&received_from=2023-13-01"))
    assert "来源：“bogus”不是可选的值，可选：网上投诉、热线" in page
    assert "收到日期（起）：日期格式应为 2023-08-25" in page

    sorted_page = text(client.get("/complaints?sort=deadline"))
    # The transferred case runs on its result deadline, the new one on its (earlier) transfer deadline.
    assert sorted_page.index("豆村石料加工厂") < sorted_page.index("五台山宏达建材有限公司")

    r = client.get("/complaints/export.xlsx?q=豆村")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    total = next(row for row in rows if row[0] == "合计")
    data = rows[3 : rows.index(total)]
    assert len(data) == 1 and data[0][3] == "豆村石料加工厂"
    assert Decimal(str(total[5])) == Decimal("1.20")  # 12 000.25 元 in 万元, rounded once
    assert ws.cell(row=4, column=7).number_format == 'yyyy"年"m"月"d"日"'
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$3"
    assert other != near


def test_office_to_do_lists_cases_near_their_transfer_deadline(app, client, cworld, fixed_today):  # noqa: F811
    from tests.ledger.test_todo import todo_links

    cid = file(client, creditor_name="豆村石料加工厂", amount="12000.25")
    login(client, "office_a")
    # Ten working days to transfer: not pressing on the day it arrives.
    assert not any("豆村石料加工厂" in label for label, _ in todo_links(text(client.get("/"))))
    with system_scope():  # two days before its deadline
        db.session.get(Complaint, cid).transfer_due = dt.date(2023, 9, 27)
        db.session.commit()
    page = text(client.get("/"))
    assert "剩余2天" in page
    items = todo_links(page)
    href = next(href for label, href in items if label.startswith("待转办：豆村石料加工厂"))
    assert href.endswith(f"/complaints/{cid}") and client.get(href).status_code == 200
    # Not transferred yet: nothing for the unit's clerk.
    clerk = app.test_client()
    login(clerk, "clerk_a1")
    assert not any("豆村石料加工厂" in label for label, _ in todo_links(text(clerk.get("/"))))


def test_a_large_complaints_export_runs_in_the_background(app, client, cworld, fixed_today, monkeypatch):  # noqa: F811
    from core.jobs.models import Job, JobStatus

    file(client, creditor_name="五台山宏达建材有限公司", amount="85000.50")
    file(client, creditor_name="豆村石料加工厂", amount="12000.25")
    monkeypatch.setitem(app.config, "EXPORT_INLINE_ROWS", 1)
    login(client, "office_a")
    r = client.get("/complaints/export.xlsx")
    assert r.status_code == 302 and "/exports/" in r.headers["Location"]
    job_id = r.headers["Location"].rsplit("/", 1)[1]
    with system_scope():
        job = db.session.get(Job, job_id)
        assert job.name == "complaints.export" and job.status == JobStatus.SUCCEEDED, job.error
        assert (job.progress_done, job.progress_total) == (2, 2)
    assert "导出投诉线索清单" in text(client.get(f"/exports/{job_id}"))
    ws = load_workbook(io.BytesIO(client.get(f"/exports/{job_id}/file").data)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    total = next(row for row in rows if row[0] == "合计")
    assert total[1] == "共 2 件" and Decimal(str(total[5])) == Decimal("9.70")  # 97 000.75 元
