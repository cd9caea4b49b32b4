"""The whole assistant for tests: the trained model talking to a real action server."""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import uuid
from typing import List

from bot.wait_for_port import wait_for_port
from tests.nlu_model import ROOT, load_agent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ActionServer:
    """`python -m rasa_sdk` in a child process, as `make run` starts it."""

    def __init__(self, log_path):
        self.port = free_port()
        self.log_path = log_path
        self.process = None

    def __enter__(self) -> "ActionServer":
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        if not wait_for_port("127.0.0.1", self.port, timeout=60):
            self.__exit__()
            raise RuntimeError(f"action server did not start; see {self.log_path}")
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self._log.close()


class Conversation:
    """One person talking to the assistant; `say` returns what the assistant answered."""

    def __init__(self, agent):
        self.agent = agent
        self.sender_id = uuid.uuid4().hex
        self.loop = asyncio.new_event_loop()

    def say(self, text: str) -> List[dict]:
        return self.loop.run_until_complete(self.agent.handle_text(text, sender_id=self.sender_id)) or []

    def say_text(self, text: str) -> str:
        return "\n".join(message.get("text") or "" for message in self.say(text))

    def tracker(self):
        return self.loop.run_until_complete(self.agent.tracker_store.retrieve(self.sender_id))


def start_agent(action_server: ActionServer):
    return load_agent(action_server.url)
