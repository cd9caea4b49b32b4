"""The whole assistant for tests: the trained model talking to a real action server, and the
servers `make run` starts, each a child process with its own log file."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import requests

# Bound before the autouse fixture pins `clock.today`: the servers run on the real calendar.
from bot.domain.clock import today as real_today
from bot.rasa_plugins.channels.web_sessions import new_session_id
from bot.settings import ACTION_SERVER_TOKEN_HEADER
from bot.wait_for_port import wait_for_port
from tests.ports import free_port
from tests.system.nlu_model import MODEL, ROOT, load_agent

# Every Rasa server of the tests signs web conversation ids with this key, so a test can hold ids it did not ask
# the server for, as many as it needs; tests/system/test_channels.py asks the server too.
WEB_SESSION_SECRET = "tests-only-web-session-secret-0123456789"
# Shared by the action servers and the Rasa servers (or agents) a test starts, as a deployment's env file does.
ACTION_SERVER_TOKEN = secrets.token_hex(24)


def web_sender() -> str:
    """A new web conversation id, as the REST channel's /session route hands one out."""
    return new_session_id(WEB_SESSION_SECRET.encode("utf-8"))


def terminate(process: subprocess.Popen) -> None:
    """Asked to stop, then killed when it has not within 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class ChildProcess:
    """A server started as `make run` starts it; stopped on exit; its output kept in `log_path`."""

    def __init__(self, command: Sequence[str], log_path: Path, env: Optional[Dict[str, str]] = None, port=None):
        self.command = list(command)
        self.log_path = Path(log_path)
        # The servers of one test folder share its pending cases, as the servers of one machine do.
        self.env = dict(
            os.environ,
            PYTHONPATH=str(ROOT),
            RASA_TELEMETRY_ENABLED="false",
            PENDING_CASES_DIR=str(self.log_path.parent / "pending-cases"),
        )
        self.env.update(env or {})
        self.port = port
        self.process = None

    def start(self, timeout: float = 60) -> ChildProcess:
        if self.process is not None:
            raise RuntimeError(f"{self.command[:3]} is already running")
        self._log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT
        )
        if self.port and not wait_for_port("127.0.0.1", self.port, timeout=timeout):
            self.stop()
            raise RuntimeError(f"{self.command[:3]} did not start; see {self.log_path}")
        return self

    def kill(self) -> None:
        """What a crash or an out-of-memory kill does: no clean shutdown."""
        self.process.kill()
        self.process.wait()
        self.process = None
        self._log.close()

    def stop(self) -> None:
        if self.process is not None:
            terminate(self.process)
            self.process = None
            self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def wait_for(condition, timeout=30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def consultation_script(number: int) -> List[str]:
    """Ten turns from the refusal to a stored consultation request, as the servers' calendar runs."""
    decision = (real_today() - timedelta(days=3)).strftime("%d/%m/%Y")
    return [
        "mon test de langue a expiré, j'avais fait ma demande au PTQF",
        "/affirm",
        '/inform{"location":"in_canada"}',
        decision,
        "/request_consultation",
        "J'accepte",
        f"Awa Diop, awa.diop{number}@example.org",
        "passer",
        "le matin",
        "/affirm",
    ]


class ActionServer(ChildProcess):
    """rasa_sdk behind its token check (`python -m bot.rasa_plugins.action_server`), with its own database
    unless one is given."""

    def __init__(self, log_path, env: Optional[Dict[str, str]] = None):
        port = free_port()
        env = dict(env or {})
        env.setdefault("DATABASE_URL", f"sqlite:///{Path(log_path).parent / 'actions.db'}")
        env.setdefault("ACTION_SERVER_TOKEN", ACTION_SERVER_TOKEN)
        command = [sys.executable, "-m", "bot.rasa_plugins.action_server", "--actions", "actions", "--port", str(port)]
        super().__init__(command, log_path, env, port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"


class RasaServer(ChildProcess):
    """`rasa run` with the project's credentials.yml and endpoints-gateway.yml, as a deployment runs it.

    Rasa reaches the action servers through its gateway route on its own port (ACTION_SERVER_URLS),
    keeps the history in DATABASE_URL and takes the conversation lock in the local Redis.
    """

    def __init__(self, log_path, action_url: str, env: Dict[str, str], extra_args: Sequence[str] = (), port=None):
        port = port or free_port()
        # Its own Redis keys: message ids and choices of an earlier run are not this run's.
        env = {
            "RASA_PORT": str(port),
            "ACTION_SERVER_URLS": action_url,
            "REDIS_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "WEB_SESSION_SECRET": WEB_SESSION_SECRET,
            "ACTION_GATEWAY_TOKEN": secrets.token_hex(24),
            "ACTION_SERVER_TOKEN": ACTION_SERVER_TOKEN,
            **env,
        }
        command = [
            sys.executable,
            "-m",
            "rasa",
            "run",
            "--model",
            str(MODEL),
            "--endpoints",
            str(ROOT / "endpoints-gateway.yml"),
            "--credentials",
            str(ROOT / "credentials.yml"),
            "--port",
            str(port),
            "--interface",
            "127.0.0.1",
            *extra_args,
        ]
        super().__init__(command, log_path, env, port)

    def start(self, timeout: float = 180) -> RasaServer:
        super().start(timeout)
        # The port opens before the model is loaded: wait until a message is answered.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/", timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"rasa did not get ready; see {self.log_path}")

    def say(self, sender: str, text: str) -> str:
        response = requests.post(
            f"http://127.0.0.1:{self.port}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=60,
        )
        response.raise_for_status()
        return "\n".join(message.get("text") or "" for message in response.json())


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
    return load_agent(action_server.url, {ACTION_SERVER_TOKEN_HEADER: ACTION_SERVER_TOKEN})
