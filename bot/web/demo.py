"""The demo page of the firm with the chat widget: `python -m bot.web.demo` (started by `make serve`).

Serves only its own few files: the page, the widget's script and style, and the widget's words
taken from domain.yml. In production any web server can serve bot/web/; the page only needs
the two lines that load the widget.
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, List, Optional, Union

from bot.settings import MAX_FILE_BYTES
from bot.texts import file_response_text, responses_with_prefix

WEB = Path(__file__).resolve().parent
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


def widget_texts() -> Dict[str, Union[str, int]]:
    """texts.json: the widget's words (utter_widget_*), and what it needs to refuse a file as the server would.

    texts.json is the one thing generated from Python that every page loading the widget gets (deploy/README.md
    writes it from this function), so the file limit travels with the words. Its answer is the server's own
    response to a file too large, not a widget copy of it.
    """
    texts: Dict[str, Union[str, int]] = dict(responses_with_prefix("utter_widget_"))
    texts["too_large"] = file_response_text("utter_letter_file_too_large")
    texts["max_file_bytes"] = MAX_FILE_BYTES
    return texts


class DemoHandler(BaseHTTPRequestHandler):
    server_version = "demo"

    def __init__(self, *args, rasa_url: str, **kwargs):
        self.rasa_url = rasa_url
        super().__init__(*args, **kwargs)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        # Scripts from this server only; the page talks to the assistant and nowhere else.
        self.send_header(
            "Content-Security-Policy",
            f"default-src 'self'; connect-src 'self' {self.rasa_url}; script-src 'self'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'",
        )
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            page = (WEB / "index.html").read_text(encoding="utf-8").replace("{{RASA_URL}}", self.rasa_url)
            self._send(200, page.encode("utf-8"), "text/html; charset=utf-8")
        elif path == "/widget/texts.json":
            self._send(200, json.dumps(widget_texts(), ensure_ascii=False).encode("utf-8"), "application/json")
        elif path in ("/widget/widget.js", "/widget/widget.css"):
            file = WEB / path.rsplit("/", 1)[1]
            self._send(200, file.read_bytes(), TYPES[file.suffix])
        else:
            self._send(404, b"not found", "text/plain; charset=utf-8")

    def log_message(self, format: str, *args) -> None:
        # Paths only, which hold nothing personal; the default would also print client addresses.
        sys.stderr.write("bot.web.demo %s\n" % (format % args))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.web.demo", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--rasa-url", default="http://127.0.0.1:5005")
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer((args.host, args.port), partial(DemoHandler, rasa_url=args.rasa_url.rstrip("/")))
    print(f"demo page on http://{args.host}:{args.port}/ (assistant at {args.rasa_url})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
