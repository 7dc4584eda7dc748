"""Tracking codes, the phone check of the status lookup, and the request size attachments allow."""

from __future__ import annotations

import hmac
import re
import secrets

from core import uploads

# No 0/O, 1/I/L: codes are read aloud and typed from paper.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
CODE_PATTERN = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")

MAX_ATTACHMENT_BYTES = uploads.MAX_FILE_BYTES
MAX_ATTACHMENTS = uploads.MAX_FILES
# Whole request: the attachments plus the form fields.
MAX_REQUEST_BYTES = MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES + 256 * 1024


def new_tracking_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str:
    return re.sub(r"[\s-]", "", raw or "").upper()


def phone_digits(phone: str) -> str:
    return re.sub(r"\D", "", phone or "")


def last4_matches(phone: str, given: str) -> bool:
    """Constant-time comparison of the stored phone's last four digits with what the visitor typed."""
    stored = phone_digits(phone)[-4:].rjust(4, "#")
    typed = phone_digits(given)[-4:].rjust(4, "?")
    return hmac.compare_digest(stored.encode(), typed.encode())
