"""Meta's webhook signature: X-Hub-Signature-256 is the HMAC-SHA256 of the raw body with the app secret."""

from __future__ import annotations

import hashlib
import hmac
from typing import Optional


def meta_signature(app_secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def valid_meta_signature(app_secret: Optional[str], body: bytes, header: Optional[str]) -> bool:
    """True only for the exact signature; compared in constant time."""
    if not app_secret or not header:
        return False
    return hmac.compare_digest(meta_signature(app_secret, body), header.strip())
