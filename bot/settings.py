"""Settings, read once from the environment."""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FirmSettings:
    """The firm that deploys the assistant; shown at handoff."""

    name: str
    cric_name: str
    cric_licence: str
    phone: str
    email: str
    booking_url: str


@lru_cache(maxsize=1)
def firm_settings() -> FirmSettings:
    env = os.environ
    return FirmSettings(
        name=env.get("FIRM_NAME", "Cabinet Exemple Immigration"),
        cric_name=env.get("FIRM_CRIC_NAME", "Camille Exemple"),
        cric_licence=env.get("FIRM_CRIC_LICENCE", "R000000"),
        phone=env.get("FIRM_PHONE", "+1 514 555 0100"),
        email=env.get("FIRM_EMAIL", "contact@example.com"),
        booking_url=env.get("FIRM_BOOKING_URL", "https://example.com/rendez-vous"),
    )


class SmtpSecurity(str, Enum):
    """How the connection to the mail server is protected: STARTTLS (port 587), implicit TLS (port 465),
    or none (a relay on the same host only). TLS always checks the server's certificate."""

    STARTTLS = "starttls"
    TLS = "tls"
    NONE = "none"


def _smtp_security(env) -> SmtpSecurity:
    """SMTP_SECURITY; a value it cannot be is logged and read as starttls, the safe one, so that no
    notice is ever sent in clear by mistake and no case fails for a typo."""
    if "SMTP_STARTTLS" in env:
        logger.warning("SMTP_STARTTLS is no longer read: set SMTP_SECURITY (starttls, tls or none)")
    value = env.get("SMTP_SECURITY", "starttls").strip().lower()
    try:
        return SmtpSecurity(value)
    except ValueError:
        logger.error("SMTP_SECURITY=%r is not starttls, tls or none: starttls is used", value)
        return SmtpSecurity.STARTTLS


@dataclass(frozen=True)
class NoticeSettings:
    """Where the firm is told of a new case: an SMTP server and/or a webhook. Unset means not used."""

    smtp_host: Optional[str]
    smtp_port: int
    smtp_username: Optional[str]
    smtp_password: Optional[str]
    smtp_security: SmtpSecurity
    email_from: str
    email_to: Optional[str]
    webhook_url: Optional[str]
    webhook_secret: Optional[str]
    poll_seconds: float
    timeout_seconds: float
    # A private certificate authority for the mail server (its PEM file); the system's otherwise.
    smtp_ca_file: Optional[str] = None
    # Plain http for the webhook: only for a receiver on this host or in tests.
    webhook_allow_http: bool = False
    # New cases in the last hour past which each one's notices are grouped into one digest, sent at most
    # every `digest_minutes`: a script opening case after case cannot bury the firm's mailbox.
    hourly_ceiling: int = 30
    digest_minutes: int = 15

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_host and self.email_to)


@lru_cache(maxsize=1)
def notice_settings() -> NoticeSettings:
    env = os.environ
    return NoticeSettings(
        smtp_host=env.get("SMTP_HOST") or None,
        smtp_port=int(env.get("SMTP_PORT", "587")),
        smtp_username=env.get("SMTP_USERNAME") or None,
        smtp_password=env.get("SMTP_PASSWORD") or None,
        smtp_security=_smtp_security(env),
        email_from=env.get("NOTICE_EMAIL_FROM", "assistant@example.com"),
        email_to=env.get("NOTICE_EMAIL_TO") or None,
        webhook_url=env.get("NOTICE_WEBHOOK_URL") or None,
        webhook_secret=env.get("NOTICE_WEBHOOK_SECRET") or None,
        poll_seconds=float(env.get("NOTICE_POLL_SECONDS", "2")),
        timeout_seconds=float(env.get("NOTICE_TIMEOUT_SECONDS", "10")),
        smtp_ca_file=env.get("SMTP_CA_FILE") or None,
        webhook_allow_http=env.get("NOTICE_WEBHOOK_ALLOW_HTTP", "false").lower() in ("1", "true", "yes"),
        hourly_ceiling=_positive_int(env, "CASE_NOTICE_CEILING_PER_HOUR", 30),
        digest_minutes=_positive_int(env, "NOTICE_DIGEST_MINUTES", 15),
    )


@dataclass(frozen=True)
class PendingCaseSettings:
    """Where cases wait while the database is down (bot/storage/pending_cases.py), and how often they are retried."""

    folder: Path
    retry_seconds: float


@lru_cache(maxsize=1)
def pending_case_settings() -> PendingCaseSettings:
    env = os.environ
    return PendingCaseSettings(
        folder=Path(env.get("PENDING_CASES_DIR") or ROOT / "var" / "pending-cases"),
        retry_seconds=float(env.get("PENDING_CASES_RETRY_SECONDS", "2")),
    )


@dataclass(frozen=True)
class PrivacySettings:
    """How long cases and conversations are kept, and how fast the firm promises to call back."""

    retention_days: int
    contact_business_days: int
    urgent_contact_business_days: int


