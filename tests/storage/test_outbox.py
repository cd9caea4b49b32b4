"""Notices to the firm through the outbox, against a real SMTP server (aiosmtpd) and a local HTTP server."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from bot.settings import NoticeSettings, SmtpSecurity
from bot.storage.case_records import erase_case, save_case
from bot.storage.delivery import senders_from_settings
from bot.storage.outbox import LONGEST_RETRY, Notice, NoticeKind, backoff, deliver_due
from bot.storage.schema import handoff_cases, notices
from tests.ports import free_port
from tests.storage.case_factory import a_case, someone_else

pytestmark = pytest.mark.unit


class Inbox:
    """aiosmtpd handler: keeps every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def settings_for(smtp_port=None, webhook_url=None, secret=None) -> NoticeSettings:
    return NoticeSettings(
        smtp_host="127.0.0.1" if smtp_port else None,
        smtp_port=smtp_port or 25,
        smtp_username=None,
        smtp_password=None,
        smtp_security=SmtpSecurity.NONE,
        email_from="assistant@cabinet.example",
        email_to="equipe@cabinet.example",
        webhook_url=webhook_url,
        webhook_secret=secret,
        webhook_allow_http=True,  # the local receiver
        poll_seconds=0.1,
        timeout_seconds=3,
    )


def email_notice(stored):
    return [Notice(NoticeKind.EMAIL, {"subject": f"Nouvelle demande {stored.reference}", "body": "Bonjour"})]


def later(minutes=0, seconds=0):
    return datetime.now(timezone.utc) + timedelta(minutes=minutes, seconds=seconds)


def rows(engine):
    with engine.connect() as connection:
        return connection.execute(select(notices)).all()


def test_backoff_doubles_up_to_an_hour():
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [10, 20, 40]
    assert backoff(30) == LONGEST_RETRY


def test_a_mail_server_down_then_up_gets_the_notice_exactly_once(engine):
    port = free_port()
    senders = senders_from_settings(settings_for(smtp_port=port))
    stored = save_case(engine, a_case(), email_notice)

    # Nothing listens yet: the notice waits, with its failure counted.
    assert deliver_due(engine, senders).failed == 1
    [row] = rows(engine)
    assert row.delivered_at is None and row.attempts == 1 and row.last_error == "ConnectionRefusedError"
    # Not retried before its backoff.
    assert deliver_due(engine, senders).failed == 0

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert deliver_due(engine, senders, now=later(seconds=11)).delivered == 1
        assert deliver_due(engine, senders, now=later(minutes=90)).delivered == 0
    finally:
        controller.stop()

    assert len(inbox.messages) == 1
    assert [row.payload for row in rows(engine)] == [{}]  # sent: the person's data is the case's alone
    message = inbox.messages[0]
    assert message["Subject"] == f"Nouvelle demande {stored.reference}"
    assert message["To"] == "equipe@cabinet.example"
    [row] = rows(engine)
    assert row.delivered_at is not None and row.attempts == 2


def test_workers_racing_for_the_same_notices_send_each_once(engine):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        senders = senders_from_settings(settings_for(smtp_port=controller.port))
        for i in range(10):
            save_case(engine, someone_else(i), email_notice)
        with ThreadPoolExecutor(max_workers=4) as pool:
            reports = list(pool.map(lambda _: deliver_due(engine, senders), range(4)))
    finally:
        controller.stop()
    assert sum(report.delivered for report in reports) == 10
    assert len(inbox.messages) == 10
    assert len({message["Message-ID"] for message in inbox.messages}) == 10


