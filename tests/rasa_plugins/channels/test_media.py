"""Downloads from the platforms, against two local servers on different ports: the platform's API, which redirects,
and the storage host it redirects to."""

from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import aiohttp
import pytest

from bot.rasa_plugins.channels.media import MediaUnavailable, download

pytestmark = pytest.mark.unit

FILE = b"%PDF-1.4 the letter"


class Recording(BaseHTTPRequestHandler):
    """Answers GET with `routes[path]`: a redirect to a location, or the file; records each Authorization header."""

    routes: dict = {}
    received: list = []

    def do_GET(self):
        type(self).received.append((self.server.server_port, self.path, self.headers.get("Authorization")))
        location = type(self).routes.get(self.path)
        self.send_response(307 if location else 200)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "0" if location else str(len(FILE)))
        self.end_headers()
        if not location:
            self.wfile.write(FILE)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def servers():
    """Two local servers, two origins: (the platform's API, the storage host)."""
    started = [ThreadingHTTPServer(("127.0.0.1", 0), Recording) for _ in range(2)]
    for server in started:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield [f"http://127.0.0.1:{server.server_port}" for server in started]
    for server in started:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def fresh_routes():
    Recording.routes, Recording.received = {}, []


def test_credentials_go_to_the_platform_s_origin_only_never_to_the_host_it_redirects_to(servers):
    platform, storage = servers
    Recording.routes = {"/Media/ME1": f"{storage}/bucket/ME1"}
    auth = aiohttp.BasicAuth("AC0123", "twilio-token")
    assert asyncio.run(download(f"{platform}/Media/ME1", auth=auth)) == FILE
    (_, _, to_platform), (_, path, to_storage) = Recording.received
    assert to_platform == auth.encode()
    assert (path, to_storage) == ("/bucket/ME1", None)


def test_a_bearer_token_is_not_forwarded_either(servers):
    platform, storage = servers
    Recording.routes = {"/media/1": f"{storage}/cdn/1"}
    assert asyncio.run(download(f"{platform}/media/1", headers={"Authorization": "Bearer wa-token"})) == FILE
    assert [header for _, _, header in Recording.received] == ["Bearer wa-token", None]


@pytest.mark.parametrize(
    "location",
    ["ftp://127.0.0.1/letter.pdf", "http://user:password@{platform_host}/Media/ME2", "{platform}/Media/ME1"],
    ids=["another-scheme", "other-credentials-for-the-same-origin", "a-loop"],
)
def test_a_redirect_nowhere_a_file_may_be_is_unavailable(servers, location):
    platform, _ = servers
    Recording.routes = {
        "/Media/ME1": location.format(platform=platform, platform_host=platform.removeprefix("http://"))
    }
    auth = aiohttp.BasicAuth("AC0123", "twilio-token")
    with pytest.raises(MediaUnavailable):
        asyncio.run(download(f"{platform}/Media/ME1", auth=auth))


@pytest.mark.parametrize("url", ["not a url", "http://[::1/letter.pdf", "file:///etc/passwd"])
def test_a_url_no_platform_gives_is_unavailable(url):
    with pytest.raises(MediaUnavailable):
        asyncio.run(download(url))
