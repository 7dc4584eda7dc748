"""Files attached to a form (contracts, invoices, delivery notes, photos), judged by content, never by name.

A file is recognised by its first bytes, not by its name or the browser's content type: PDF, JPEG or PNG
only, at most ``MAX_FILES`` files of ``MAX_FILE_BYTES`` each. Containers are refused outright — a .docx,
.xlsx, .ofd or .zip starts with ``PK`` and any XML or SVG with text — so no archive is ever opened (no zip
bomb) and no XML is ever parsed (no entity expansion). The stored name keeps letters, digits and CJK only
and ends with the extension of the sniffed type. Plugins that take uploads (complaints, finance) check them
here and keep their own storage; a refusal is ``UploadRefused`` (message for the field, status 413 when a
file is too large, else 422).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES = 5
FIELD = "attachments"

_MAGIC = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


class UploadRefused(ValueError):
    """An upload refused: ``errors`` names the field, ``status`` is 413 for a file too large."""

    def __init__(self, message: str, status: int = 422, field: str = FIELD) -> None:
        super().__init__(message)
        self.errors = {field: [message]}
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


def check_files(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes, str]]:
    """(safe name, bytes, content type) of every file, or ``UploadRefused`` for the first bad one."""
    if len(files) > MAX_FILES:
        raise UploadRefused(f"附件最多{MAX_FILES}个")
    out = []
    for name, data in files:
        if len(data) > MAX_FILE_BYTES:
            raise UploadRefused(f"单个附件不能超过{MAX_FILE_BYTES // 1048576}MB", 413)
        if not data:
            raise UploadRefused(f"附件“{(name or '')[:60]}”是空文件")
        sniffed = sniff(data)
        if sniffed is None:
            raise UploadRefused(f"附件“{(name or '')[:60]}”不是 PDF、JPEG 或 PNG 文件")
        content_type, ext = sniffed
        out.append((safe_name(name, ext), data, content_type))
    return out


def decode_base64_files(items: Any) -> list[tuple[str, bytes]]:
    """JSON clients send ``[{"filename": ..., "content_base64": ...}]`` (pages send multipart files)."""
    if not items:
        return []
    if not isinstance(items, list):
        raise UploadRefused("附件格式不正确：应为 [{filename, content_base64}] 列表")
    if len(items) > MAX_FILES:
        raise UploadRefused(f"附件最多{MAX_FILES}个")
    out = []
    for item in items:
        try:
            out.append(
                (str(item.get("filename") or "附件"), base64.b64decode(item["content_base64"], validate=True))
            )
        except (AttributeError, KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise UploadRefused("附件内容不是有效的 base64") from exc
    return out
