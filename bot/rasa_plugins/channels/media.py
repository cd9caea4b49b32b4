"""A file a person sent on a messaging platform, downloaded from the platform into memory for the letter reader.

The platform names where the file is (WhatsApp: a media id resolved through the Graph API; Messenger: a URL in
the signed delivery; Twilio: MediaUrl0 in the signed form). The download stops past the letter reader's size
limit, whatever the platform announced, and nothing of the file is written to disk or logged.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Optional

import aiohttp

from bot.rasa_plugins.letter_files import MAX_FILE_BYTES

# What a channel hands over for a file: called once, it returns the file's bytes.
Download = Callable[[], Awaitable[bytes]]


class MediaTooLarge(Exception):
    """The file is over MAX_FILE_BYTES: not downloaded further."""


class MediaUnavailable(Exception):
    """The platform did not hand the file over (an error, a timeout, an expired link)."""


async def download(
    url: str, headers: Optional[dict] = None, auth: Optional[aiohttp.BasicAuth] = None, max_bytes: int = MAX_FILE_BYTES
) -> bytes:
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30), auth=auth) as session:
            # Twilio's media URLs redirect to a storage host: aiohttp drops the credentials when the host changes.
            async with session.get(url, headers=headers) as answer:
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
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
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
