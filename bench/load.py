"""Closed-loop load over the REST channel: N people each running whole conversations back to back,
the next turn sent when the answer to the previous one has arrived (at once, or after a person's time to
read and type); and people at that pace while one address floods the assistant (issue 16's load test)."""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import aiohttp

from bench.metrics import latency_percentiles

REST_PATH = "/webhooks/rest/webhook"
# Where a web client gets its conversation id, as the widget does before its first message.
SESSION_PATH = "/webhooks/rest/session"
# RFC 2544's range for benchmarks: one address per simulated person, as nginx forwards it (X-Real-IP).
PEOPLE_NETWORK = ipaddress.ip_network("198.18.0.0/15")
FLOOD_ADDRESS = "198.19.255.254"


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


Headers = Optional[Mapping[str, str]]


def forwarded_for(address: str) -> Dict[str, str]:
    """What nginx adds in front of Rasa: the client's address, which the rate limits count."""
    return {"X-Real-IP": address}


async def new_conversation(session: aiohttp.ClientSession, base_url: str, headers: Headers = None) -> Optional[str]:
    try:
        async with session.post(base_url + SESSION_PATH, json={}, headers=headers) as response:
            return (await response.json(content_type=None))["sender"] if response.status == 200 else None
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError, TypeError):
        return None


async def send(
    session: aiohttp.ClientSession, base_url: str, sender: Optional[str], text: str, headers: Headers = None
) -> Optional[str]:
    if sender is None:
        return "no conversation id"
    try:
        payload = {"sender": sender, "message": text}
        async with session.post(base_url + REST_PATH, json=payload, headers=headers) as response:
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
    own_addresses: bool = False,
    pause: float = 0,
) -> Tuple[Dict[str, Any], List[Turn]]:
    """`concurrency` people at once, each conversation with a new sender id; with several servers,
    each turn goes to the next one (a conversation alternates between replicas). With `own_addresses`,
    each person writes from an address of their own, as behind nginx; else from this machine, which
    the per-address limit does not count. `pause`: the seconds a person takes to read an answer and type
    the next turn (0: at once, the server's throughput); their first turns are spread over one pause."""
    scripts = itertools.cycle(list(conversations.values()))
    turns: List[Turn] = []
    started = time.monotonic()
    stop_at = started + warmup + duration

    async def wait(seconds: float) -> None:
        # Never past the end: a person's pause does not hold the load open.
        await asyncio.sleep(max(0.0, min(seconds, stop_at - time.monotonic())))

    async def person(session: aiohttp.ClientSession, headers: Headers, rank: int) -> None:
        await wait(pause * rank / max(concurrency, 1))
        while time.monotonic() < stop_at:
            sender = await new_conversation(session, base_urls[0], headers)
            for number, text in enumerate(next(scripts)):
                if time.monotonic() >= stop_at:
                    return
                sent = time.monotonic()
                error = await send(session, base_urls[number % len(base_urls)], sender, text, headers)
                done = time.monotonic()
                turns.append(Turn(done - started, (done - sent) * 1000, error))
                await wait(pause)

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
        people = [forwarded_for(str(PEOPLE_NETWORK[n + 1])) if own_addresses else None for n in range(concurrency)]
        await asyncio.gather(window_marks(), *(person(session, headers, rank) for rank, headers in enumerate(people)))
    return summarise(turns, warmup, duration, concurrency), turns


async def flood(base_url: str, per_second: float, seconds: float, request_timeout: float = 30) -> Dict[str, int]:
    """One address opening a conversation and saying "bonjour", `per_second` times a second whatever the
    answers (open loop): the HTTP statuses of its messages, counted."""
    statuses: Dict[str, int] = {}
    headers = forwarded_for(FLOOD_ADDRESS)

    async def one(session: aiohttp.ClientSession) -> None:
        try:
            async with session.post(base_url + SESSION_PATH, json={}, headers=headers) as answer:
                sender = (await answer.json(content_type=None)).get("sender") if answer.status == 200 else None
            if sender is None:
                key = f"session refused ({answer.status})"
            else:
                payload = {"sender": sender, "message": "bonjour"}
                async with session.post(base_url + REST_PATH, json=payload, headers=headers) as answer:
                    key = str(answer.status)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, AttributeError) as error:
            key = type(error).__name__
        statuses[key] = statuses.get(key, 0) + 1

    timeout = aiohttp.ClientTimeout(total=request_timeout)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
        tasks = []
        started = time.monotonic()
        for number in range(int(per_second * seconds)):
            await asyncio.sleep(max(0.0, started + number / per_second - time.monotonic()))
            tasks.append(asyncio.create_task(one(session)))
        await asyncio.gather(*tasks)
    return statuses


async def under_flood(
    base_urls: Sequence[str],
    conversations: Mapping[str, Sequence[str]],
    people: int,
    warmup: float,
    duration: float,
    flood_per_second: float,
    pause: float,
) -> Dict[str, Any]:
    """`people` conversations, each from its own address at a person's `pause`, while one address floods the
    first server for the whole time: the people's figures, and what became of the flood's messages."""
    (summary, _), statuses = await asyncio.gather(
        closed_loop(base_urls, conversations, people, warmup, duration, own_addresses=True, pause=pause),
        flood(base_urls[0], flood_per_second, warmup + duration),
    )
    return {**summary, "flood_per_second": flood_per_second, "flood_statuses": statuses, "pause_seconds": pause}
