"""A conversation's messages handled one after the other, in the order they arrived, some in the background.

A file a person sends is downloaded and read (OCR for a photo: tens of seconds) after the webhook has answered:
Twilio gives up on a webhook after 15 s and Meta delivers a slow one again. A text the person sends meanwhile
must still be handled after the file's turn, as they wrote it after the file. Each conversation's last job is
kept; a new job first waits for it. Conversations do not wait for each other.

The jobs are the Rasa process's own: a process that stops loses the files it was reading, and with several
replicas the order holds only among the messages one replica received (deploy/README.md).
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import Awaitable, Callable, Dict, Optional

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class InOrder:
    def __init__(self) -> None:
        # Conversation id -> its last job not yet finished. Never logged: on WhatsApp the id is a phone number.
        # It also keeps the background tasks referenced (the event loop holds only weak references): the last one
        # here, each earlier one by the job waiting for it.
        self._last: Dict[str, asyncio.Task[None]] = {}

    def start(self, conversation: str, job: Job) -> asyncio.Task[None]:
        """Runs `job` in the background once the conversation's jobs started before it have finished."""
        task = asyncio.get_running_loop().create_task(self._after(self._last.get(conversation), job))
        self._last[conversation] = task
        task.add_done_callback(partial(self._forget, conversation))
        return task

    def busy(self, conversation: str) -> bool:
        """A job of the conversation is still running or waiting (a file being read)."""
        return conversation in self._last

    async def run(self, conversation: str, job: Job) -> None:
        """Runs `job` after the conversation's jobs started before it, and waits for it to end."""
        # Shielded: a platform closing the connection cancels the webhook, never the turn of a message it was
        # told nothing of (the message is recorded as seen: a redelivery would be dropped).
        await asyncio.shield(self.start(conversation, job))

    async def _after(self, previous: Optional[asyncio.Task[None]], job: Job) -> None:
        if previous is not None:
            # asyncio.wait, not await: the previous job's cancellation must not cancel this one.
            await asyncio.wait([previous])
        try:
            await job()
        except Exception as error:  # noqa: BLE001 - one message's failure must not stop the conversation's next ones
            # The type only: an error's message may quote the person's text or their id.
            logger.error("a message could not be handled (%s)", type(error).__name__)

    def _forget(self, conversation: str, task: asyncio.Task[None]) -> None:
        # Only if no later job took its place: that one is still to wait for.
        if self._last.get(conversation) is task:
            del self._last[conversation]
