"""Closed-loop load over the REST channel: N people each running whole conversations back to back,
the next turn sent when the answer to the previous one has arrived."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import aiohttp

from bench.metrics import latency_percentiles

REST_PATH = "/webhooks/rest/webhook"
# Where a web client gets its conversation id, as the widget does before its first message.
SESSION_PATH = "/webhooks/rest/session"


@dataclass(frozen=True)
class Turn:
    finished: float  # seconds since the load started
    latency_ms: float
    error: Optional[str]  # None when the answer was a non-empty list of messages


def answer_problem(status: int, body: Any) -> Optional[str]:
    """Why a REST answer is not a real answer, or None when it is."""
    if status != 200:
        return f"HTTP {status}"
    if not isinstance(body, list) or not any(
        isinstance(m, dict) and (m.get("text") or m.get("buttons") or m.get("custom") or m.get("image")) for m in body
    ):
        return "empty answer"
    return None


async def new_conversation(session: aiohttp.ClientSession, base_url: str) -> Optional[str]:
    try:
        async with session.post(base_url + SESSION_PATH, json={}) as response:
            return (await response.json(content_type=None))["sender"] if response.status == 200 else None
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError, TypeError):
        return None


async def send(session: aiohttp.ClientSession, base_url: str, sender: Optional[str], text: str) -> Optional[str]:
    if sender is None:
        return "no conversation id"
    try:
        async with session.post(base_url + REST_PATH, json={"sender": sender, "message": text}) as response:
            body = await response.json(content_type=None) if response.status == 200 else None
            return answer_problem(response.status, body)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        return type(error).__name__


def summarise(turns: Sequence[Turn], warmup: float, duration: float, concurrency: int) -> Dict[str, Any]:
    """Figures of the turns that finished inside the measured window [warmup, warmup + duration)."""
    window = [t for t in turns if warmup <= t.finished < warmup + duration]
    answered = [t for t in window if t.error is None]
    errors = [t.error for t in window if t.error is not None]
    return {
        "concurrency": concurrency,
        "duration_seconds": duration,
        "turns": len(answered),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "turns_per_second": len(answered) / duration,
        **latency_percentiles([t.latency_ms for t in answered]),
    }


async def closed_loop(
    base_urls: Sequence[str],
    conversations: Mapping[str, Sequence[str]],
    concurrency: int,
    warmup: float,
    duration: float,
    on_window: Optional[Callable[[str], None]] = None,
    request_timeout: float = 120,
) -> Tuple[Dict[str, Any], List[Turn]]:
    """`concurrency` people at once, each conversation with a new sender id; with several servers,
    each turn goes to the next one (a conversation alternates between replicas)."""
    scripts = itertools.cycle(list(conversations.values()))
    turns: List[Turn] = []
    started = time.monotonic()
    stop_at = started + warmup + duration

    async def person(session: aiohttp.ClientSession) -> None:
        while time.monotonic() < stop_at:
            sender = await new_conversation(session, base_urls[0])
            for number, text in enumerate(next(scripts)):
                if time.monotonic() >= stop_at:
                    return
                sent = time.monotonic()
                error = await send(session, base_urls[number % len(base_urls)], sender, text)
                done = time.monotonic()
                turns.append(Turn(done - started, (done - sent) * 1000, error))

    async def window_marks() -> None:
        if on_window is None:
            return
        await asyncio.sleep(warmup)
        on_window("start")
        await asyncio.sleep(max(0.0, stop_at - time.monotonic()))
        on_window("end")

    timeout = aiohttp.ClientTimeout(total=request_timeout)
    connector = aiohttp.TCPConnector(limit=max(concurrency, 1) * 2)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        await asyncio.gather(window_marks(), *(person(session) for _ in range(concurrency)))
    return summarise(turns, warmup, duration, concurrency), turns
