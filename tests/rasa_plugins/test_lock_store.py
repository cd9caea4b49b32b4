"""The conversation lock against the local Redis, with two stores standing for two Rasa replicas."""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest
import redis
from rasa.core.lock_store import LockError

from bot.rasa_plugins.lock_store import AtomicRedisLockStore, ConversationBusy
from tests.ports import free_port

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


# A bound on a deadlock, never on speed: each scenario takes well under a second when the store works.
NO_DEADLOCK_SECONDS = 60


def _run(scenario):
    return asyncio.run(asyncio.wait_for(scenario, NO_DEADLOCK_SECONDS))


async def _tickets_taken(store: AtomicRedisLockStore, conversation_id: str) -> int:
    taken = await store._redis.get(store._keys(conversation_id).counter)
    return int(taken or 0)


def test_two_replicas_never_hold_one_conversation_together_and_serve_each_message_once():
    async def scenario():
        prefix = f"test-{uuid.uuid4().hex[:8]}"
        # 30 waiting at once: the queue's cap is not what this test is about.
        replicas = [_store(key_prefix=prefix, queue_limit=30), _store(key_prefix=prefix, queue_limit=30)]
        log, inside = [], []
        # All at once, split between the replicas: `_hold` fails if two ever hold the lock together.
        await asyncio.gather(*(_hold(replicas[n % 2], "c1", log, n, inside) for n in range(30)))
        return log

    assert sorted(_run(scenario())) == list(range(30))


def test_a_message_sent_after_the_previous_one_arrived_is_served_after_it_whichever_replica_gets_it():
    """The guarantee is the ticket order: a person's next message arrives once the previous one has
    taken its ticket, so it is served after it. Each task here is started only once the one before it
    holds a ticket, as a person's sequential turns are."""

    async def scenario():
        prefix = f"test-{uuid.uuid4().hex[:8]}"
        # 30 waiting at once: the queue's cap is not what this test is about.
        replicas = [_store(key_prefix=prefix, queue_limit=30), _store(key_prefix=prefix, queue_limit=30)]
        log, inside, tasks = [], [], []
        for number in range(30):
            tasks.append(asyncio.create_task(_hold(replicas[number % 2], "c1", log, number, inside)))
            while await _tickets_taken(replicas[0], "c1") < number + 1:
                await asyncio.sleep(0.001)
        await asyncio.gather(*tasks)
        return log

    assert _run(scenario()) == list(range(30))


def test_other_conversations_do_not_wait():
    async def scenario():
        store = _store()
        release_slow = asyncio.Event()

        async def slow():
            async with store.lock("slow"):
                await release_slow.wait()

        slow_task = asyncio.create_task(slow())
        while await _tickets_taken(store, "slow") < 1:
            await asyncio.sleep(0.001)
        # The slow conversation holds its lock until the fast one is done: a fast one that waited
        # for it would never get its lock, and the deadlock bound fails the test (its only failure).
        async with store.lock("fast"):
            pass
        release_slow.set()
        await slow_task

    _run(scenario())


def test_a_replica_that_dies_holding_the_lock_lets_the_next_message_in_once_its_ticket_expires():
    async def scenario():
        prefix = f"test-{uuid.uuid4().hex[:8]}"
        dead, alive = _store(key_prefix=prefix), _store(key_prefix=prefix)
        # A ticket taken and never given back: the replica was killed mid-message.
        ticket = await dead._take_ticket("c1", lifetime=0.3)
        keys = alive._keys("c1")
        async with alive.lock("c1"):
            # Let in only once the dead ticket had expired and was dropped from the queue.
            return await alive._redis.zrank(keys.queue, ticket), await alive._redis.hexists(keys.expiries, ticket)

    assert _run(scenario()) == (None, False)


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


async def _queue_length(store, conversation_id) -> int:
    """Messages queued for the conversation: in Redis, or in the process while Redis is down."""
    if store.health.usable():
        try:
            return int(await store._redis.zcard(store._keys(conversation_id).queue))
        except redis.RedisError:
            pass
    return store._local_queued.get(conversation_id, 0)


async def _waiting_behind_a_held_lock(store, conversation_id, count):
    """Starts `count` messages while another holds the lock; each task ends in 'served' or 'busy'."""
    release = asyncio.Event()

    async def holder():
        async with store.lock(conversation_id):
            await release.wait()

    async def message():
        try:
            async with store.lock(conversation_id):
                return "served"
        except ConversationBusy:
            return "busy"

    held = asyncio.create_task(holder())
    while not (await _queue_length(store, conversation_id)):
        await asyncio.sleep(0.01)
    waiting = [asyncio.create_task(message()) for _ in range(count)]
    # The queue holds the held message and queue_limit - 1 waiting: every other one is refused, and only once
    # all of those are, are the waiting ones sure to hold their place. Released before that, a late message
    # could take a freed place.
    while sum(task.done() for task in waiting) < count - (store.queue_limit - 1):
        await asyncio.sleep(0.01)
    release.set()
    await held
    return sorted(await asyncio.gather(*waiting))


@pytest.mark.parametrize("redis_up", [True, False], ids=["redis", "redis-down"])
def test_a_conversation_whose_queue_is_full_refuses_the_next_messages_and_takes_them_again_once_it_drains(redis_up):
    url = REDIS_URL if redis_up else f"redis://127.0.0.1:{free_port()}/0"
    store = _store(url=url, queue_limit=3)

    async def scenario():
        # The held message and two waiting fill the queue of 3; the other five are refused at once.
        outcomes = await _waiting_behind_a_held_lock(store, "c1", 7)
        async with store.lock("c1"):
            pass
        return outcomes

    assert _run(scenario()) == ["busy"] * 5 + ["served"] * 2


def test_tickets_left_by_a_dead_replica_do_not_fill_the_queue_once_expired():
    async def scenario():
        prefix = f"test-{uuid.uuid4().hex[:8]}"
        dead, alive = _store(key_prefix=prefix, queue_limit=2), _store(key_prefix=prefix, queue_limit=2)
        for _ in range(2):
            await dead._take_ticket("c1", lifetime=0.1)
        with pytest.raises(ConversationBusy):
            await alive._take_ticket("c1", lifetime=30)
        await asyncio.sleep(0.3)
        async with alive.lock("c1"):
            return "served"

    assert _run(scenario()) == "served"
