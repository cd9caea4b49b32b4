"""How many messages one address and one conversation may send, counted across every Rasa replica.

A script that opens conversation after conversation would store fake cases and flood the firm with
notices; one that sends thousands of messages would hold a replica. nginx limits requests per address
on one host; these limits hold across replicas (Redis), apply to every channel (REST, socket.io
events after the upgrade, the messaging webhooks) and per conversation. Over a limit the person reads
a French "wait a moment" once per window, and the message goes no further.

The address is the peer's, or the one nginx forwards (X-Real-IP) when the peer is this machine's
proxy. A loopback peer with no forwarded address is this machine itself (the gateway, a health
check, the bench): counted per conversation only. IPv6 addresses count per /64, what one
subscriber usually holds.
"""

from __future__ import annotations

import ipaddress
import time
from functools import lru_cache
from typing import Dict, Optional, Sequence, Tuple

from bot.rasa_plugins.shared_state import SharedRedis, channel_state
from bot.settings import WebAbuseSettings, web_abuse_settings

LOCAL_PEERS = {"127.0.0.1", "::1"}

# One round trip for all counters: each INCR'd, its window started on the first message; over when any
# counter passes its own limit. Returns the highest count over its limit (0: within every limit), so that
# the caller answers once, on the first message over.
COUNT = """
local worst = 0
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, ARGV[1]) end
  local over = count - tonumber(ARGV[i + 1])
  if over > worst then worst = over end
end
return worst
"""


def address_key(peer: Optional[str], forwarded: Optional[str]) -> Optional[str]:
    """The address to count, or None for this machine's own calls. An IPv6 address becomes its /64."""
    address = (forwarded or "").strip() if peer in LOCAL_PEERS else peer
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def origin_allowed(origin: Optional[str], settings: WebAbuseSettings) -> bool:
    """A request without Origin is no browser page's; a page's must be on the list."""
    return origin is None or origin.rstrip("/") in settings.allowed_origins


class RateLimiter:
    """Counts messages per window; over a limit, `over` tells by how many (1: the first one over)."""

    LOCAL_SIZE = 100_000

    def __init__(self, settings: WebAbuseSettings, shared: Optional[SharedRedis] = None):
        self.settings = settings
        self._shared = shared
        # While Redis is down: this process's own counters, per window.
        self._local: Dict[str, Tuple[int, int]] = {}

    def _counters(self, address: Optional[str], conversation: Optional[str]) -> Sequence[Tuple[str, int]]:
        counters = []
        if address:
            counters.append((f"address:{address}", self.settings.per_address))
        if conversation:
            counters.append((f"conversation:{conversation}", self.settings.per_conversation))
        return counters

    def over(self, address: Optional[str], conversation: Optional[str]) -> int:
        """0 when this message is within every limit; else how far over the most exceeded one it is."""
        counters = self._counters(address, conversation)
        if not counters:
            return 0
        if self._shared is not None:
            keys = [self._shared.key("rate", name) for name, _ in counters]
            result = self._shared.run(
                lambda r: r.eval(
                    COUNT, len(keys), *keys, self.settings.window_seconds, *(limit for _, limit in counters)
                )
            )
            if result is not None:
                return int(result)
        return self._count_locally(counters)

    def _count_locally(self, counters: Sequence[Tuple[str, int]]) -> int:
        window = int(time.time() // self.settings.window_seconds)
        if len(self._local) > self.LOCAL_SIZE:
            self._local = {key: value for key, value in self._local.items() if value[0] == window}
        worst = 0
        for name, limit in counters:
            started, count = self._local.get(name, (window, 0))
            count = count + 1 if started == window else 1
            self._local[name] = (window, count)
            worst = max(worst, count - limit)
        return worst


@lru_cache(maxsize=1)
def rate_limiter() -> RateLimiter:
    """One per process, on the channels' Redis; made on first use, never at import."""
    return RateLimiter(web_abuse_settings(), channel_state())