@lru_cache(maxsize=1)
def privacy_settings() -> PrivacySettings:
    env = os.environ
    return PrivacySettings(
        retention_days=int(env.get("CASE_RETENTION_DAYS", "365")),
        contact_business_days=int(env.get("CONTACT_BUSINESS_DAYS", "2")),
        urgent_contact_business_days=int(env.get("URGENT_CONTACT_BUSINESS_DAYS", "1")),
    )


@dataclass(frozen=True)
class MetaAppSettings:
    """A Meta app's webhook (Messenger or WhatsApp Cloud API) and the token to answer with."""

    verify_token: Optional[str]
    app_secret: Optional[str]
    access_token: Optional[str]
    graph_api_url: str
    phone_number_id: Optional[str] = None

    @property
    def configured(self) -> bool:
        return bool(self.verify_token and self.app_secret and self.access_token)


GRAPH_API_URL = "https://graph.facebook.com/v21.0"


@lru_cache(maxsize=1)
def messenger_settings() -> MetaAppSettings:
    env = os.environ
    return MetaAppSettings(
        verify_token=env.get("MESSENGER_VERIFY_TOKEN") or None,
        app_secret=env.get("MESSENGER_APP_SECRET") or None,
        access_token=env.get("MESSENGER_PAGE_ACCESS_TOKEN") or None,
        graph_api_url=env.get("GRAPH_API_URL", GRAPH_API_URL).rstrip("/"),
    )


@lru_cache(maxsize=1)
def whatsapp_settings() -> MetaAppSettings:
    env = os.environ
    return MetaAppSettings(
        verify_token=env.get("WHATSAPP_VERIFY_TOKEN") or None,
        app_secret=env.get("WHATSAPP_APP_SECRET") or None,
        access_token=env.get("WHATSAPP_ACCESS_TOKEN") or None,
        graph_api_url=env.get("GRAPH_API_URL", GRAPH_API_URL).rstrip("/"),
        phone_number_id=env.get("WHATSAPP_PHONE_NUMBER_ID") or None,
    )


@dataclass(frozen=True)
class TwilioSettings:
    account_sid: Optional[str]
    auth_token: Optional[str]
    whatsapp_number: Optional[str]
    webhook_url: Optional[str]
    api_url: str

    @property
    def configured(self) -> bool:
        # The public URL too: Twilio signs it, and the URL a proxy hands to Rasa is another one.
        return bool(self.account_sid and self.auth_token and self.whatsapp_number and self.webhook_url)

    @property
    def partly_configured(self) -> bool:
        return not self.configured and any((self.account_sid, self.auth_token, self.whatsapp_number, self.webhook_url))


@lru_cache(maxsize=1)
def twilio_settings() -> TwilioSettings:
    env = os.environ
    return TwilioSettings(
        account_sid=env.get("TWILIO_ACCOUNT_SID") or None,
        auth_token=env.get("TWILIO_AUTH_TOKEN") or None,
        whatsapp_number=env.get("TWILIO_WHATSAPP_NUMBER") or None,
        # The URL Twilio signs: the public one, which a proxy may rewrite before it reaches Rasa.
        webhook_url=env.get("TWILIO_WEBHOOK_URL") or None,
        api_url=env.get("TWILIO_API_URL", "https://api.twilio.com").rstrip("/"),
    )


@dataclass(frozen=True)
class RedisSettings:
    """The Redis that every Rasa replica shares: the conversation lock and the channels' short-lived state."""

    url: str
    socket_timeout: float
    key_prefix: str
    # Messages of one conversation waiting for their turn, the one being handled included.
    conversation_queue_limit: int = 10


@lru_cache(maxsize=1)
def redis_settings() -> RedisSettings:
    env = os.environ
    return RedisSettings(
        url=env.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        # Short: a Redis that hangs must not hold a person's message for Rasa's default 10 s.
        socket_timeout=float(env.get("REDIS_SOCKET_TIMEOUT", "1")),
        key_prefix=env.get("REDIS_KEY_PREFIX", "entree-express"),
        # A person sends a message or two before the answer comes; ten at once is a script.
        conversation_queue_limit=_positive_int(env, "CONVERSATION_QUEUE_LIMIT", 10),
    )


# The header carrying ACTION_SERVER_TOKEN from Rasa's gateway to the action servers: one name for both ends.
ACTION_SERVER_TOKEN_HEADER = "X-Action-Server-Token"

# The largest letter sent as a file, in bytes: one to three pages, a few MB covers a phone's photo of a page; more
# is no letter. One number for the reader (letter_files.py), the widget (texts.json) and nginx (held equal by
# tests/system/test_deploy.py).
MAX_FILE_BYTES = 8_000_000


