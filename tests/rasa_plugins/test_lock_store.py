"""The conversation lock against the local Redis, with two stores standing for two Rasa replicas."""
from __future__ import annotations

import asyncio
import logging
import uuid

import pytest
import redis
from rasa.core.lock_store import LockError

from bot.rasa_plugins.lock_store import AtomicRedisLockStore
from tests.system.assistant import free_port

pytestmark = pytest.mark.integration

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(autouse=True)
def local_redis():
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")


def _store(**kwargs) -> AtomicRedisLockStore:
    kwargs.setdefault("url", REDIS_URL)
    kwargs.setdefault("key_prefix", f"test-{uuid.uuid4().hex[:8]}")
    return AtomicRedisLockStore(**kwargs)


async def _hold(store, conversation_id, log, name, inside, seconds=0.01):
    async with store.lock(conversation_id):
        inside.append(name)
        assert len(inside) == 1, f"{inside} hold the lock together"
        log.append(name)
        await asyncio.sleep(seconds)
        inside.remove(name)


def test_two_replicas_never_hold_one_conversation_together_and_serve_in_arrival_order():
    async def scenario():
        prefix = f"test-{uuid.uuid4().hex[:8]}"
        replicas = [_store(key_prefix=prefix), _store(key_prefix=prefix)]
        log, inside, tasks = [], [], []
        for number in range(30):
            tasks.append(asyncio.create_task(_hold(replicas[number % 2], "c1", log, number, inside)))
            # Each message reaches Redis before the next is sent, as a person's messages do.
            await asyncio.sleep(0.002)
        await asyncio.gather(*tasks)
        return log

    assert asyncio.run(scenario()) == list(range(30))


def test_other_conversations_do_not_wait():
    async def scenario():
        store = _store()
        slow_inside, fast_log = [], []
        slow = asyncio.create_task(_hold(store, "slow", [], "s", slow_inside, seconds=0.5))
        await asyncio.sleep(0.05)
        started = asyncio.get_running_loop().time()
        await _hold(store, "fast", fast_log, "f", [])
        waited = asyncio.get_running_loop().time() - started
        await slow
        return waited

    assert asyncio.run(scenario()) < 0.3


def test_a_replica_that_dies_holding_the_lock_lets_the_next_message_in_when_its_ticket_expires():
    async def scenario():
        prefix = f"test-{uuid.uuid4().hex[:8]}"
        dead, alive = _store(key_prefix=prefix), _store(key_prefix=prefix)
        # A ticket taken and never given back: the replica was killed mid-message.
        await dead._take_ticket("c1", lifetime=0.3)
        started = asyncio.get_running_loop().time()
        async with alive.lock("c1"):
            return asyncio.get_running_loop().time() - started

    assert 0.25 <= asyncio.run(scenario()) < 2


def test_a_waiter_whose_own_ticket_expires_gets_a_lock_error():
    async def scenario():
        store = _store()
        async with store.lock("c1", lock_lifetime=30):
            ticket = await store._take_ticket("c1", lifetime=0.1)
            await store._wait_for_turn("c1", ticket)

    with pytest.raises(LockError):
        asyncio.run(scenario())


def test_nothing_is_left_in_redis_once_every_message_is_served():
    async def scenario(store):
        await asyncio.gather(*(_hold(store, "c1", [], n, []) for n in range(5)))

    store = _store()
    asyncio.run(scenario(store))
    client = redis.Redis.from_url(REDIS_URL)
    keys = client.keys(f"{store.key_prefix}:*")
    # Only the ticket counter stays, and it expires by itself.
    assert [key.decode() for key in keys] == [f"{store.key_prefix}:{{c1}}:next"]
    assert 0 < client.pttl(keys[0]) <= 600_000


def test_redis_down_is_logged_once_and_messages_are_still_served_one_at_a_time(caplog):
    async def scenario(store):
        log, inside = [], []
        await asyncio.gather(*(_hold(store, "c1", log, n, inside) for n in range(5)))
        return log

    store = _store(url=f"redis://127.0.0.1:{free_port()}/0")
    with caplog.at_level(logging.WARNING, logger="bot.rasa_plugins.lock_store"):
        log = asyncio.run(scenario(store))
    assert sorted(log) == list(range(5))
    errors = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(errors) == 1 and "Redis lock store unreachable" in errors[0].getMessage()
    assert "c1" not in caplog.text


def test_the_store_goes_back_to_redis_when_it_answers_again(caplog):
    async def scenario(store):
        async with store.lock("c1"):
            pass
        store._redis = redis.asyncio.Redis.from_url(REDIS_URL)
        for name, script in (("_issue", store._issue), ("_position", store._position), ("_release", store._release)):
            setattr(store, name, store._redis.register_script(script.script))
        store.health._down_since -= store.health.RETRY_AFTER_SECONDS
        async with store.lock("c1"):
            return await store._redis.exists(f"{store.key_prefix}:{{c1}}:queue")

    store = _store(url=f"redis://127.0.0.1:{free_port()}/0")
    with caplog.at_level(logging.WARNING, logger="bot.rasa_plugins.lock_store"):
        assert asyncio.run(scenario(store)) == 1
    assert "reachable again" in caplog.text
