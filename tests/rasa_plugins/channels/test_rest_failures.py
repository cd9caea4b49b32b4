"""A message the REST webhook fails to handle: the person gets an apology, and no log holds the message's text."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
import structlog
from rasa.core.channels import rest as rasa_rest
from rasa.utils.log_utils import configure_structlog
from sanic.compat import Header
from sanic.request import Request

from bot.rasa_plugins.channels.rest import RestInput
from bot.rasa_plugins.channels.web_sessions import new_session_id
from bot.settings import web_session_key
from bot.texts import file_response_text

pytestmark = pytest.mark.unit

SENDER = new_session_id(web_session_key())
PASTED = "Dear Karim Benali, your application for permanent residence is refused."


@pytest.fixture
def rasa_logging(monkeypatch, caplog):
    """Rasa's logging as `rasa run` sets it up: its structured events go through the standard logging."""
    saved = structlog.get_config()
    configure_structlog(logging.DEBUG)
    # Rasa's REST module keeps the logger it made on first use: a new one takes this configuration.
    monkeypatch.setattr(rasa_rest, "structlogger", structlog.get_logger())
    caplog.set_level(logging.DEBUG)
    yield caplog
    structlog.configure(**saved)


def webhook_request() -> Request:
    request = Request(
        b"/webhooks/rest/webhook", Header({"content-type": "application/json"}), "1.1", "POST", None, None
    )
    request.body = json.dumps({"sender": SENDER, "message": PASTED}).encode()
    return request


def posted(channel, failure: BaseException):
    """What the webhook answers when handling the message fails with `failure`."""

    async def on_new_message(message):
        raise failure

    blueprint = channel.blueprint(on_new_message)
    receive = next(route.handler for route in blueprint._future_routes if route.uri == "/webhook")
    return json.loads(asyncio.run(receive(webhook_request())).body)


@pytest.mark.parametrize(
    "failure", [RuntimeError(f"row {PASTED}"), asyncio.CancelledError()], ids=["error", "connection-closed"]
)
def test_rasa_s_own_rest_channel_logs_the_text_this_test_looks_for(rasa_logging, failure):
    # What the next test guards against, seen through the same capture: without it, its check would prove nothing.
    posted(rasa_rest.RestInput(), failure)
    assert "Karim Benali" in rasa_logging.text


def test_a_failure_is_logged_without_the_text_and_answered_with_the_apology(rasa_logging, capsys):
    answered = posted(RestInput(), RuntimeError(f"row {PASTED}"))
    logged = rasa_logging.text + "".join(capsys.readouterr())
    assert "Benali" not in logged
    assert "could not be handled (RuntimeError)" in logged
    assert answered == [{"recipient_id": SENDER, "text": file_response_text("utter_technical_problem")}]


def test_a_message_cancelled_when_the_connection_closes_is_logged_without_the_text(rasa_logging, capsys):
    answered = posted(RestInput(), asyncio.CancelledError())
    logged = rasa_logging.text + "".join(capsys.readouterr())
    assert "Benali" not in logged
    assert "cancelled before its answer" in logged
    assert answered == []
