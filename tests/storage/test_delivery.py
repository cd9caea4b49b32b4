"""E-mail to the firm over TLS that checks the server's certificate (a real SMTP server, aiosmtpd), and a
webhook that is https, signed with its time, and never redirected (a local HTTP server)."""

from __future__ import annotations

import ssl
import subprocess
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from aiosmtpd.controller import Controller

from bot.settings import SmtpSecurity, notice_settings
from bot.storage.delivery import InsecureSmtpLogin, InsecureWebhook, post_webhook, send_email, webhook_signature
from bot.storage.outbox import NoticeKind, PendingNotice
from tests.ports import free_port
from tests.storage.test_outbox import Inbox, settings_for

pytestmark = pytest.mark.unit

NOTICE = PendingNotice(
    id=1, kind=NoticeKind.EMAIL, payload={"subject": "Nouvelle demande", "body": "Bonjour"}, attempts=0
)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: no public authority vouches for it."""
    folder = tmp_path_factory.mktemp("smtp-tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return key, cert


def _server_context(certificate) -> ssl.SSLContext:
    key, cert = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@pytest.fixture
def starttls_server(certificate):
    inbox, port = Inbox(), free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, tls_context=_server_context(certificate), require_starttls=True
    )
    controller.start()
    yield inbox, port
    controller.stop()


def _settings(port, security, ca_file=None, **changes):
    return replace(settings_for(smtp_port=port), smtp_security=security, smtp_ca_file=ca_file, **changes)


def test_a_mail_server_whose_certificate_nobody_vouches_for_gets_nothing(starttls_server):
    inbox, port = starttls_server
    with pytest.raises(ssl.SSLCertVerificationError):
        send_email(_settings(port, SmtpSecurity.STARTTLS), NOTICE)
    assert inbox.messages == []


def test_starttls_to_a_server_the_named_authority_vouches_for_delivers(starttls_server, certificate):
    inbox, port = starttls_server
    send_email(_settings(port, SmtpSecurity.STARTTLS, ca_file=str(certificate[1])), NOTICE)
    assert [message["Subject"] for message in inbox.messages] == ["Nouvelle demande"]


def test_implicit_tls_delivers_and_checks_the_certificate_too(certificate):
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=_server_context(certificate))
    controller.start()
    try:
        with pytest.raises(ssl.SSLCertVerificationError):
            send_email(_settings(port, SmtpSecurity.TLS), NOTICE)
        send_email(_settings(port, SmtpSecurity.TLS, ca_file=str(certificate[1])), NOTICE)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1


def test_a_password_is_never_sent_without_tls():
    # Nothing listens on the port: the refusal comes before any connection.
    settings = _settings(free_port(), SmtpSecurity.NONE, smtp_username="cabinet", smtp_password="secret")
    with pytest.raises(InsecureSmtpLogin):
        send_email(settings, NOTICE)


WEBHOOK_NOTICE = PendingNotice(id=2, kind=NoticeKind.WEBHOOK, payload={"reference": "ACDEFGHJ"}, attempts=0)


class Redirecting(BaseHTTPRequestHandler):
    posts = []

    def do_POST(self):
        type(self).posts.append(self.path)
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(307)
        if self.path == "/cases":
            self.send_header("Location", "/elsewhere")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_case_never_goes_to_a_plain_http_webhook_unless_allowed():
    settings = replace(settings_for(webhook_url="http://crm.example.com/hooks"), webhook_allow_http=False)
    with pytest.raises(InsecureWebhook):
        post_webhook(settings, WEBHOOK_NOTICE)


def test_a_redirect_is_not_followed_and_the_delivery_counts_as_failed():
    Redirecting.posts = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings = settings_for(webhook_url=f"http://127.0.0.1:{server.server_port}/cases", secret="s3cret")
        with pytest.raises(requests.HTTPError):
            post_webhook(settings, WEBHOOK_NOTICE)
    finally:
        server.shutdown()
    assert Redirecting.posts == ["/cases"]  # "/elsewhere" never got the case


def test_a_redirect_without_a_location_is_no_delivery_either():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings = settings_for(webhook_url=f"http://127.0.0.1:{server.server_port}/bare")
        with pytest.raises(requests.HTTPError):
            post_webhook(settings, WEBHOOK_NOTICE)
    finally:
        server.shutdown()


def test_the_signature_covers_the_time_it_was_sent():
    assert webhook_signature("s", "1700000000", b"{}") != webhook_signature("s", "1700000001", b"{}")


def test_a_mistyped_smtp_security_falls_back_to_starttls_and_says_so(monkeypatch, caplog):
    monkeypatch.setenv("SMTP_SECURITY", "startls")
    monkeypatch.setenv("SMTP_STARTTLS", "false")
    notice_settings.cache_clear()
    try:
        assert notice_settings().smtp_security is SmtpSecurity.STARTTLS
    finally:
        notice_settings.cache_clear()
    assert "is not starttls, tls or none" in caplog.text and "SMTP_STARTTLS is no longer read" in caplog.text
