"""`rasa shell` as a Rasa developer runs it: the trained model, endpoints.yml, a real action server, in a
terminal (a pseudo-terminal here, so that Rasa's arrow-key menus run as they do for a person)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

# Bound before the autouse fixture pins `clock.today`: the action server runs on the real calendar.
from bot.domain.clock import today as real_today
from tests.ports import free_port
from tests.system.assistant import ACTION_SERVER_TOKEN, ActionServer, terminate
from tests.system.nlu_model import MODEL, ROOT

pytestmark = pytest.mark.system

# Terminal colours and cursor moves, which prompt_toolkit and Rasa's coloured output write around the text.
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-B]|\r")
# prompt_toolkit asks the terminal where its cursor is; a terminal answers, and so does this one.
CURSOR_POSITION_REQUEST = b"\x1b[6n"
UP, ENTER = "\x1b[A", "\r"


class Terminal:
    """A program in a pseudo-terminal of 200 columns: what it wrote so far, and keys typed into it."""

    def __init__(self, command, env, log_path: Path):
        self.master, slave = pty.openpty()
        os.set_blocking(self.master, False)
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=slave, stdout=slave, stderr=slave, start_new_session=True
        )
        os.close(slave)
        self.raw = b""
        self.seen = 0  # where the next `expect` starts reading
        self.log_path = log_path

    def _read(self, seconds: float) -> None:
        ready, _, _ = select.select([self.master], [], [], seconds)
        if not ready:
            return
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # the program ended
            return
        if CURSOR_POSITION_REQUEST in chunk:
            os.write(self.master, b"\x1b[1;1R")
        self.raw += chunk
        self.log_path.write_bytes(self.raw)

    @property
    def text(self) -> str:
        return ESCAPES.sub("", self.raw.decode("utf-8", errors="replace"))

    def expect(self, needle: str, timeout: float = 120) -> str:
        """Waits until `needle` appears after what was already expected; returns the text up to it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.text.find(needle, self.seen)
            if found >= 0:
                part = self.text[self.seen : found + len(needle)]
                self.seen = found + len(needle)
                return part
            if self.process.poll() is not None:
                self._read(0.5)
                break
            self._read(0.5)
        raise AssertionError(f"not seen within {timeout} s: {needle!r}; the terminal: {self.log_path}")

    def type(self, keys: str) -> None:
        """Typed one key at a time, as a person types; an arrow key's escape sequence goes whole."""
        for key in [keys] if keys == UP else list(keys):
            os.write(self.master, key.encode("utf-8"))
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process.poll() is None:
            terminate(self.process)
        os.close(self.master)


@pytest.fixture
def shell(tmp_path):
    with ActionServer(tmp_path / "actions.log") as actions:
        # endpoints.yml as it is, but for the action server's port: 5055 may be taken on a test machine.
        endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
        assert endpoints["action_endpoint"]["url"] == "http://localhost:5055/webhook"
        endpoints["action_endpoint"]["url"] = actions.url
        (tmp_path / "endpoints.yml").write_text(yaml.safe_dump(endpoints), encoding="utf-8")
        env = dict(
            os.environ,
            PYTHONPATH=str(ROOT),
            RASA_TELEMETRY_ENABLED="false",
            TERM="xterm",
            DATABASE_URL=f"sqlite:///{tmp_path / 'rasa.db'}",
            PENDING_CASES_DIR=str(tmp_path / "pending-cases"),
            ACTION_SERVER_TOKEN=ACTION_SERVER_TOKEN,
        )
        command = [sys.executable, "-m", "rasa", "shell", "--model", str(MODEL), "--endpoints"]
        command += [str(tmp_path / "endpoints.yml"), "--port", str(free_port())]
        terminal = Terminal(command, env, tmp_path / "terminal.log")
        try:
            yield terminal
        finally:
            terminal.stop()


def test_rasa_shell_runs_a_story_to_the_remedies_with_the_real_actions(shell):
    shell.expect("Your input ->", timeout=180)
    shell.type("mon test de langue a expiré, j'avais fait ma demande au PTQF" + ENTER)
    # The restatement's buttons come as an arrow-key menu; its last entry lets the person type instead.
    shell.expect("Si je comprends bien")
    shell.expect("Type out your own message")
    shell.type(UP)
    shell.type(ENTER)
    shell.expect("Your input ->")
    # A button's number, typed: the first button ("Oui").
    shell.type("1" + ENTER)
    shell.expect("au Canada ou à l'étranger")
    shell.expect("Type out your own message")
    # The menu itself: Enter picks the highlighted first button, "Au Canada".
    shell.type(ENTER)
    shell.expect("À quelle date")
    shell.expect("Your input ->")
    decision = real_today() - timedelta(days=3)
    shell.type(decision.strftime("%d/%m/%Y") + ENTER)
    remedies = shell.expect("Souhaitez-vous une consultation")
    assert "réexamen" in remedies and "Contrôle judiciaire" in remedies
    assert "au plus tard le" in remedies
    # No traceback, no failed action, no "not understood" anywhere on the way.
    for failure in ("Traceback", "Failed to execute custom action", "Not Found", "n'ai pas bien compris"):
        assert failure not in shell.text, failure
