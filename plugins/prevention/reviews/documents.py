"""The contract document a unit uploads with its review: a Word (.docx) or PDF file, checked by content.

A .docx is a zip of XML parts that the review page reads (python-docx) on every view: before it is accepted
its central directory is checked (member count, total unpacked size, compression ratio of big members —
zip bombs) and every XML part is streamed looking for a DOCTYPE or ENTITY declaration (entity tricks), so a
hostile file is refused at upload and never reaches a parser.
"""

from __future__ import annotations

import io
import re
import zipfile

from core.extensions import db
from core.services import history
from plugins.prevention.errors import Refused
from plugins.prevention.reviews.models import ContractReview, ReviewDocument

MAX_BYTES = 10 * 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


MAX_MEMBERS = 1000
MAX_UNPACKED = 100 * 1024 * 1024
MAX_RATIO = 100
# Small parts legitimately compress very well (styles, settings): only big ones are judged by ratio.
RATIO_MIN_SIZE = 1024 * 1024
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_CHUNK = 64 * 1024
_OVERLAP = 64
REFUSED = "合同文件须为 Word（.docx）或 PDF 文件"


def docx_problem(archive: zipfile.ZipFile) -> str | None:
    """Why a .docx may not be opened (a zip bomb or XML with a DTD), or None when it is safe to read."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        return "合同文件结构异常（压缩包内文件过多），已拒绝"
    if sum(i.file_size for i in infos) > MAX_UNPACKED:
        return f"合同文件解压后超过{MAX_UNPACKED // 1048576}MB，疑似压缩炸弹，已拒绝"
    for info in infos:
        if info.file_size >= RATIO_MIN_SIZE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            return "合同文件压缩比异常，疑似压缩炸弹，已拒绝"
    for info in infos:
        if not info.filename.lower().endswith((".xml", ".rels")) or info.file_size == 0:
            continue
        tail = b""
        try:
            with archive.open(info) as part:
                while chunk := part.read(_CHUNK):
                    window = tail + chunk
                    if _DTD.search(window):
                        return "合同文件含有不允许的 XML 实体声明（DOCTYPE/ENTITY），已拒绝"
                    tail = window[-_OVERLAP:]
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
            # RuntimeError: an encrypted member; NotImplementedError: an exotic compression method.
            return "合同文件已损坏或已加密，无法读取"
    return None


def inspect(data: bytes) -> tuple[tuple[str, str] | None, str | None]:
    """((content type, extension), None) for a PDF or a safe .docx; (None, why) for anything else."""
    if data.startswith(b"%PDF-"):
        return (PDF, ".pdf"), None
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" not in archive.namelist():
                    return None, REFUSED
                problem = docx_problem(archive)
                return (None, problem) if problem else ((DOCX, ".docx"), None)
        except zipfile.BadZipFile:
            return None, REFUSED
    return None, REFUSED


def sniff(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the bytes themselves; None for anything but PDF and a safe .docx."""
    return inspect(data)[0]


def attach(review: ContractReview, filename: str, data: bytes, actor) -> ReviewDocument:
    if not data:
        raise Refused({"file": ["请选择合同文件"]})
    if len(data) > MAX_BYTES:
        raise Refused({"file": [f"合同文件不能超过{MAX_BYTES // 1048576}MB"]})
    kind, problem = inspect(data)
    if kind is None:
        raise Refused({"file": [problem or REFUSED]})
    content_type, ext = kind
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:150] or "合同"
    if not name.lower().endswith(ext):
        name += ext
    document = ReviewDocument(
        jurisdiction_id=review.jurisdiction_id,
        unit_id=review.unit_id,
        review_id=review.id,
        filename=name,
        content_type=content_type,
        size=len(data),
        data=data,
        uploaded_by_id=getattr(actor, "id", None),
    )
    db.session.add(document)
    db.session.flush()
    history.record(review, "document_uploaded", after={"filename": name, "size": len(data)}, actor=actor)
    return document


def text_of(document: ReviewDocument) -> str:
    """The words of a .docx (for the reviewer's reading aid); PDFs are shown as they are."""
    if document.content_type != DOCX:
        return ""
    from docx import Document

    try:
        doc = Document(io.BytesIO(document.data))
    except Exception:  # a file stored before the checks above, or damaged: the page shows no clues
        return ""
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(t for t in parts if t.strip())


# Words in a contract that point at a term the review asks about; shown beside the form, not decided on.
CLUES = {
    "advance_funding": ("垫资", "带资"),
    "audit_condition": ("审计", "决算"),
    "back_to_back": ("收到业主", "收到上级", "拨付后", "到位后支付", "拨款后"),
    "payment_method": ("商业汇票", "商业承兑", "电子凭证", "银行承兑"),
    "deposits": ("保证金",),
}
CLUE_LABELS = {
    "advance_funding": "垫资",
    "audit_condition": "以审计为付款条件",
    "back_to_back": "背靠背付款",
    "payment_method": "票据或电子凭证付款",
    "deposits": "保证金",
}


def clues(text: str) -> list[dict]:
    """Sentences of the contract mentioning a reviewed term, so the unit fills the form from the text."""
    out = []
    sentences = [s.strip() for s in text.replace("\n", "。").split("。") if s.strip()]
    for key, words in CLUES.items():
        hits = [s for s in sentences if any(w in s for w in words)]
        if hits:
            out.append({"term": key, "label": CLUE_LABELS[key], "sentences": hits[:3]})
    return out
