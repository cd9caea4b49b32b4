"""Replies a messaging platform could not take, sent again in order: none lost while the platform is down.

Before, a Graph API or Twilio that was unreachable made the reply's send raise inside Rasa's handling
of the person's message: the webhook answered 500, the platform delivered the message again, and the
redelivery, already seen, was dropped. The person's answer was in the conversation, and the reply to it
was lost for good. Now a send that fails for a reason worth waiting out (no connection, a timeout,
429, 5xx) puts the reply in this process's queue, the webhook answers 200 (the message is recorded),
and a background task sends the queue again with a growing wait (1 s to 30 s). A conversation with
replies waiting gets its new replies behind them, so the person reads them in order. A refusal
(another 4xx) is not worth a second try: it is logged and dropped, as before.

The queue is the Rasa process's own: a process that stops loses what it held (deploy/README.md).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from functools import lru_cache
from typing import Any, Awaitable, Callable, Deque, Dict, Optional

import aiohttp

logger = logging.getLogger(__name__)

Delivery = Callable[[], Awaitable[None]]


class PlatformUnavailable(Exception):
    """The platform did not take the reply for a reason that passes: worth trying again."""


def worth_retrying(status: int) -> bool:
    return status == 429 or status >= 500


async def post_reply(api: str, url: str, auth: Optional[aiohttp.BasicAuth] = None, **post: Any) -> None:
    """One reply to a platform's API (`api` names it in the log). PlatformUnavailable when it is worth another
    try; another refusal is logged and dropped."""
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10), auth=auth) as session:
            async with session.post(url, **post) as answer:
                if worth_retrying(answer.status):
                    raise PlatformUnavailable(f"{api} answered {answer.status}")
                if answer.status >= 400:
                    logger.warning("%s answered %s", api, answer.status)
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        raise PlatformUnavailable(type(error).__name__) from error


class ReplyQueue:
    FIRST_WAIT_SECONDS = 1.0
    LONGEST_WAIT_SECONDS = 30.0

    def __init__(self) -> None:
        # Conversation id -> its replies still to send, oldest first. Never logged: on WhatsApp the id is a phone.
        self._waiting: Dict[str, Deque[Delivery]] = {}
        self._drainer: Optional[asyncio.Task] = None

    def waiting(self) -> int:
        return sum(len(queue) for queue in self._waiting.values())

    async def send(self, conversation: str, deliver: Delivery) -> None:
        """Sends now, or after the conversation's replies already waiting; queues it when the platform is down."""
        if conversation not in self._waiting:
            try:
                await deliver()
                return
            except PlatformUnavailable as error:
                logger.warning("reply queued: the platform is unavailable (%s)", error)
        self._waiting.setdefault(conversation, deque()).append(deliver)
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        wait = self.FIRST_WAIT_SECONDS
        while self._waiting:
            await asyncio.sleep(wait)
            sent = 0
            for conversation in list(self._waiting):
                queue = self._waiting[conversation]
                while queue:
                    try:
                        # Left in the queue while it is sent: a reply added meanwhile goes behind it.
                        await queue[0]()
                    except PlatformUnavailable:
                        break
                    except Exception as error:  # noqa: BLE001 - one bad reply must not stop the others
                        logger.error("queued reply dropped: %s", type(error).__name__)
                    queue.popleft()
                    sent += 1
                if not queue:
                    del self._waiting[conversation]
            if sent:
                logger.info("%s queued replies sent, %s still waiting", sent, self.waiting())
            wait = self.FIRST_WAIT_SECONDS if sent else min(wait * 2, self.LONGEST_WAIT_SECONDS)


@lru_cache(maxsize=1)
def reply_queue() -> ReplyQueue:
    """One per Rasa process, shared by the messaging channels; made on first use."""
    return ReplyQueue()
