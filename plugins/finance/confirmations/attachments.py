"""Files sent with a confirmation request, checked like a complaint's uploads.

Core has no shared upload check, and the complaints plugin is not imported: the same rules are kept here.
A file is judged by its first bytes, never by its name or the browser's content type: PDF, JPEG or PNG only,
at most ``MAX_ATTACHMENTS`` files of ``MAX_ATTACHMENT_BYTES`` each (the whole request is capped before it is
read). Containers are refused outright — a .docx, .xlsx, .ofd or .zip starts with ``PK`` and any XML or SVG
with text — so no archive is ever opened (no zip bomb) and no XML is ever parsed (no entity expansion). The
stored name keeps letters, digits and CJK only and ends with the extension of the sniffed type; downloads
are served as attachments with ``nosniff``.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from flask import Response, request

from core.api.base import ApiError
from core.extensions import db
from plugins.finance.confirmations.models import Confirmation, ConfirmationAttachment

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 5
# Whole request: the attachments (base64 in JSON is a third larger) plus the form fields.
MAX_REQUEST_BYTES = MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES * 4 // 3 + 256 * 1024
FIELD = "attachments"
HINT = (
    f"合同、发票、送货单或验收单等，PDF/JPG/PNG，"
    f"每个不超过{MAX_ATTACHMENT_BYTES // 1048576}MB，最多{MAX_ATTACHMENTS}个"
)

_MAGIC = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


class AttachmentRefused(ValueError):
    """An upload refused: ``errors`` names the field, ``status`` is 413 for a file too large."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.errors = {FIELD: [message]}
        self.status = status


def sniff(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the file's first bytes; None for anything but PDF, JPEG and PNG."""
    for magic, content_type, ext in _MAGIC:
        if data.startswith(magic):
            return content_type, ext
    return None


def safe_name(name: str, ext: str) -> str:
    base = re.sub(r"[^\w\u4e00-\u9fff.-]", "_", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = base.lstrip(".")[:100] or "附件"
    if not base.lower().endswith(ext) and not (ext == ".jpg" and base.lower().endswith(".jpeg")):
        base += ext
    return base


def check(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes, str]]:
    """(safe name, bytes, content type) of every file, or ``AttachmentRefused`` for the first bad one."""
    if len(files) > MAX_ATTACHMENTS:
        raise AttachmentRefused(f"附件最多{MAX_ATTACHMENTS}个")
    out = []
    for name, data in files:
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise AttachmentRefused(f"单个附件不能超过{MAX_ATTACHMENT_BYTES // 1048576}MB", 413)
        if not data:
            raise AttachmentRefused(f"附件“{(name or '')[:60]}”是空文件")
        sniffed = sniff(data)
        if sniffed is None:
            raise AttachmentRefused(f"附件“{(name or '')[:60]}”不是 PDF、JPEG 或 PNG 文件")
        content_type, ext = sniffed
        out.append((safe_name(name, ext), data, content_type))
    return out


def decode_json(items: Any) -> list[tuple[str, bytes]]:
    """JSON clients send ``[{"filename": ..., "content_base64": ...}]``; the page sends multipart files."""
    if not items:
        return []
    if not isinstance(items, list):
        raise AttachmentRefused("附件格式不正确：应为 [{filename, content_base64}] 列表")
    if len(items) > MAX_ATTACHMENTS:
        raise AttachmentRefused(f"附件最多{MAX_ATTACHMENTS}个")
    out = []
    for item in items:
        try:
            out.append(
                (str(item.get("filename") or "附件"), base64.b64decode(item["content_base64"], validate=True))
            )
        except (AttributeError, KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise AttachmentRefused("附件内容不是有效的 base64") from exc
    return out


def from_request() -> tuple[dict, list[tuple[str, bytes]]]:
    """The request's fields and raw files: a form (multipart, the page) or JSON with base64 files."""
    if (request.content_length or 0) > MAX_REQUEST_BYTES:
        raise ApiError(413, errors={FIELD: [f"附件总大小超过限制（最多{MAX_ATTACHMENTS}个，每个5MB）"]})
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        data = request.form.to_dict()
        return data, form_files()
    if not request.content_length and not request.mimetype:
        return {}, []  # nothing sent: an empty form, refused field by field (which fields are missing)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "请求体应为 JSON 对象或表单")
    return data, decode_json(data.get(FIELD))


def form_files() -> list[tuple[str, bytes]]:
    files = []
    for item in request.files.getlist(FIELD):
        if not item or not item.filename:
            continue
        # One byte past the limit is enough to refuse; the rest is never read into memory.
        files.append((item.filename, item.stream.read(MAX_ATTACHMENT_BYTES + 1)))
    return files


def attach(item: Confirmation, files: list[tuple[str, bytes, str]]) -> list[ConfirmationAttachment]:
    rows = [
        ConfirmationAttachment(
            jurisdiction_id=item.jurisdiction_id,
            unit_id=item.unit_id,
            confirmation_id=item.id,
            filename=name,
            content_type=content_type,
            size=len(data),
            data=data,
        )
        for name, data, content_type in files
    ]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def of(item: Confirmation) -> list[ConfirmationAttachment]:
    return list(
        db.session.scalars(
            db.select(ConfirmationAttachment)
            .where(ConfirmationAttachment.confirmation_id == item.id)
            .order_by(ConfirmationAttachment.id)
        )
    )


def download(row: ConfirmationAttachment) -> Response:
    from urllib.parse import quote

    return Response(
        row.data,
        mimetype=row.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}",
            "X-Content-Type-Options": "nosniff",
        },
    )
