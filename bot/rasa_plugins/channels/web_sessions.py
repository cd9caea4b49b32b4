"""Web conversation ids that only the server hands out.

A web client names its conversation in every message (REST's `sender`, socket.io's `session_id`). Were any
id accepted, a client could name another visitor's conversation and read their recap or change their
answers. So the server hands out each id, signed (HMAC-SHA256 with WEB_SESSION_SECRET, shared by every
replica), and the web channels take only an id it signed: "web-<random>.<signature>". An id is as secret as
a session cookie: it stays in the visitor's tab (bot/web/widget.js).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import Any

PREFIX = "web-"
# base64url without padding, 22 characters: 16 random bytes, and the first 16 bytes of the signature.
_PART = r"[A-Za-z0-9_-]{22}"
_ISSUED = re.compile(rf"{PREFIX}({_PART})\.({_PART})")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _signature(token: str, key: bytes) -> str:
    return _b64(hmac.new(key, f"{PREFIX}{token}".encode("ascii"), hashlib.sha256).digest()[:16])


def signed_id(token: str, key: bytes) -> str:
    """The conversation id of `token` (22 base64url characters), signed with `key`."""
    if not re.fullmatch(_PART, token):
        raise ValueError("a web session token is 22 base64url characters")
    return f"{PREFIX}{token}.{_signature(token, key)}"


def new_session_id(key: bytes) -> str:
    return signed_id(_b64(secrets.token_bytes(16)), key)


def is_issued(value: Any, key: bytes) -> bool:
    """True only for an id this deployment signed; compared in constant time."""
    match = _ISSUED.fullmatch(value) if isinstance(value, str) else None
    return bool(match) and hmac.compare_digest(match.group(2), _signature(match.group(1), key))
