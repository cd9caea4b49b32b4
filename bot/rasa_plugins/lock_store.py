"""One conversation handled at a time across every Rasa replica, in arrival order.

Rasa's own RedisLockStore reads the ticket lock, changes it in Python and writes it back
(RasaHQ/rasa#9213): two replicas issuing tickets at once overwrite each other, and both process
the same conversation concurrently. It also polls once a second, which adds about a second to
every queued message. Here each step is one Lua script, atomic in Redis, and a waiter polls
every few milliseconds.

A conversation's queue is capped (CONVERSATION_QUEUE_LIMIT): a script firing messages into one
conversation at once would otherwise keep that many requests waiting on the replicas. Past the cap a
message is refused with ConversationBusy, which the channels answer in French (channels/incoming.py).

Redis down is not an outage: the store logs an error, serialises each conversation within this
process only, with the same cap, and tries Redis again a few seconds later.
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import AsyncIterator, Dict, Optional

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig
from redis import asyncio as redis_asyncio
from redis.exceptions import RedisError

from bot.rasa_plugins.shared_state import RedisHealth
from bot.settings import redis_settings

logger = logging.getLogger(__name__)

# Drops the tickets whose expiry has passed: a replica died holding the lock or waiting for it.
_DROP_EXPIRED = """
local found = redis.call('HGETALL', {expiries})
for i = 1, #found, 2 do
  if tonumber(found[i + 1]) < tonumber({now}) then
    redis.call('ZREM', {queue}, found[i])
    redis.call('HDEL', {expiries}, found[i])
  end
end
"""

# Takes a ticket: its number orders the queue; its expiry lets the next one in if a replica dies
# while holding the lock. The keys outlive the last ticket a while, so that numbers never restart
# under a waiter whose own ticket has just expired. 0: the queue is full (expired tickets, left by
# a replica that died, are dropped first and do not count).
_ISSUE = (
    _DROP_EXPIRED.format(queue="KEYS[2]", expiries="KEYS[3]", now="ARGV[3]")
    + """
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return 0 end
local ticket = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], ticket, ticket)
redis.call('HSET', KEYS[3], ticket, ARGV[1])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
return ticket
"""
)

# 0: the ticket is served now; n > 0: n tickets come first; -1: the ticket has expired.
_POSITION = (
    _DROP_EXPIRED.format(queue="KEYS[1]", expiries="KEYS[2]", now="ARGV[1]")
    + """
local rank = redis.call('ZRANK', KEYS[1], ARGV[2])
if not rank then return -1 end
return rank
"""
)

_RELEASE = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
"""


class ConversationBusy(LockError):
    """The conversation already has as many messages waiting as it may: this one is not taken."""


@dataclass(frozen=True)
class _Keys:
    counter: str
    queue: str
    expiries: str


class AtomicRedisLockStore(LockStore):
    """A ticket lock in Redis, registered in endpoints.yml as a custom lock store.

    Rasa 3.6 only ever calls `lock()`; the read-modify-write methods of the base class
    (get_lock, save_lock...) are the non-atomic path this store replaces, so they stay unused.
    """

    POLL_FIRST_SECONDS = 0.005
    POLL_MAX_SECONDS = 0.05

    def __init__(
        self,
        endpoint_config: Optional[EndpointConfig] = None,
        url: Optional[str] = None,
        key_prefix: Optional[str] = None,
        socket_timeout: Optional[float] = None,
        queue_limit: Optional[int] = None,
    ) -> None:
        settings = redis_settings()
        options = dict(endpoint_config.kwargs) if endpoint_config else {}
        self.key_prefix = str(key_prefix or options.get("key_prefix") or settings.key_prefix)
        self.queue_limit = int(queue_limit or options.get("queue_limit") or settings.conversation_queue_limit)
        timeout = float(socket_timeout or options.get("socket_timeout") or settings.socket_timeout)
        # Created here, connected on first use: no I/O before Rasa's event loop runs.
        self._redis = redis_asyncio.Redis.from_url(
            url or settings.url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self._issue = self._redis.register_script(_ISSUE)
        self._position = self._redis.register_script(_POSITION)
        self._release = self._redis.register_script(_RELEASE)
        self._local: Dict[str, asyncio.Lock] = {}
        self._local_queued: Dict[str, int] = {}
        self.health = RedisHealth(
            logger,
            "lock store",
            "each conversation is now serialised in this process only, and replicas may interleave",
        )

    def _keys(self, conversation_id: str) -> _Keys:
        # One hash tag per conversation: the three keys stay in one slot of a Redis Cluster.
        base = f"{self.key_prefix}:{{{conversation_id}}}"
        return _Keys(f"{base}:next", f"{base}:queue", f"{base}:expires")

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncIterator[TicketLock]:
        ticket = await self._take_ticket(conversation_id, lock_lifetime) if self.health.usable() else None
        if ticket is not None:
            try:
                if await self._wait_for_turn(conversation_id, ticket):
                    yield TicketLock(conversation_id)
                    return
            finally:
                await self._give_back(conversation_id, ticket)
        async with self._local_lock(conversation_id):
            yield TicketLock(conversation_id)

    async def _take_ticket(self, conversation_id: str, lifetime: float) -> Optional[int]:
        keys = self._keys(conversation_id)
        keep_ms = int(max(lifetime * 10, 600) * 1000)
        try:
            now = time.time()
            ticket = await self._issue(
                keys=[keys.counter, keys.queue, keys.expiries], args=[now + lifetime, keep_ms, now, self.queue_limit]
            )
        except RedisError as error:
            self.health.failed(error)
            return None
        self.health.answered()
        if not int(ticket):
            raise ConversationBusy(f"{self.queue_limit} messages of this conversation are already waiting.")
        return int(ticket)

    async def _wait_for_turn(self, conversation_id: str, ticket: int) -> bool:
        """True once the ticket is served; False if Redis is lost meanwhile (the local lock takes over)."""
        keys = self._keys(conversation_id)
        pause = self.POLL_FIRST_SECONDS
        while True:
            try:
                position = int(await self._position(keys=[keys.queue, keys.expiries], args=[time.time(), ticket]))
            except RedisError as error:
                self.health.failed(error)
                return False
            if position == 0:
                return True
            if position < 0:
                raise LockError("Could not acquire the conversation lock: the ticket expired while waiting.")
            await asyncio.sleep(pause)
            pause = min(pause * 2, self.POLL_MAX_SECONDS)

    async def _give_back(self, conversation_id: str, ticket: int) -> None:
        keys = self._keys(conversation_id)
        try:
            await self._release(keys=[keys.queue, keys.expiries], args=[ticket])
        except RedisError as error:
            # The ticket's expiry lets the next message in anyway.
            self.health.failed(error)

    @asynccontextmanager
    async def _local_lock(self, conversation_id: str) -> AsyncIterator[None]:
        queued = self._local_queued.get(conversation_id, 0)
        if queued >= self.queue_limit:
            raise ConversationBusy(f"{self.queue_limit} messages of this conversation are already waiting.")
        self._local_queued[conversation_id] = queued + 1
        lock = self._local.setdefault(conversation_id, asyncio.Lock())
        try:
            async with lock:
                yield
        finally:
            # Released, the lock is not "locked" even with messages waiting for it: it goes only with the last.
            self._local_queued[conversation_id] -= 1
            if not self._local_queued[conversation_id]:
                del self._local_queued[conversation_id]
                del self._local[conversation_id]
