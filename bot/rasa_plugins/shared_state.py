"""Short-lived state every Rasa replica must see, in Redis (REDIS_URL), and what happens when Redis is down.

A person's next message may reach another replica: the choices offered to them, the platform
message ids already answered and the conversation lock must live outside the process. Redis
down is a degraded service, not an outage: each user logs one clear error, works from its
process's own memory, and tries Redis again a few seconds later.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache
from typing import Callable, Optional, TypeVar

import redis
from redis.exceptions import RedisError

from bot.settings import redis_settings

Result = TypeVar("Result")


class RedisHealth:
    """Whether to try Redis now; the first failure of an outage is logged, and the recovery."""

    RETRY_AFTER_SECONDS = 5.0

    def __init__(self, logger: logging.Logger, what: str, degraded: str):
        self.logger, self.what, self.degraded = logger, what, degraded
        self._down_since: Optional[float] = None

    def usable(self) -> bool:
        if self._down_since is None:
            return True
        return time.monotonic() - self._down_since >= self.RETRY_AFTER_SECONDS

    def failed(self, error: RedisError) -> None:
        if self._down_since is None:
            # Never the key or the conversation id: on WhatsApp that is the person's phone number.
            self.logger.error(
                "Redis %s unreachable (%s): %s. Retrying Redis every %.0f s.",
                self.what,
                type(error).__name__,
                self.degraded,
                self.RETRY_AFTER_SECONDS,
            )
        self._down_since = time.monotonic()

    def answered(self) -> None:
        if self._down_since is not None:
            self.logger.warning("Redis %s reachable again.", self.what)
            self._down_since = None


class SharedRedis:
    """A synchronous client for the channels' small reads and writes, with a short timeout."""

    def __init__(self, client: redis.Redis, key_prefix: str, health: RedisHealth):
        self.client, self.key_prefix, self.health = client, key_prefix, health

    def key(self, *parts: str) -> str:
        return ":".join((self.key_prefix, *parts))

    def run(self, command: Callable[[redis.Redis], Result]) -> Optional[Result]:
        """The command's result, or None when Redis is down (the caller then uses its own memory)."""
        if not self.health.usable():
            return None
        try:
            result = command(self.client)
        except RedisError as error:
            self.health.failed(error)
            return None
        self.health.answered()
        return result


@lru_cache(maxsize=1)
def channel_state() -> SharedRedis:
    """One client per process, created on first use: never at import."""
    settings = redis_settings()
    client = redis.Redis.from_url(
        settings.url, socket_timeout=settings.socket_timeout, socket_connect_timeout=settings.socket_timeout
    )
    health = RedisHealth(
        logging.getLogger("bot.rasa_plugins.channels"),
        "channel state",
        "choices offered and messages already answered are now kept per replica",
    )
    return SharedRedis(client, settings.key_prefix, health)
