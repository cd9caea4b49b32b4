"""`python -m bot.wait_for_port HOST PORT`: wait until a server accepts connections (start-up scripts)."""

from __future__ import annotations

import socket
import sys
import time

TIMEOUT_SECONDS = 120


def wait_for_port(host: str, port: int, timeout: float = TIMEOUT_SECONDS) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


if __name__ == "__main__":
    sys.exit(0 if wait_for_port(sys.argv[1], int(sys.argv[2])) else 1)
