"""Rasa's calls to the action servers go through here, inside the Rasa process.

Rasa 3.6 waits 300 s for an action server, whatever the endpoints file says, then drops the
action's events and says nothing: a person whose action server died meets silence. Rasa's
`action_endpoint` in endpoints-gateway.yml (make run, make serve, production) points at this route instead; it forwards each call to the action servers in
ACTION_SERVER_URLS (round robin, the next one when one is down) with short timeouts, and when
none answers it gives Rasa an action result of its own: a French apology (`utter_technical_problem`),
and for a form's validation, the question asked again rather than an answer taken unchecked.
The conversation carries on normally once an action server is back.

The route is for Rasa alone: it refuses anything but a direct call from this machine carrying the token
Rasa sends (ACTION_GATEWAY_TOKEN, in endpoints-gateway.yml), and the reverse proxy never forwards it
(deploy/nginx). The token matters when a tunnel exposes Rasa's port: through it, anyone's request comes
from this machine.
"""

from __future__ import annotations

import asyncio
import hmac
import itertools
import json
import logging
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional

import aiohttp
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.rasa_plugins import action_response_check
from bot.rasa_plugins.channels.choices import SeenMessages
from bot.settings import ACTION_SERVER_TOKEN_HEADER, ActionGatewaySettings, action_gateway_settings

logger = logging.getLogger(__name__)

APOLOGY = "utter_technical_problem"
LOCAL_PEERS = {"127.0.0.1", "::1"}
FORWARDING_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded")
TOKEN_HEADER = "x-action-gateway-token"


def is_rasas_own_call(peer: Optional[str], headers: Mapping[str, str], token: str) -> bool:
    """A call from this machine, not forwarded by a proxy, with Rasa's token (compared in constant time)."""
    if peer not in LOCAL_PEERS or any(header in headers for header in FORWARDING_HEADERS):
        return False
    given = headers.get(TOKEN_HEADER, "")
    return bool(token) and hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


def failure_result(call: Dict[str, Any]) -> Dict[str, Any]:
    """What Rasa receives when no action server answered `call`."""
    events: List[Dict[str, Any]] = []
    tracker = call.get("tracker") or {}
    requested = (tracker.get("slots") or {}).get("requested_slot")
    if str(call.get("next_action", "")).startswith("validate_") and requested:
        # Unanswered, Rasa would take the form's answer as valid: refuse it, so the question comes again.
        events.append({"event": "slot", "name": requested, "value": None})
    return {"events": events, "responses": [{"response": APOLOGY}]}


class ActionGatewayInput(InputChannel):
    """Listed in credentials.yml as `bot.rasa_plugins.action_gateway.ActionGatewayInput`."""

    @classmethod
    def name(cls) -> str:
        return "action_gateway"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> ActionGatewayInput:
        # Rasa builds its channels once, at start-up, in the process that calls the action servers.
        action_response_check.install()
        settings = action_gateway_settings()
        if not settings.server_token:
            logger.error("ACTION_SERVER_TOKEN is not set: the action servers will refuse every call.")
        return cls(settings)

    def __init__(self, settings: ActionGatewaySettings):
        self.settings = settings
        self._next_server = itertools.cycle(range(len(settings.urls)))
        self._session: Optional[aiohttp.ClientSession] = None
        self._headers = {"Content-Type": "application/json", ACTION_SERVER_TOKEN_HEADER: settings.server_token}
        # One apology per message, even when several of its actions fail.
        self._apologised = SeenMessages()

    def _client(self) -> aiohttp.ClientSession:
        # Made on first call, inside Sanic's event loop.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(
                    total=self.settings.timeout_seconds, sock_connect=self.settings.connect_timeout_seconds
                )
            )
        return self._session

    async def forward(self, body: bytes) -> Optional[HTTPResponse]:
        """The first action server's answer, or None when every server is down or failing."""
        start = next(self._next_server)
        urls = self.settings.urls[start:] + self.settings.urls[:start]
        for url in urls:
            try:
                async with self._client().post(url, data=body, headers=self._headers) as answer:
                    payload = await answer.read()
                    if answer.status in (401, 403):
                        logger.error("Action server %s refused the call: ACTION_SERVER_TOKEN differs.", url)
                        continue
                    # Another 4xx is the action server's own answer (400: a form rejected): Rasa handles it.
                    if answer.status < 500:
                        return response.raw(payload, status=answer.status, content_type="application/json")
                    logger.error("Action server %s answered %s.", url, answer.status)
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                logger.error("Action server %s unreachable: %s.", url, type(error).__name__)
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        gateway = Blueprint("action_gateway", __name__)

        @gateway.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not is_rasas_own_call(request.ip, request.headers, self.settings.token):
                return response.json({"error": "internal route"}, status=403)
            answer = await self.forward(request.body or b"")
            if answer is not None:
                return answer
            try:
                call = json.loads(request.body or b"{}")
            except ValueError:
                return response.json({"error": "the body must be JSON"}, status=400)
            logger.error("No action server could run %s.", call.get("next_action"))
            result = failure_result(call)
            latest = (call.get("tracker") or {}).get("latest_message") or {}
            if not self._apologised.first_time(f"{call.get('sender_id')}/{latest.get('message_id')}"):
                result["responses"] = []  # this message has had its apology
            return response.json(result)

        return gateway
