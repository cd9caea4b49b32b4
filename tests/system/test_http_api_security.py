"""Rasa's HTTP API can replace the model and read or write every conversation (CVE-2024-49375:
remote model loading through an open API). It is off unless the firm sets a token or a JWT secret,
and then nothing of it answers without one.

The API-enabled server is tests/system/channel_stack.py's, shared with test_hostile_input.py.
"""

from __future__ import annotations

import os
import subprocess

import pytest
from sanic import Sanic
from sanic.exceptions import MethodNotSupported, NotFound

from tests.system.nlu_model import ROOT

pytestmark = pytest.mark.system

# Every kind of route the API adds: the model, training, trackers, messages, the domain.
PROTECTED = [
    ("GET", "/status"),
    ("PUT", "/model"),
    ("DELETE", "/model"),
    ("POST", "/model/train"),
    ("POST", "/model/parse"),
    ("POST", "/model/test/intents"),
    ("GET", "/domain"),
    ("GET", "/conversations/x/tracker"),
    ("PUT", "/conversations/x/tracker/events"),
    ("POST", "/conversations/x/messages"),
    ("POST", "/conversations/x/execute"),
]


@pytest.mark.parametrize("method, path", PROTECTED)
def test_no_route_of_the_api_answers_without_the_token(channel_stack, method, path):
    url = channel_stack.base + path
    body = {"model_file": "/tmp/attacker.tar.gz", "text": "bonjour", "sender": "user", "name": "action_listen"}
    for params in ({}, {"token": "wrong"}, {"token": ""}, {"token": channel_stack.api_token[:-1]}):
        answer = channel_stack.http.request(method, url, params=params, json=body, timeout=30)
        assert answer.status_code in (401, 403), (method, path, params, answer.status_code)
    # A bearer header is not the token either (Rasa reads it only as a JWT, which is not configured here).
    headers = {"Authorization": f"Bearer {channel_stack.api_token}"}
    assert channel_stack.http.request(method, url, headers=headers, json=body, timeout=30).status_code in (401, 403)


def test_the_token_opens_it(channel_stack):
    token = {"token": channel_stack.api_token}
    status = channel_stack.http.get(f"{channel_stack.base}/status", params=token, timeout=30)
    assert status.status_code == 200
    assert status.json()["model_file"].endswith("assistant.tar.gz")


def test_only_the_version_is_public(channel_stack):
    # Rasa serves /version to anyone, API or not: the version numbers and nothing else.
    version = channel_stack.http.get(f"{channel_stack.base}/version", timeout=30)
    assert version.status_code == 200
    assert set(version.json()) == {"version", "minimum_compatible_version"}


def rasa_app(monkeypatch, **api):
    """The Sanic app `rasa run` builds with credentials.yml's channels, without loading the model."""
    from rasa.core.run import configure_app, create_http_input_channels

    monkeypatch.setattr(Sanic, "test_mode", True)  # the same app names, built twice in one process
    app = configure_app(create_http_input_channels(None, str(ROOT / "credentials.yml")), **api)
    app.router.finalize()
    return app


def status_of(app, method: str, path: str) -> int:
    try:
        app.router.get(path, method, None)
    except NotFound:
        return 404
    except MethodNotSupported:
        return 405
    return 200


def test_without_enable_api_rasa_has_no_api_at_all(monkeypatch):
    default = rasa_app(monkeypatch, enable_api=False)
    for method, path in PROTECTED:
        assert status_of(default, method, path) in (404, 405), (method, path)
    assert status_of(default, "POST", "/webhooks/rest/webhook") == 200
    # The same check finds the API when it is on: it can fail.
    with_api = rasa_app(monkeypatch, enable_api=True, auth_token="t")
    assert all(status_of(with_api, method, path) == 200 for method, path in PROTECTED)


def make_serve(**env) -> subprocess.CompletedProcess:
    """`make -n serve`: the commands `make serve` would run, printed and not run."""
    clean = {
        key: value for key, value in os.environ.items() if not key.startswith(("RASA_API", "RASA_JWT", "RASA_ENABLE"))
    }
    return subprocess.run(
        ["make", "-n", "serve"], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def rasa_run_line(output: str) -> str:
    start = output.index(" run --model")
    return output[start : output.index("\n", output.index("--interface", start))]


def test_make_serve_and_run_leave_the_api_off_by_default():
    assert "--enable-api" not in rasa_run_line(make_serve().stdout)
    run = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "--enable-api" not in run.stdout


def test_make_serve_turns_the_api_on_only_with_a_token_or_a_jwt_secret():
    token = rasa_run_line(make_serve(RASA_API_TOKEN="s3cret").stdout)
    assert '--enable-api --auth-token "$RASA_API_TOKEN"' in token and "s3cret" not in token
    jwt = rasa_run_line(make_serve(RASA_JWT_SECRET="k").stdout)
    assert '--enable-api --jwt-secret "$RASA_JWT_SECRET" --jwt-method "HS256"' in jwt
    assert '--jwt-method "RS256"' in rasa_run_line(make_serve(RASA_JWT_SECRET="k", RASA_JWT_METHOD="RS256").stdout)


@pytest.mark.parametrize("env", [{"RASA_ENABLE_API": "1"}, {"RASA_ENABLE_API": "true"}, {"RASA_JWT_METHOD": "HS256"}])
def test_make_serve_refuses_an_api_without_authentication(env):
    refused = make_serve(**env)
    assert refused.returncode != 0
    assert "refusing to open it without authentication" in refused.stderr
    assert " run --model" not in refused.stdout
