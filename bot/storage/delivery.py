"""How a notice reaches the firm: an e-mail over SMTP, a JSON POST to a webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
import time
from datetime import datetime
from email.message import EmailMessage
from typing import Any, Callable, Dict, List

import requests

from bot.settings import NoticeSettings, SmtpSecurity
from bot.storage.outbox import NoticeKind, PendingNotice, Sender
from bot.texts import file_response_text


class InsecureSmtpLogin(RuntimeError):
    """A password would cross the network in clear."""


class InsecureWebhook(RuntimeError):
    """A case would cross the network in clear."""


def message_id(settings: NoticeSettings, notice: PendingNotice) -> str:
    """The same Message-ID for every try of one notice, so that a mailbox shows a resent notice once."""
    return f"<notice-{notice.id}@{settings.email_from.rpartition('@')[2] or 'localhost'}>"


def send_email(settings: NoticeSettings, notice: PendingNotice) -> None:
    message = EmailMessage()
    message["From"] = settings.email_from
    message["To"] = settings.email_to
    message["Subject"] = notice.payload["subject"]
    message["Message-ID"] = message_id(settings, notice)
    message.set_content(notice.payload["body"])
    if settings.smtp_username and settings.smtp_security is SmtpSecurity.NONE:
        # Never the password in clear: a misconfiguration fails the notice, which the log names.
        raise InsecureSmtpLogin("SMTP_USERNAME is set but SMTP_SECURITY is none")
    # Verifies the server's certificate and name: smtplib's own default context does neither.
    context = ssl.create_default_context(cafile=settings.smtp_ca_file)
    host, port, timeout = settings.smtp_host, settings.smtp_port, settings.timeout_seconds
    if settings.smtp_security is SmtpSecurity.TLS:
        connection: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
    with connection as smtp:
        if settings.smtp_security is SmtpSecurity.STARTTLS:
            smtp.starttls(context=context)
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        smtp.send_message(message)


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 of "<timestamp>.<body>": a receiver that checks the time refuses a replayed delivery."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def post_webhook(settings: NoticeSettings, notice: PendingNotice, now: Callable[[], float] = time.time) -> None:
    url = settings.webhook_url or ""
    if not url.startswith("https://") and not settings.webhook_allow_http:
        # The case holds personal data: never over plain http to another host.
        raise InsecureWebhook("NOTICE_WEBHOOK_URL must be https (or NOTICE_WEBHOOK_ALLOW_HTTP=true)")
    body = json.dumps(notice.payload, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json", "Idempotency-Key": f"notice-{notice.id}"}
    if settings.webhook_secret:
        timestamp = str(int(now()))
        headers["X-Signature-Timestamp"] = timestamp
        headers["X-Signature-256"] = webhook_signature(settings.webhook_secret, timestamp, body)
    # No redirect followed: the case goes to the configured receiver or nowhere.
    response = requests.post(url, data=body, headers=headers, timeout=settings.timeout_seconds, allow_redirects=False)
    if not 200 <= response.status_code < 300:
        # A redirect, with or without a Location, is not a delivery.
        raise requests.HTTPError(f"answered {response.status_code}", response=response)


def digest_payloads(settings: NoticeSettings, lines: List[Dict[str, Any]]) -> Dict[NoticeKind, Dict[str, Any]]:
    """One e-mail listing the grouped cases (French, from domain.yml), and the same lines for the webhook."""

    def line(entry: Dict[str, Any]) -> str:
        marks = file_response_text("utter_notice_digest_urgent") if entry.get("urgent") else ""
        if entry.get("repeat_of"):
            marks += file_response_text("utter_notice_digest_repeat").format(reference=entry["repeat_of"])
        created = f"{datetime.fromisoformat(entry['created_at']):%Y-%m-%d %H:%M} UTC"
        return file_response_text("utter_notice_digest_line").format(
            reference=entry["reference"], created_at=created, urgent=marks
        )

    subject = file_response_text("utter_notice_digest_subject").format(count=len(lines))
    body = file_response_text("utter_notice_digest_body").format(
        ceiling=settings.hourly_ceiling, lines="\n".join(line(entry) for entry in lines)
    )
    return {NoticeKind.EMAIL: {"subject": subject, "body": body}, NoticeKind.WEBHOOK: {"digest": lines}}


def senders_from_settings(settings: NoticeSettings) -> Dict[NoticeKind, Sender]:
    senders: Dict[NoticeKind, Sender] = {}
    if settings.email_enabled:
        senders[NoticeKind.EMAIL] = lambda notice: send_email(settings, notice)
    if settings.webhook_url:
        senders[NoticeKind.WEBHOOK] = lambda notice: post_webhook(settings, notice)
    return senders
