"""A file a person sent on a messaging platform, downloaded from the platform into memory for the letter reader.

The platform names where the file is (WhatsApp: a media id resolved through the Graph API; Messenger: a URL in
the signed delivery; Twilio: MediaUrl0 in the signed form). The download stops past the letter reader's size
limit, whatever the platform announced, and nothing of the file is written to disk or logged.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any, Awaitable, Callable, Optional

import aiohttp

from bot.settings import MAX_FILE_BYTES

# What a channel hands over for a file: called once, it returns the file's bytes.
Download = Callable[[], Awaitable[bytes]]

# Twilio's media URL redirects once, to its storage host; aiohttp gives up at the third redirect.
MAX_REDIRECTS = 3


class MediaTooLarge(Exception):
    """The file is over MAX_FILE_BYTES: not downloaded further."""


class MediaUnavailable(Exception):
    """The platform did not hand the file over (an error, a timeout, an expired link)."""


async def _refuse(reason: str) -> bytes:
    raise MediaUnavailable(reason)


def refused(reason: str) -> Download:
    """A download that fetches nothing: the delivery named a file where no platform keeps one."""
    return partial(_refuse, reason)


async def download(
    url: str, headers: Optional[dict] = None, auth: Optional[aiohttp.BasicAuth] = None, max_bytes: int = MAX_FILE_BYTES
) -> bytes:
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            # The credentials go with the request, never on the session: Twilio's media URLs redirect to a storage
            # host, and aiohttp (3.9) drops a request's auth and Authorization header when a redirect leaves the
            # URL's origin, but sets a session's auth again on every hop.
            async with session.get(url, headers=headers, auth=auth, max_redirects=MAX_REDIRECTS) as answer:
                if answer.status >= 400:
                    raise MediaUnavailable(f"status {answer.status}")
                if (answer.content_length or 0) > max_bytes:
                    raise MediaTooLarge()
                data = bytearray()
                async for chunk in answer.content.iter_chunked(65_536):
                    data += chunk
                    if len(data) > max_bytes:
                        raise MediaTooLarge()
                return bytes(data)
    # ValueError: aiohttp's answer to a redirect to another scheme than HTTP, or to a URL carrying credentials.
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        raise MediaUnavailable(type(error).__name__) from error


async def json_of(url: str, headers: dict) -> Any:
    """A small JSON answer from a platform's API (the Graph API's description of a media)."""
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            async with session.get(url, headers=headers) as answer:
                if answer.status >= 400:
                    raise MediaUnavailable(f"status {answer.status}")
                return await answer.json(content_type=None)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        raise MediaUnavailable(type(error).__name__) from error