@dataclass(frozen=True)
class ActionGatewaySettings:
    """The action servers Rasa's calls are forwarded to, and how long they may take."""

    urls: Tuple[str, ...]
    timeout_seconds: float
    connect_timeout_seconds: float
    # What Rasa sends in X-Action-Gateway-Token (endpoints-gateway.yml); empty, the gateway takes no call.
    token: str = ""
    # What the gateway, and Rasa through endpoints.yml, send the action servers (action_server.py).
    server_token: str = ""


@lru_cache(maxsize=1)
def action_gateway_settings() -> ActionGatewaySettings:
    env = os.environ
    urls = tuple(url.strip() for url in env.get("ACTION_SERVER_URLS", "").split(",") if url.strip())
    return ActionGatewaySettings(
        urls=urls or ("http://127.0.0.1:5055/webhook",),
        # A killed server refuses the connection at once; a hung one is given up after the total.
        timeout_seconds=float(env.get("ACTION_TIMEOUT_SECONDS", "10")),
        connect_timeout_seconds=float(env.get("ACTION_CONNECT_TIMEOUT_SECONDS", "1")),
        token=env.get("ACTION_GATEWAY_TOKEN", ""),
        server_token=env.get("ACTION_SERVER_TOKEN", ""),
    )


@dataclass(frozen=True)
class WebAbuseSettings:
    """What one address or one conversation may send, and which web pages may talk to the assistant."""

    window_seconds: int
    per_address: int  # messages per window from one IP address (one /64 for IPv6), web channels
    per_conversation: int  # messages per window in one conversation, every channel
    allowed_origins: Tuple[str, ...]  # the pages (scheme://host[:port]) allowed to post from a browser
    trusted_proxies: Tuple[str, ...] = ()  # networks whose X-Real-IP names the client (loopback always does)
    per_address_per_second: int = 5  # the same address's messages within any one second
    new_conversations_per_address: int = 20  # conversations one address may open per window, web channels


def _positive_int(env, name: str, default: int) -> int:
    """A whole number of at least 1; anything else is logged and the default kept, so that a typo never turns
    the limits off nor fails every message."""
    raw = env.get(name)
    try:
        value = int(raw) if raw is not None else default
    except ValueError:
        value = 0
    if value < 1:
        logger.error("%s=%r is not a whole number of at least 1: %d is used.", name, raw, default)
        return default
    return value


@lru_cache(maxsize=1)
def web_abuse_settings() -> WebAbuseSettings:
    env = os.environ
    # make serve's demo page (the Makefile sets the variable from WEB_PORT); a deployment lists its own.
    origins = env.get("ALLOWED_ORIGINS", "http://127.0.0.1:8080,http://localhost:8080")
    return WebAbuseSettings(
        window_seconds=_positive_int(env, "RATE_LIMIT_WINDOW_SECONDS", 60),
        # A phone network or an office may put many people behind one address: room for dozens at once.
        per_address=_positive_int(env, "RATE_LIMIT_PER_ADDRESS", 300),
        # Nobody types or taps 30 messages a minute; a script does.
        per_conversation=_positive_int(env, "RATE_LIMIT_PER_CONVERSATION", 30),
        # An address's minute is spread over the minute: counted per minute only, a flood's first 300 messages
        # came within six seconds and every person's turn then waited about five seconds behind them
        # (bench/README.md). Stricter than nginx, which lets a burst of 20 wait instead of refusing it.
        per_address_per_second=_positive_int(
            env, "RATE_LIMIT_PER_ADDRESS_PER_SECOND", WebAbuseSettings.per_address_per_second
        ),
        # A person opens one conversation; each new one costs a session start. Twenty a minute still leaves
        # room for an office or a phone network behind one address.
        new_conversations_per_address=_positive_int(
            env, "RATE_LIMIT_NEW_CONVERSATIONS_PER_ADDRESS", WebAbuseSettings.new_conversations_per_address
        ),
        allowed_origins=tuple(origin.strip().rstrip("/") for origin in origins.split(",") if origin.strip()),
        trusted_proxies=tuple(net.strip() for net in env.get("TRUSTED_PROXIES", "").split(",") if net.strip()),
    )


@lru_cache(maxsize=1)
def web_session_key() -> bytes:
    """The key that signs the web conversation ids the server hands out (WEB_SESSION_SECRET). Every replica
    must share it. Unset, a random key of this process is used: right for one process (`make run`, `make
    serve`), and each restart then starts the widget's conversations afresh."""
    secret = os.environ.get("WEB_SESSION_SECRET", "")
    if secret.startswith("change-me"):
        # deploy/env.example's value, public: with it anyone could sign a conversation id.
        logger.error("WEB_SESSION_SECRET is still the example's: a random key of this process is used.")
    elif len(secret) >= 32:
        return secret.encode("utf-8")
    elif secret:
        logger.error("WEB_SESSION_SECRET is shorter than 32 characters: a random key of this process is used.")
    else:
        logger.warning(
            "WEB_SESSION_SECRET is not set: web conversations are signed with a random key of this process; "
            "set it when more than one replica runs."
        )
    return secrets.token_bytes(32)
