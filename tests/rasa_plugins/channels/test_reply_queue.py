"""Replies a platform could not take are sent again, in order (bot/rasa_plugins/channels/reply_queue.py)."""

from __future__ import annotations

import asyncio
from typing import List

import pytest

from bot.rasa_plugins.channels.choices import ChoiceMemory
from bot.rasa_plugins.channels.reply_queue import PlatformUnavailable, ReplyQueue, worth_retrying
from bot.rasa_plugins.channels.whatsapp import WhatsAppOutput
from bot.settings import MetaAppSettings
from tests.ports import free_port

pytestmark = pytest.mark.unit


class Platform:
    """A platform that is down until told otherwise, and keeps what it received."""

    def __init__(self, up: bool = True):
        self.up = up
        self.received: List[str] = []

    def delivery(self, text: str):
        async def deliver() -> None:
            if not self.up:
                raise PlatformUnavailable("503")
            self.received.append(text)

        return deliver


async def until(condition, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("not within the time given")


@pytest.fixture
def queue(monkeypatch):
    monkeypatch.setattr(ReplyQueue, "FIRST_WAIT_SECONDS", 0.01)
    monkeypatch.setattr(ReplyQueue, "LONGEST_WAIT_SECONDS", 0.05)
    return ReplyQueue()


def test_a_reply_goes_out_at_once_when_the_platform_is_up(queue):
    platform = Platform()
    asyncio.run(queue.send("whatsapp:1", platform.delivery("Bonjour")))
    assert platform.received == ["Bonjour"] and queue.waiting() == 0


def test_replies_wait_while_the_platform_is_down_then_arrive_once_in_order(queue):
    platform = Platform(up=False)

    async def conversation():
        for text in ("un", "deux", "trois"):
            await queue.send("whatsapp:1", platform.delivery(text))
        assert queue.waiting() == 3 and platform.received == []
        await asyncio.sleep(0.1)
        platform.up = True
        # A reply of the same conversation sent now goes behind those still waiting.
        await queue.send("whatsapp:1", platform.delivery("quatre"))
        await until(lambda: queue.waiting() == 0)

    asyncio.run(conversation())
    assert platform.received == ["un", "deux", "trois", "quatre"]


def test_another_conversation_is_not_held_behind_a_waiting_one(queue):
    down, up = Platform(up=False), Platform()

    async def both():
        await queue.send("whatsapp:1", down.delivery("attend"))
        await queue.send("messenger:2", up.delivery("passe"))
        assert up.received == ["passe"]
        down.up = True
        await until(lambda: queue.waiting() == 0)

    asyncio.run(both())
    assert down.received == ["attend"]


def test_a_reply_that_fails_for_good_is_dropped_and_the_next_ones_go_out(queue):
    platform = Platform(up=False)

    async def broken() -> None:
        raise ValueError("not a reply the platform will ever take")

    async def run():
        await queue.send("whatsapp:1", platform.delivery("un"))
        await queue.send("whatsapp:1", broken)
        await queue.send("whatsapp:1", platform.delivery("trois"))
        platform.up = True
        await until(lambda: queue.waiting() == 0)

    asyncio.run(run())
    assert platform.received == ["un", "trois"]


@pytest.mark.parametrize(
    "status, again", [(200, False), (400, False), (404, False), (429, True), (500, True), (503, True)]
)
def test_which_answers_are_worth_another_try(status, again):
    assert worth_retrying(status) is again


def test_a_graph_api_out_of_reach_queues_the_reply_instead_of_failing_the_webhook(monkeypatch):
    queue = ReplyQueue()
    monkeypatch.setattr("bot.rasa_plugins.channels.meta.reply_queue", lambda: queue)
    settings = MetaAppSettings("v", "s", "t", f"http://127.0.0.1:{free_port()}", "42")
    output = WhatsAppOutput(settings, ChoiceMemory())

    async def send():
        await output.send_text_message("whatsapp:15145550123", "Bonjour")
        waiting = queue.waiting()
        if queue._drainer:
            queue._drainer.cancel()
        return waiting

    assert asyncio.run(send()) == 1
