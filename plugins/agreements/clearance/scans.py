"""Signed agreement scans: type checked by magic bytes, size-limited, stored under the instance folder."""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import current_app

from core.rules.validation import Issue, ValidationFailed

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# (magic prefix, mime type, allowed extensions) — an extension alone proves nothing about the content.
SIGNATURES = (
    (b"%PDF-", "application/pdf", {".pdf"}),
    (b"\xff\xd8\xff", "image/jpeg", {".jpg", ".jpeg"}),
    (b"\x89PNG\r\n\x1a\n", "image/png", {".png"}),
)


def sniff(head: bytes, filename: str) -> str:
    """The mime type of an accepted scan; raises ValidationFailed for anything else."""
    ext = Path(filename or "").suffix.lower()
    for magic, mime, exts in SIGNATURES:
        if head.startswith(magic):
            if ext not in exts:
                raise ValidationFailed([Issue("file", f"文件扩展名“{ext or '无'}”与文件内容（{mime}）不符")])
            return mime
    raise ValidationFailed([Issue("file", "只接受 PDF、JPEG 或 PNG 格式的协议扫描件")])


def max_bytes() -> int:
    return int(current_app.config.get("AGREEMENTS_SCAN_MAX_BYTES", DEFAULT_MAX_BYTES))


def root() -> Path:
    return Path(current_app.instance_path) / "agreements" / "scans"


def store(jurisdiction_id: int, data: bytes, filename: str) -> tuple[str, str]:
    """Save ``data``; returns (relative path, mime). Random names: nothing user-given reaches the disk."""
    limit = max_bytes()
    if len(data) > limit:
        raise ValidationFailed([Issue("file", f"扫描件不能超过{limit // (1024 * 1024)}MB")])
    if not data:
        raise ValidationFailed([Issue("file", "请选择协议扫描件")])
    mime = sniff(data[:16], filename)
    ext = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[mime]
    relative = f"{int(jurisdiction_id)}/{uuid.uuid4().hex}{ext}"
    target = root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return relative, mime


def path_of(relative: str) -> Path:
    base = root().resolve()
    target = (base / relative).resolve()
    if base not in target.parents:  # stored paths are ours, but never follow one out of the folder
        raise FileNotFoundError(relative)
    return target
