"""One `rasa run` with every channel and Rasa's HTTP API behind a random token, for the hostile-input
and HTTP API tests: the action server, a SQLite database in a temporary folder, and a local recorder
standing in for the Graph API and Twilio's Messages API (the same as tests/system/test_channels.py's)."""

from __future__ import annotations

import secrets
import threading
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Iterator, List, Optional
from urllib.parse import urlencode

import requests

from bot.rasa_plugins.channels.signatures import meta_signature
from tests.system.assistant import ActionServer, RasaServer
from tests.system.test_channels import (
    APP_SECRET,
    Platform,
    platform_env,
    twilio_signature,
)


class Recorder(Platform):
    """Its own list of calls, apart from tests/system/test_channels.py's."""

    calls: List[dict] = []


class ChannelStack:
    def __init__(self, rasa: RasaServer, actions: ActionServer, api_token: str):
        self.rasa = rasa
        self.actions = actions
        self.api_token = api_token
        self.http = requests.Session()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.rasa.port}"

    def webhook(self, channel: str) -> str:
        return f"{self.base}/webhooks/{channel}/webhook"

    def alive(self) -> bool:
        return self.rasa.process.poll() is None and self.actions.process.poll() is None

    def post(self, channel: str, body: bytes, headers: Optional[Dict[str, str]] = None) -> requests.Response:
        return self.http.post(self.webhook(channel), data=body, headers=headers or {}, timeout=60)

    def post_meta(self, channel: str, body: bytes) -> requests.Response:
        """`body` signed with the app secret, as Meta signs its deliveries."""
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": meta_signature(APP_SECRET, body)}
        return self.post(channel, body, headers)

    def post_twilio(self, params: Dict[str, str]) -> requests.Response:
        """`params` as a form signed with the auth token, as Twilio signs its requests."""
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": twilio_signature(self.webhook("twilio_whatsapp"), params),
        }
        return self.post("twilio_whatsapp", urlencode(params).encode(), headers)

    @staticmethod
    def sent_to(recipient: str) -> List[dict]:
        """What the Graph API or Twilio was asked to show `recipient`, oldest first."""
        bodies = [call["body"] for call in Recorder.calls]
        return [
            body
            for body in bodies
            if recipient in ((body.get("recipient") or {}).get("id"), body.get("to"), body.get("To"))
        ]


@contextmanager
def channel_stack(folder: Path) -> Iterator[ChannelStack]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    platform = f"http://127.0.0.1:{server.server_port}"
    # Thousands of generated messages, many to one sender: the rate limits have tests of their own
    # (tests/system/test_rate_limits.py), and are out of the way here.
    env = {**platform_env(folder, platform), "RATE_LIMIT_PER_CONVERSATION": "1000000"}
    token = secrets.token_urlsafe(24)
    try:
        with ActionServer(folder / "actions.log", env) as actions:
            rasa = RasaServer(folder / "rasa.log", actions.url, env, ["--enable-api", "--auth-token", token])
            rasa.env["TWILIO_WEBHOOK_URL"] = f"http://127.0.0.1:{rasa.port}/webhooks/twilio_whatsapp/webhook"
            with rasa:
                yield ChannelStack(rasa, actions, token)
    finally:
        server.shutdown()
