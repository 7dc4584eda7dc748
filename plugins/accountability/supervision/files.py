"""Attachments to progress reports: PDF, JPEG or PNG (checked by content), size-limited, stored under the
instance folder with random names."""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import current_app

MAX_BYTES = 10 * 1024 * 1024
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


class BadFile(ValueError):
    pass


def root() -> Path:
    return Path(current_app.instance_path) / "accountability" / "attachments"


def store(jurisdiction_id: int, data: bytes) -> tuple[str, str]:
    """Save ``data``; returns (relative path, mime)."""
    if not data:
        raise BadFile("附件是空文件")
    if len(data) > MAX_BYTES:
        raise BadFile(f"附件不能超过{MAX_BYTES // (1024 * 1024)}MB")
    for magic, mime, ext in SIGNATURES:
        if data.startswith(magic):
            relative = f"{int(jurisdiction_id)}/{uuid.uuid4().hex}{ext}"
            target = root() / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            return relative, mime
    raise BadFile("附件只接受 PDF、JPEG 或 PNG 格式")


def path_of(relative: str) -> Path:
    base = root().resolve()
    target = (base / relative).resolve()
    if base not in target.parents:
        raise FileNotFoundError(relative)
    return target
