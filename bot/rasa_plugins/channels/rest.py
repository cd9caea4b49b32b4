"""Rasa's REST channel (the website widget's) with its input checked before Rasa reads it.

Rasa's own channel answers 500 to a body that is not a JSON object with a text sender; here
such a request gets 400, an oversized one 413, and nothing reaches the dialogue. A body that is
not declared JSON gets 415: a browser sends a JSON body across sites only after asking (CORS), so
another site's page cannot make its visitors post. A page not in ALLOWED_ORIGINS gets 403, and a
sender or an address over its rate limit 429 with a French answer (rate_limits.py).

The conversation id is the server's: POST /webhooks/rest/session hands one out, signed (web_sessions.py), and
a message naming any other sender gets 403, so that no client reads or changes another's conversation.

POST /webhooks/rest/letter?sender=... takes a letter as a file (a PDF or a photo, the body itself): its text is
read (letter_files.py) and handed to the conversation as if pasted; a file that gives none gets a French answer.
"""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.rasa_plugins.channels.conversation_ids import is_web_sender
from bot.rasa_plugins.channels.incoming import telling_when_busy
from bot.rasa_plugins.channels.limits import MAX_BODY_BYTES, MAX_MESSAGE_LENGTH, MAX_SENDER_LENGTH, is_text
from bot.rasa_plugins.channels.rate_limits import RateLimiter, address_key, origin_allowed, rate_limiter
from bot.rasa_plugins.channels.web_sessions import is_issued, new_session_id
from bot.rasa_plugins.letter_files import FileProblem, letter_file_reader
from bot.settings import MAX_FILE_BYTES, web_abuse_settings, web_session_key
from bot.texts import file_response_text


def own_origin(request: Request) -> str:
    """The assistant's own site, as the browser names it: the widget page nginx serves from the same host."""
    # Rasa itself serves plain HTTP; TLS ends at nginx, which says so in X-Forwarded-Proto.
    scheme = request.headers.get("x-forwarded-proto") or "http"
    return f"{scheme}://{request.headers.get('host', '')}"


def page_problem(
    request: Request, content_type: str = "application/json", max_bytes: int = MAX_BODY_BYTES
) -> Optional[HTTPResponse]:
    """Why this request is not one a page allowed to talk to the assistant may send, or None."""
    if len(request.body or b"") > max_bytes:
        return response.json({"error": "body too large"}, status=413)
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != content_type:
        return response.json({"error": f"the body must be sent as {content_type}"}, status=415)
    if not origin_allowed(request.headers.get("origin"), web_abuse_settings(), own_origin(request)):
        return response.json({"error": "this page may not talk to the assistant"}, status=403)
    return None


def problem(request: Request) -> Optional[HTTPResponse]:
    """Why the request cannot be read as one person's message, or None when it can."""
    refused = page_problem(request)
    if refused:
        return refused
    try:
        payload = json.loads(request.body or b"")
    except (ValueError, RecursionError):  # RecursionError: arrays or objects nested thousands deep
        return response.json({"error": "the body must be JSON"}, status=400)
    if not isinstance(payload, dict):
        return response.json({"error": "the body must be a JSON object"}, status=400)
    sender, message = payload.get("sender"), payload.get("message")
    if not is_web_sender(sender):
        return response.json(
            {"error": f"'sender' must be a text of 1 to {MAX_SENDER_LENGTH} characters, without ':'"}, status=400
        )
    if not is_issued(sender, web_session_key()):
        return response.json({"error": "unknown conversation: POST /webhooks/rest/session hands one out"}, status=403)
    if not is_text(message):
        return response.json({"error": "'message' must be a text"}, status=400)
    if not isinstance(payload.get("metadata", {}), (dict, type(None))):
        return response.json({"error": "'metadata' must be a JSON object"}, status=400)
    if len(message) > MAX_MESSAGE_LENGTH:
        return response.json({"error": f"'message' is longer than {MAX_MESSAGE_LENGTH} characters"}, status=413)
    # Read once: the rate limit counts this sender.
    request.ctx.sender = sender
    return None


def letter_problem(request: Request) -> Optional[HTTPResponse]:
    """Why this request is not a file a person's widget sends, or None.

    The file comes as the body, application/octet-stream (a type a page sends across sites only after asking,
    as JSON), and the conversation in the query (?sender=...), issued by the server like the messages'.
    """
    sender = request.args.get("sender")
    if len(request.body or b"") > MAX_FILE_BYTES:
        reply = [{"recipient_id": sender, "text": file_response_text(FileProblem.TOO_LARGE.answer)}]
        return response.json(reply, status=413)
    refused = page_problem(request, "application/octet-stream", MAX_FILE_BYTES)
    if refused:
        return refused
    if not is_web_sender(sender) or not is_issued(sender, web_session_key()):
        return response.json({"error": "unknown conversation: POST /webhooks/rest/session hands one out"}, status=403)
    request.ctx.sender = sender
    return None


def too_many(
    request: Request, sender: Optional[str], limiter: RateLimiter, opens: bool = False
) -> Optional[HTTPResponse]:
    """429, with the French answer as the assistant's reply, when the sender or the address is over its limit
    (`opens`: the request asks for a new conversation)."""
    address = address_key(request.ip, request.headers.get("x-real-ip"), limiter.settings.trusted_proxies)
    if not limiter.over(address, sender, opens):
        return None
    answer = "utter_channel_too_many_conversations" if opens else "utter_channel_too_many_messages"
    reply = [{"recipient_id": sender, "text": file_response_text(answer)}]
    headers = {"Retry-After": str(limiter.settings.window_seconds)}
    return response.json(reply, status=429, headers=headers)


class RestInput(RasaRestInput):
    """Webhook at /webhooks/rest/webhook, as Rasa's."""

    def _extract_input_channel(self, request: Request) -> str:
        # The channel's own name, never the client's: it reaches the firm's notice, and a long one
        # broke the case's insert.
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[str, Any]]:
        # No widget of ours sends any; a client's would be stored twice per event, up to the body limit.
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(telling_when_busy(on_new_message))

        @blueprint.middleware("request")
        async def check(request: Request) -> Optional[HTTPResponse]:
            if request.method != "POST":
                return None
            if request.path.rstrip("/").endswith("/session"):
                return page_problem(request) or too_many(request, None, rate_limiter(), opens=True)
            if request.path.rstrip("/").endswith("/letter"):
                return letter_problem(request) or too_many(request, request.ctx.sender, rate_limiter())
            return problem(request) or too_many(request, request.ctx.sender, rate_limiter())

        @blueprint.route("/letter", methods=["POST"])
        async def letter(request: Request) -> HTTPResponse:
            # The letter's text goes on as if pasted: the NLU reads it as a letter, the history keeps the facts.
            sender = request.ctx.sender
            read = await letter_file_reader().read(request.body or b"")
            if read.problem is not None:
                return response.json([{"recipient_id": sender, "text": file_response_text(read.problem.answer)}])
            collector = CollectingOutputChannel()
            await telling_when_busy(on_new_message)(
                UserMessage(read.text, collector, sender, input_channel=self.name())
            )
            return response.json(collector.messages)

        @blueprint.route("/session", methods=["POST"])
        async def session(request: Request) -> HTTPResponse:
            # A new conversation each time: the widget asks once per tab, and again only if its id is refused.
            return response.json({"sender": new_session_id(web_session_key())})

        return blueprint
