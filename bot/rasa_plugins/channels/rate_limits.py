"""How many messages one address and one conversation may send, counted across every Rasa replica.

A script that opens conversation after conversation would store fake cases and flood the firm with
notices; one that sends thousands of messages would hold a replica. nginx limits requests per address
on one host; these limits hold across replicas (Redis), apply to the web channels per address and
to every channel per conversation (REST, socket.io events after the upgrade, the messaging
webhooks). An address's allowance holds per second as well as per window, so that a flood cannot spend a
minute's worth at once, and an address may open only so many new conversations per window, each of which
costs a session start. Over a limit the person reads a French "wait a moment", and the message goes no
further.

The address is the peer's, or the one the reverse proxy forwards (X-Real-IP) when the peer is a
proxy: this machine, or a network of TRUSTED_PROXIES (nginx on another host). A proxy peer with no
forwarded address is this deployment itself (the gateway, a health check, the bench): counted per
conversation only. IPv6 addresses count per /64, what one subscriber usually holds.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple, Union

from bot.rasa_plugins.shared_state import SharedRedis, channel_state
from bot.settings import WebAbuseSettings, web_abuse_settings

logger = logging.getLogger(__name__)

Address = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]

# One round trip for all counters: each INCR'd, its own window (ARGV[2i-1] seconds) started on its first
# message; over when any counter passes its own limit (ARGV[2i]). Returns the highest count over its limit
# (0: within every limit), so that the caller answers once, on the first message over.
COUNT = """
local worst = 0
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, ARGV[2 * i - 1]) end
  local over = count - tonumber(ARGV[2 * i])
  if over > worst then worst = over end
end
return worst
"""


def _ip(text: Optional[str]) -> Optional[Address]:
    """The address, an IPv4-mapped IPv6 one as its IPv4; None for anything else."""
    try:
        ip = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def address_key(peer: Optional[str], forwarded: Optional[str], trusted_proxies: Sequence[str] = ()) -> Optional[str]:
    """The address to count, or None for the deployment's own calls. An IPv6 address becomes its /64."""
    ip = _ip(peer)
    if ip is None:
        return None
    if ip.is_loopback or any(ip in ipaddress.ip_network(net, strict=False) for net in trusted_proxies):
        ip = _ip(forwarded)
        if ip is None:
            return None
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def origin_allowed(origin: Optional[str], settings: WebAbuseSettings, own_origin: Optional[str] = None) -> bool:
    """A request without Origin is no browser page's; a page's must be the assistant's own site or be listed."""
    if origin is None:
        return True
    origin = origin.rstrip("/")
    return origin in settings.allowed_origins or (own_origin is not None and origin == own_origin.rstrip("/"))


@dataclass(frozen=True)
class Counter:
    name: str
    limit: int
    window_seconds: int


class RateLimiter:
    """Counts messages per window; over a limit, `over` tells by how many (1: the first one over)."""

    # While Redis is down: this process's own counters for their current windows, at most this many.
    LOCAL_SIZE = 100_000

    def __init__(self, settings: WebAbuseSettings, shared: Optional[SharedRedis] = None):
        self.settings = settings
        self._shared = shared
        self._script = shared.client.register_script(COUNT) if shared is not None else None
        # (counter, its window's length, the window's number) -> count
        self._local: Dict[Tuple[str, int, int], int] = {}

    def _counters(self, address: Optional[str], conversation: Optional[str], opens: bool) -> List[Counter]:
        settings, counters = self.settings, []
        if address:
            counters.append(Counter(f"address:{address}", settings.per_address, settings.window_seconds))
            # Per second too: a minute's allowance taken at once would hold everyone's turns behind it.
            counters.append(Counter(f"address-second:{address}", settings.per_address_per_second, 1))
            if opens:
                counters.append(
                    Counter(f"opened:{address}", settings.new_conversations_per_address, settings.window_seconds)
                )
        if conversation:
            counters.append(Counter(f"conversation:{conversation}", settings.per_conversation, settings.window_seconds))
        return counters

    def over(self, address: Optional[str], conversation: Optional[str], opens: bool = False) -> int:
        """0 when this message is within every limit; else how far over the most exceeded one it is. `opens`:
        the request opens a new conversation, which an address may do only so often."""
        counters = self._counters(address, conversation, opens)
        if not counters:
            return 0
        if self._shared is not None and self._script is not None:
            keys = [self._shared.key("rate", counter.name) for counter in counters]
            args = [value for counter in counters for value in (counter.window_seconds, counter.limit)]
            script = self._script
            result = self._shared.run(lambda r: script(keys=keys, args=args, client=r))
            if result is not None:
                return int(result)
        return self._count_locally(counters)

    def _count_locally(self, counters: Sequence[Counter]) -> int:
        now = time.time()
        if len(self._local) >= self.LOCAL_SIZE:
            # Counts of windows already over go first; past the size still, a flood of fresh ids restarts
            # them all early.
            self._local = {key: count for key, count in self._local.items() if key[2] == int(now // key[1])}
            if len(self._local) >= self.LOCAL_SIZE:
                self._local = {}
        worst = 0
        for counter in counters:
            key = (counter.name, counter.window_seconds, int(now // counter.window_seconds))
            count = self._local.get(key, 0) + 1
            self._local[key] = count
            worst = max(worst, count - counter.limit)
        return worst


@lru_cache(maxsize=1)
def rate_limiter() -> RateLimiter:
    """One per process, on the channels' Redis; made on first use, never at import."""
    settings = web_abuse_settings()
    if not settings.allowed_origins:
        logger.warning("ALLOWED_ORIGINS is empty: only the assistant's own pages may post from a browser.")
    return RateLimiter(settings, channel_state())
