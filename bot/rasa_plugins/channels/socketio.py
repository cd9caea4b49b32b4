"""Rasa's socket.io channel with its session persistence working and its input checked.

Rasa 3.6.21 calls python-socketio's `enter_room` without `await` (RasaHQ/rasa#13027); since
python-socketio 5.10 it is a coroutine, so the client never joins its session's room and the
bot's replies never reach the browser. The handler is registered again, awaited.

Rasa's handlers, and python-engineio's reading of a long-polling request, raise on input of
another shape (an event whose data is not an object, a packet that is not Engine.IO) and log a
traceback; here such input is refused (400) or ignored before it reaches them.

Rasa joins whatever session id the client names, so a client could listen to another conversation's
replies: here a session is joined only if the server handed its id out (web_sessions.py), else a new one is.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from engineio.packet import CLOSE, MESSAGE, PONG, UPGRADE
from engineio.payload import Payload
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio.packet import Packet

from bot.rasa_plugins.channels.incoming import telling_when_busy
from bot.rasa_plugins.channels.limits import MAX_MESSAGE_LENGTH, is_text
from bot.rasa_plugins.channels.rate_limits import address_key, origin_allowed, rate_limiter
from bot.rasa_plugins.channels.web_sessions import is_issued, new_session_id
from bot.settings import web_abuse_settings, web_session_key
from bot.texts import file_response_text

logger = logging.getLogger(__name__)


def session_id_of(data: Any) -> Optional[str]:
    """The session id a client named, if the server handed it out."""
    session_id = data.get("session_id") if isinstance(data, dict) else None
    if is_issued(session_id, web_session_key()):
        return session_id
    return None


def readable_message(data: Any, metadata_key: str) -> bool:
    """A `user_uttered` event Rasa's handler can take: an object with a text message and metadata."""
    if not isinstance(data, dict) or not is_text(data.get("message", "")):
        return False
    metadata = data.get(metadata_key)
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except (ValueError, RecursionError):
            return False
    return metadata is None or isinstance(metadata, dict)


# The packets an Engine.IO 4 client sends over long polling. python-engineio answers any other (an open,
# a ping, a noop) by closing the session and waiting until the client has read the close, which it never
# does while its own POST waits: the request hung until the session timed out (tests/system/test_hostile_input.py).
CLIENT_PACKETS = (CLOSE, PONG, MESSAGE, UPGRADE)


def malformed_polling_body(body: bytes) -> bool:
    """True when python-engineio or python-socketio would fail to read this long-polling body, or hang on it."""
    try:
        for packet in Payload(encoded_payload=body.decode("utf-8")).packets:
            if packet.packet_type not in CLIENT_PACKETS:
                return True
            if packet.packet_type == MESSAGE and isinstance(packet.data, str):
                Packet(encoded_packet=packet.data)
    except (ValueError, KeyError, IndexError, TypeError, RecursionError):
        return True
    return False


class SocketIOInput(RasaSocketIOInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(telling_when_busy(on_new_message))
        sio = self.sio
        rasa_handle_message = sio.handlers[self.namespace or "/"][self.user_message_evt]
        rasa_connect = sio.handlers[self.namespace or "/"]["connect"]

        def address(sid: str) -> Optional[str]:
            # The connection's WSGI-style environ (not the process's environment variables). Its REMOTE_ADDR is
            # always 127.0.0.1 under Sanic (python-engineio's driver): the peer is Sanic's request's.
            connection = sio.get_environ(sid, namespace=self.namespace) or {}
            request = connection.get("sanic.request")
            peer = request.ip if request is not None else None
            return address_key(peer, connection.get("HTTP_X_REAL_IP"), web_abuse_settings().trusted_proxies)

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, connection: Dict[str, Any], auth: Any = None) -> bool:
            # Another site's page may open a socket.io connection: python-socketio checks no origin as Rasa
            # configures it. Refused here, as the REST channel refuses such a page's posts.
            own = f"{connection.get('wsgi.url_scheme', 'http')}://{connection.get('HTTP_HOST', '')}"
            if not origin_allowed(connection.get("HTTP_ORIGIN"), web_abuse_settings(), own):
                logger.warning("socketio: a connection from a page not in ALLOWED_ORIGINS was refused")
                return False
            return await rasa_connect(sid, connection, auth)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            session_id = session_id_of(data)
            if session_id is None:
                # A new conversation, as REST's /session hands out: held by the same limits per address.
                if rate_limiter().over(address(sid), None, opens=True):
                    # Without a conversation every message would be dropped: told, and disconnected, so that the
                    # client's next connection asks again.
                    text = file_response_text("utter_channel_too_many_conversations")
                    await sio.emit(self.bot_message_evt, {"text": text}, room=sid, namespace=self.namespace)
                    await sio.disconnect(sid, namespace=self.namespace)
                    return
                session_id = new_session_id(web_session_key())
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            if not readable_message(data, self.metadata_key) or (self.session_persistence and not session_id_of(data)):
                logger.warning("socketio: a %s event of another shape was ignored", self.user_message_evt)
                return
            if len(data.get("message", "")) > MAX_MESSAGE_LENGTH:
                text = file_response_text("utter_channel_message_too_long")
                await sio.emit(self.bot_message_evt, {"text": text}, room=sid, namespace=self.namespace)
                return
            if rate_limiter().over(address(sid), session_id_of(data) or sid):
                text = file_response_text("utter_channel_too_many_messages")
                await sio.emit(self.bot_message_evt, {"text": text}, room=sid, namespace=self.namespace)
                return
            await rasa_handle_message(sid, data)

        path = "/" + self.socketio_path.strip("/")

        async def refuse_malformed_polling(request: Request) -> Optional[HTTPResponse]:
            polling = request.method == "POST" and request.path.rstrip("/") == path
            if polling and malformed_polling_body(request.body or b""):
                return response.text("malformed Engine.IO payload", status=400)
            return None

        @blueprint.listener("before_server_start")
        async def check_polling_requests(app: Sanic, _: Any) -> None:
            # python-engineio's route is the app's, not the blueprint's: the check goes on the app.
            app.register_middleware(refuse_malformed_polling, "request")

        return blueprint
