"""The review opinion (合同审查意见书) as a Word document."""

from __future__ import annotations

import io

from docx import Document

from core import clock
from core.web.templating import cn_date
from plugins.prevention.reviews.models import ContractReview
from plugins.prevention.reviews.service import STATUS_LABELS


def opinion_docx(review: ContractReview) -> bytes:
    doc = Document()
    doc.add_heading("合同审查意见书", level=1)
    amount = f"{review.contract_amount:,.2f} 元" if review.contract_amount is not None else "未填写"
    doc.add_paragraph(
        f"审查单位：{review.unit.name}；合同：{review.title}；对方：{review.counterparty}；合同金额：{amount}。"
    )
    doc.add_paragraph(f"审查结论：{STATUS_LABELS.get(review.status, review.status)}")
    if review.findings:
        table = doc.add_table(rows=1, cols=5)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells, ("序号", "问题", "依据", "建议表述", "单位说明"), strict=True
        ):
            cell.text = text
        for i, finding in enumerate(review.findings, 1):
            row = table.add_row().cells
            row[0].text = str(i)
            row[1].text = finding["message"]
            row[2].text = finding["article"]
            row[3].text = finding["suggestion"]
            row[4].text = (review.answers or {}).get(finding["code"], "")
    else:
        doc.add_paragraph("经审查，未发现违反《保障中小企业款项支付条例》的条款。")
    doc.add_paragraph(
        f"已整改问题 {review.problems_fixed} 个，累计发现问题 {review.problems_found} 个。"
        f"出具日期：{cn_date(clock.today(review.unit))}"
    )
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