class Webhook(BaseHTTPRequestHandler):
    received = []
    failures_left = 0

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        failing = type(self).failures_left > 0
        type(self).failures_left -= 1
        self.send_response(503 if failing else 204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    Webhook.received = []
    Webhook.failures_left = 1
    server = ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/cases"
    server.shutdown()


def test_the_webhook_gets_the_case_signed_after_a_failed_try(engine, webhook):
    settings = settings_for(webhook_url=webhook, secret="s3cret")
    senders = senders_from_settings(settings)
    stored = save_case(engine, a_case(), lambda s: [Notice(NoticeKind.WEBHOOK, {"reference": s.reference})])

    assert deliver_due(engine, senders).failed == 1  # the receiver answered 503
    assert deliver_due(engine, senders, now=later(seconds=11)).delivered == 1
    assert deliver_due(engine, senders, now=later(minutes=90)).delivered == 0

    assert len(Webhook.received) == 2
    headers, body = Webhook.received[-1]
    assert json.loads(body) == {"reference": stored.reference}
    # Signed with the time it was sent, so that a receiver can refuse a replay.
    signed = headers["X-Signature-Timestamp"].encode() + b"." + body
    expected = hmac.new(b"s3cret", signed, hashlib.sha256).hexdigest()
    assert headers["X-Signature-256"] == f"sha256={expected}"
    # The same key on every try, so that the receiver can drop a repeat.
    assert Webhook.received[0][0]["Idempotency-Key"] == headers["Idempotency-Key"]


def test_a_kind_nobody_is_set_up_for_is_left_alone(engine):
    save_case(engine, a_case(), email_notice)
    assert deliver_due(engine, senders_from_settings(replace(settings_for(), email_to=None))).delivered == 0
    [row] = rows(engine)
    assert row.attempts == 0


def test_an_erased_case_takes_its_pending_notices_with_it(engine):
    stored = save_case(engine, a_case(), email_notice)
    assert erase_case(engine, stored.reference)
    assert rows(engine) == []


@pytest.fixture
def ceiling_of_two(monkeypatch):
    from bot.settings import notice_settings

    monkeypatch.setenv("CASE_NOTICE_CEILING_PER_HOUR", "2")
    monkeypatch.setenv("NOTICE_DIGEST_MINUTES", "15")
    notice_settings.cache_clear()
    yield
    notice_settings.cache_clear()


def test_cases_past_the_hourly_ceiling_are_announced_together_in_one_digest(engine, ceiling_of_two):
    from bot.storage.case_records import grouped_references
    from bot.storage.delivery import digest_payloads
    from bot.storage.outbox import deliver_digest

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings = settings_for(smtp_port=controller.port)
    senders = senders_from_settings(settings)
    render = lambda lines: digest_payloads(replace(settings, hourly_ceiling=2), lines)  # noqa: E731
    try:
        stored = [save_case(engine, someone_else(n, urgent=n == 3), email_notice) for n in range(5)]
        # The first two get their own notice; the three past the ceiling wait for the digest.
        assert deliver_due(engine, senders).delivered == 2
        assert deliver_digest(engine, senders, render).delivered == 0
        assert deliver_digest(engine, senders, render, now=later(minutes=16)).delivered == 3
        assert deliver_digest(engine, senders, render, now=later(minutes=40)).delivered == 0
    finally:
        controller.stop()
    assert len(inbox.messages) == 3
    digest = inbox.messages[-1]
    subject = str(make_header(decode_header(digest["Subject"])))
    assert subject == "Demandes de consultation regroupées : 3"
    body = digest.get_payload(decode=True).decode("utf-8")
    assert all(case.reference in body for case in stored[2:]) and stored[0].reference not in body
    assert f"{stored[3].reference}, reçue le" in body and "URGENT" in body
    # Nothing personal in a digest: the firm reads each case with the operator's `show`.
    assert "Awa" not in body and "awa@example.org" not in body
    assert grouped_references(engine) == {case.reference for case in stored[2:]}


def test_a_repeated_e_mail_or_phone_within_a_day_is_announced_in_the_digest_and_changes_no_earlier_case(engine):
    """A script repeating one person's e-mail opens case after case: the firm gets one notice, then a digest
    line per repeat naming the first case; the first case stays as its owner left it."""
    from bot.storage.case_records import get_case, grouped_references
    from bot.storage.delivery import digest_payloads

    first = save_case(engine, someone_else(1, urgent=False), email_notice)
    by_email = save_case(
        engine, someone_else(2, email="PERSONNE1@example.org", name="Intrus", urgent=False), email_notice
    )
    by_phone = save_case(engine, someone_else(3, phone="+15145550001", urgent=False), email_notice)
    other = save_case(engine, someone_else(4, urgent=False), email_notice)
    # A Federal Court deadline is never delayed: an urgent repeat keeps its own notice.
    urgent = save_case(engine, someone_else(5, email="personne1@example.org", urgent=True), email_notice)
    assert grouped_references(engine) == {by_email.reference, by_phone.reference}
    assert sorted(row.kind for row in rows(engine)) == ["digest", "digest", "email", "email", "email"]
    assert urgent.reference not in grouped_references(engine)
    assert get_case(engine, first.reference).name == "Awa Exemple"
    assert other.reference not in grouped_references(engine)
    lines = [row.payload for row in rows(engine) if row.kind == "digest"]
    assert {line["repeat_of"] for line in lines} == {first.reference}
    body = digest_payloads(settings_for(smtp_port=25), lines)[NoticeKind.EMAIL]["body"]
    assert f"(même courriel ou téléphone que {first.reference})" in body and "Intrus" not in body


def test_the_same_e_mail_a_day_later_is_a_new_request_with_its_own_notice(engine):
    from bot.storage.case_records import grouped_references

    save_case(engine, someone_else(1, urgent=False), email_notice)
    with engine.begin() as connection:
        connection.execute(handoff_cases.update().values(created_at=later(minutes=-25 * 60)))
    save_case(engine, someone_else(2, email="personne1@example.org", urgent=False), email_notice)
    assert grouped_references(engine) == set()


def test_a_digest_that_fails_is_tried_again_whole(engine, ceiling_of_two):
    from bot.storage.delivery import digest_payloads
    from bot.storage.outbox import deliver_digest

    settings = settings_for(smtp_port=free_port())  # nothing listens
    senders = senders_from_settings(settings)
    for n in range(4):
        save_case(engine, someone_else(n), email_notice)
    report = deliver_digest(engine, senders, lambda lines: digest_payloads(settings, lines), now=later(minutes=16))
    assert report.failed == 2
    waiting = [row for row in rows(engine) if row.kind == "digest"]
    assert all(row.delivered_at is None and row.attempts == 1 for row in waiting) and len(waiting) == 2
