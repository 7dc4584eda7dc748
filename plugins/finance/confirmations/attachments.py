"""Files sent with a confirmation request: checked by core's upload rules (``core.uploads``: PDF, JPEG or
PNG by content, at most five of 5 MB, containers refused unopened), stored with the request under the debtor
unit, downloaded as attachments with ``nosniff``.
"""

from __future__ import annotations

from flask import Response, request

from core import uploads
from core.api.base import ApiError
from core.extensions import db
from plugins.finance.confirmations.models import Confirmation, ConfirmationAttachment

MAX_ATTACHMENT_BYTES = uploads.MAX_FILE_BYTES
MAX_ATTACHMENTS = uploads.MAX_FILES
# Whole request: the attachments (base64 in JSON is a third larger) plus the form fields.
MAX_REQUEST_BYTES = MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES * 4 // 3 + 256 * 1024
FIELD = uploads.FIELD
HINT = (
    f"合同、发票、送货单或验收单等，PDF/JPG/PNG，"
    f"每个不超过{MAX_ATTACHMENT_BYTES // 1048576}MB，最多{MAX_ATTACHMENTS}个"
)


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
    return data, uploads.decode_base64_files(data.get(FIELD))


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
