"""The rate limits on a real `rasa run` with the local Redis: a flooding client is held back, the people
writing at the same time are not (bot/rasa_plugins/channels/rate_limits.py)."""

from __future__ import annotations

import asyncio
import threading

import pytest
import requests

from bench.serving import stored_handoffs
from bot.rasa_plugins.lock_store import AtomicRedisLockStore
from bot.storage.database import upgrade
from bot.texts import file_response_text
from tests.system.assistant import ActionServer, RasaServer, consultation_script, web_sender

pytestmark = pytest.mark.system

PER_CONVERSATION = 12
PER_ADDRESS = 20
OPENED_PER_ADDRESS = 8
QUEUE = 3
PEOPLE = 20


@pytest.fixture(scope="module")
def rasa(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rate-limits")
    env = {
        "DATABASE_URL": f"sqlite:///{folder / 'assistant.db'}",
        "RATE_LIMIT_PER_CONVERSATION": str(PER_CONVERSATION),
        "RATE_LIMIT_PER_ADDRESS": str(PER_ADDRESS),
        # The per-second limit is the unit tests' (a fake clock): here no count may depend on the machine's speed.
        "RATE_LIMIT_PER_ADDRESS_PER_SECOND": str(PER_ADDRESS),
        "RATE_LIMIT_NEW_CONVERSATIONS_PER_ADDRESS": str(OPENED_PER_ADDRESS),
        # Long enough that no count starts again while a test runs, however slow the machine.
        "RATE_LIMIT_WINDOW_SECONDS": "600",
        "ALLOWED_ORIGINS": "https://cabinet.example",
        "CONVERSATION_QUEUE_LIMIT": str(QUEUE),
    }
    # The schema a deployment migrates to, so that the cases are stored in the database, not left pending.
    upgrade(env["DATABASE_URL"])
    with ActionServer(folder / "actions.log", env) as actions:
        with RasaServer(folder / "rasa.log", actions.url, env) as server:
            yield server


def post(rasa, sender: str, message: str, address: str | None = None, **headers: str) -> requests.Response:
    # As nginx forwards it: the client's address in X-Real-IP, from this machine.
    if address:
        headers["X-Real-IP"] = address
    url = f"http://127.0.0.1:{rasa.port}/webhooks/rest/webhook"
    return requests.post(url, json={"sender": sender, "message": message}, headers=headers, timeout=60)


def test_one_conversation_past_its_limit_is_told_to_wait_and_the_others_go_on(rasa):
    sender = web_sender()
    answers = [post(rasa, sender, "bonjour") for _ in range(PER_CONVERSATION + 1)]
    assert [a.status_code for a in answers] == [200] * PER_CONVERSATION + [429]
    assert answers[-1].json() == [
        {"recipient_id": sender, "text": file_response_text("utter_channel_too_many_messages")}
    ]
    assert answers[-1].headers["Retry-After"]
    assert post(rasa, web_sender(), "bonjour").ok


def test_fresh_conversations_from_one_address_are_held_by_the_address_limit(rasa):
    statuses = [post(rasa, web_sender(), "bonjour", "198.51.100.7").status_code for _ in range(PER_ADDRESS + 2)]
    assert statuses == [200] * PER_ADDRESS + [429, 429]
    # Another subscriber is not: IPv6 counts per /64.
    assert post(rasa, web_sender(), "bonjour", "2001:db8:7::1").ok


def test_an_address_opens_only_so_many_conversations_and_goes_on_in_those_it_has(rasa):
    url = f"http://127.0.0.1:{rasa.port}/webhooks/rest/session"
    headers = {"X-Real-IP": "198.51.100.9"}
    answers = [requests.post(url, json={}, headers=headers, timeout=30) for _ in range(OPENED_PER_ADDRESS + 1)]
    assert [a.status_code for a in answers] == [200] * OPENED_PER_ADDRESS + [429]
    assert answers[-1].json()[0]["text"] == file_response_text("utter_channel_too_many_conversations")
    assert post(rasa, answers[0].json()["sender"], "bonjour", "198.51.100.9").ok


def test_socketio_opens_only_so_many_conversations_for_one_address_and_keeps_those_it_has(rasa):
    import socketio

    url = f"http://127.0.0.1:{rasa.port}"
    headers = {"X-Real-IP": "198.51.100.31"}

    async def ask(requests_sent: list):
        client = socketio.AsyncClient(reconnection=False)
        confirmed, texts = [], []
        answered, gone = asyncio.Event(), asyncio.Event()

        @client.on("session_confirm")
        async def on_confirm(session_id):
            confirmed.append(session_id)
            answered.set()

        @client.on("bot_uttered")
        async def on_bot(message):
            texts.append(message.get("text"))
            answered.set()

        @client.on("disconnect")
        async def on_disconnect():
            gone.set()

        await client.connect(url, socketio_path="/socket.io", transports=["polling"], headers=headers)
        for data in requests_sent:
            answered.clear()
            await client.emit("session_request", data)
            await asyncio.wait_for(answered.wait(), 10)
        if texts:
            # Refused a conversation, the client is let go: its next connection asks again.
            await asyncio.wait_for(gone.wait(), 10)
        else:
            await client.disconnect()
        return confirmed, texts

    confirmed, texts = asyncio.run(ask([{}] * (OPENED_PER_ADDRESS + 1)))
    assert len(set(confirmed)) == OPENED_PER_ADDRESS
    assert texts == [file_response_text("utter_channel_too_many_conversations")]
    # A conversation it already holds is joined again, past the limit on opening new ones.
    again, texts = asyncio.run(ask([{"session_id": confirmed[0]}]))
    assert again == [confirmed[0]] and texts == []


def test_a_page_of_another_site_and_a_body_not_declared_json_are_refused(rasa):
    assert post(rasa, web_sender(), "bonjour", Origin="https://evil.example").status_code == 403
    assert post(rasa, web_sender(), "bonjour", Origin="https://cabinet.example").ok
    url = f"http://127.0.0.1:{rasa.port}/webhooks/rest/webhook"
    simple = requests.post(
        url, data=b'{"sender": "p-plain", "message": "bonjour"}', headers={"Content-Type": "text/plain"}
    )
    assert simple.status_code == 415


def test_a_flood_at_ten_times_the_limit_does_not_cost_the_people_writing_meanwhile(rasa):
    flooder = "203.0.113.66"
    flood_statuses: list = []
    people_statuses: dict = {}

    def flood() -> None:
        for _ in range(PER_ADDRESS * 10):
            flood_statuses.append(post(rasa, web_sender(), "bonjour", flooder).status_code)

    def converse(number: int) -> None:
        sender, address = web_sender(), f"192.0.2.{number + 1}"
        people_statuses[number] = [
            post(rasa, sender, text, address).status_code for text in consultation_script(number)
        ]

    # Each on its own thread, all started together: the people write while the flood runs.
    threads = [threading.Thread(target=flood) for _ in range(3)] + [
        threading.Thread(target=converse, args=(number,)) for number in range(PEOPLE)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Every turn of every person was answered and every request reached the firm; the flood got through only up
    # to its address's limit.
    assert all(status == 200 for turns in people_statuses.values() for status in turns)
    assert len(people_statuses) == PEOPLE
    assert stored_handoffs(rasa.env["DATABASE_URL"]) == PEOPLE
    assert flood_statuses.count(200) <= PER_ADDRESS
    assert set(flood_statuses) == {200, 429}


def test_messages_past_a_conversation_s_queue_are_answered_in_french_and_the_queued_ones_served(rasa):
    sender = web_sender()
    busy = [{"recipient_id": sender, "text": file_response_text("utter_channel_too_many_messages")}]

    async def scenario():
        # The server's own lock (endpoints-gateway.yml's key prefix), held here as a long message would hold it.
        store = AtomicRedisLockStore(key_prefix="entree-express", queue_limit=QUEUE)
        loop = asyncio.get_running_loop()
        async with store.lock(sender, lock_lifetime=120):
            posts = [loop.run_in_executor(None, post, rasa, sender, "bonjour") for _ in range(QUEUE + 1)]
            # QUEUE - 1 wait behind the held message; the other two are answered while it is still held.
            done, waiting = await asyncio.wait(posts, timeout=60, return_when=asyncio.FIRST_COMPLETED)
            while len(done) < 2:
                more, waiting = await asyncio.wait(waiting, timeout=60, return_when=asyncio.FIRST_COMPLETED)
                assert more, "no answer while the conversation's queue was full"
                done |= more
            refused = [task.result() for task in done]
        served = [await task for task in waiting]
        return refused, served

    refused, served = asyncio.run(scenario())
    assert [(answer.status_code, answer.json()) for answer in refused] == [(200, busy)] * 2
    assert len(served) == QUEUE - 1
    assert all(answer.ok and answer.json() and answer.json() != busy for answer in served)
