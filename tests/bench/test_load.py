import asyncio

import pytest
from aiohttp import web

from bench.load import (
    FLOOD_ADDRESS,
    REST_PATH,
    SESSION_PATH,
    Turn,
    answer_problem,
    closed_loop,
    summarise,
    under_flood,
)
from tests.ports import free_port

pytestmark = pytest.mark.unit


def test_only_turns_finished_inside_the_window_count():
    turns = [
        Turn(finished=0.5, latency_ms=900, error=None),  # warm-up
        Turn(finished=1.0, latency_ms=10, error=None),
        Turn(finished=2.0, latency_ms=20, error=None),
        Turn(finished=2.5, latency_ms=5, error="HTTP 500"),
        Turn(finished=2.9, latency_ms=30, error=None),
        Turn(finished=3.0, latency_ms=900, error=None),  # after the window
    ]
    summary = summarise(turns, warmup=1.0, duration=2.0, concurrency=3)
    assert summary["turns"] == 3
    assert summary["errors"] == 1 and summary["error_kinds"] == ["HTTP 500"]
    assert summary["turns_per_second"] == pytest.approx(1.5)
    assert summary["p50"] == pytest.approx(20)
    assert summary["concurrency"] == 3


@pytest.mark.parametrize(
    "status, body, problem",
    [
        (200, [{"recipient_id": "x", "text": "Bonjour"}], None),
        (200, [{"recipient_id": "x", "buttons": [{"title": "Oui"}]}], None),
        (200, [], "empty answer"),
        (200, [{"recipient_id": "x", "text": ""}], "empty answer"),
        (200, {"error": "?"}, "empty answer"),
        (500, None, "HTTP 500"),
    ],
)
def test_an_answer_must_hold_something_to_read(status, body, problem):
    assert answer_problem(status, body) == problem


async def with_stand_in(session_route, message_route, load):
    """Runs `load(base_url)` against a local stand-in for the REST channel with these two routes."""
    app = web.Application()
    app.router.add_post(SESSION_PATH, session_route)
    app.router.add_post(REST_PATH, message_route)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        return await load(f"http://127.0.0.1:{port}")
    finally:
        await runner.cleanup()


def test_the_flood_and_the_people_write_from_their_own_addresses_and_the_flood_s_answers_are_counted():
    """A local stand-in for the REST channel: records each request's address, refuses the flood's messages."""
    seen: dict = {"people": set(), "flood": 0}

    async def session_route(request):
        return web.json_response({"sender": f"s{len(seen['people'])}"})

    async def message_route(request):
        address = request.headers.get("X-Real-IP")
        if address == FLOOD_ADDRESS:
            seen["flood"] += 1
            return web.json_response([{"text": "trop de messages"}], status=429)
        seen["people"].add(address)
        return web.json_response([{"text": "Bonjour"}])

    def load(url):
        return under_flood([url], {"hi": ["bonjour"]}, 3, 0.0, 0.5, 20, pause=0)

    figures = asyncio.run(with_stand_in(session_route, message_route, load))
    assert figures["flood_statuses"] == {"429": 10} == {"429": seen["flood"]}
    assert len(seen["people"]) == 3 and FLOOD_ADDRESS not in seen["people"]
    assert figures["errors"] == 0 and figures["turns"] > 0


def test_a_person_s_pause_comes_between_turns_and_does_not_hold_the_load_open():
    """Three people with a 60 s pause in a 2 s load: the first sends one turn and waits; the others' first
    turns would come 20 and 40 s in, after the end, so they send nothing; the load still ends on time."""
    messages = []

    async def session_route(request):
        return web.json_response({"sender": "s"})

    async def message_route(request):
        messages.append((await request.json())["message"])
        return web.json_response([{"text": "Bonjour"}])

    def load(url):
        return asyncio.wait_for(closed_loop([url], {"hi": ["un", "deux"]}, 3, 0.0, 2.0, pause=60), timeout=30)

    asyncio.run(with_stand_in(session_route, message_route, load))
    assert messages == ["un"]
