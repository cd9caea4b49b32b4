"""Rate limits per address and per conversation (bot/rasa_plugins/channels/rate_limits.py)."""

from __future__ import annotations

import logging
import uuid

import pytest
import redis

from bot.rasa_plugins.channels import rate_limits
from bot.rasa_plugins.channels.rate_limits import RateLimiter, address_key, origin_allowed
from bot.rasa_plugins.shared_state import RedisHealth, SharedRedis
from bot.settings import WebAbuseSettings

SETTINGS = WebAbuseSettings(
    window_seconds=60, per_address=5, per_conversation=3, allowed_origins=("https://cabinet.example",)
)


@pytest.mark.unit
@pytest.mark.parametrize(
    "peer, forwarded, counted",
    [
        ("203.0.113.7", None, "203.0.113.7"),
        # Only this machine's proxy may name the client: a client's own X-Real-IP is ignored.
        ("203.0.113.7", "198.51.100.1", "203.0.113.7"),
        ("127.0.0.1", "198.51.100.1", "198.51.100.1"),
        ("127.0.0.1", None, None),
        ("::1", "", None),
        ("2001:db8:1:2:3:4:5:6", None, "2001:db8:1:2::/64"),
        ("127.0.0.1", "2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", None, "203.0.113.7"),
        ("127.0.0.1", "not an address", None),
        ("127.0.0.2", "198.51.100.1", "198.51.100.1"),
        ("::ffff:127.0.0.1", "198.51.100.1", "198.51.100.1"),
        # nginx on another host, listed in TRUSTED_PROXIES; any other peer names no one but itself.
        ("10.0.0.5", "198.51.100.1", "198.51.100.1"),
        ("10.1.0.5", "198.51.100.1", "10.1.0.5"),
    ],
)
def test_the_address_counted(peer, forwarded, counted):
    assert address_key(peer, forwarded, ("10.0.0.0/24",)) == counted


@pytest.mark.unit
def test_one_ipv6_subscriber_cannot_escape_by_changing_the_last_64_bits():
    limiter = RateLimiter(SETTINGS)
    addresses = [address_key(f"2001:db8:aa:bb::{n:x}", None) for n in range(SETTINGS.per_address + 1)]
    assert [limiter.over(address, None) for address in addresses][-1] == 1


@pytest.mark.unit
@pytest.mark.parametrize(
    "origin, allowed",
    [
        (None, True),
        ("https://cabinet.example", True),
        ("https://cabinet.example/", True),
        ("https://evil.example", False),
        ("null", False),
    ],
)
def test_only_the_firm_s_pages_may_post_from_a_browser(origin, allowed):
    assert origin_allowed(origin, SETTINGS) is allowed


@pytest.mark.unit
def test_the_assistant_s_own_site_may_post_without_being_listed():
    # The widget page nginx serves from the assistant's host sends that host as its Origin.
    assert origin_allowed("https://assistant.example", SETTINGS, "https://assistant.example")
    assert not origin_allowed("https://evil.example", SETTINGS, "https://assistant.example")


@pytest.mark.unit
@pytest.mark.parametrize("value", ["0", "-5", "abc", "1.5"])
def test_a_mistyped_limit_keeps_the_default_and_is_logged(monkeypatch, caplog, value):
    from bot.settings import web_abuse_settings

    monkeypatch.setenv("RATE_LIMIT_WINDOW_SECONDS", value)
    web_abuse_settings.cache_clear()
    try:
        assert web_abuse_settings().window_seconds == 60
    finally:
        web_abuse_settings.cache_clear()
    assert "RATE_LIMIT_WINDOW_SECONDS" in caplog.text


@pytest.mark.unit
def test_the_process_s_own_counters_stay_bounded(monkeypatch):
    monkeypatch.setattr(RateLimiter, "LOCAL_SIZE", 10)
    limiter = RateLimiter(SETTINGS)
    for n in range(25):
        limiter.over(None, f"fresh-{n}")
    assert len(limiter._local) <= 10


@pytest.mark.unit
def test_a_conversation_over_its_limit_is_told_by_how_much():
    limiter = RateLimiter(SETTINGS)
    assert [limiter.over(None, "rest-p1") for _ in range(5)] == [0, 0, 0, 1, 2]
    # Another conversation has its own count.
    assert limiter.over(None, "rest-p2") == 0


@pytest.mark.unit
def test_fresh_conversations_from_one_address_are_held_by_the_address_limit():
    limiter = RateLimiter(SETTINGS)
    counts = [limiter.over("203.0.113.7", f"rest-{n}") for n in range(7)]
    assert counts == [0, 0, 0, 0, 0, 1, 2]


@pytest.mark.unit
def test_an_address_cannot_spend_its_minute_in_one_second(monkeypatch):
    # The attack: a flood admitted 300 messages in the first seconds of each minute, and everyone's turns
    # queued behind them for seconds. Now at most per_address_per_second a second, the minute's limit kept.
    clock = [1_000_000.0]
    monkeypatch.setattr(rate_limits.time, "time", lambda: clock[0])
    settings = WebAbuseSettings(60, 10, 100, (), per_address_per_second=3)
    limiter = RateLimiter(settings)
    assert [limiter.over("203.0.113.7", f"rest-{n}") for n in range(4)] == [0, 0, 0, 1]
    clock[0] += 1
    assert [limiter.over("203.0.113.7", f"rest-{n}") for n in range(4, 8)] == [0, 0, 0, 1]
    clock[0] += 1
    # Eight counted this minute: two more, then the minute's limit holds whatever the second.
    assert [limiter.over("203.0.113.7", f"rest-{n}") for n in range(8, 11)] == [0, 0, 1]


@pytest.mark.unit
def test_an_address_opens_only_so_many_conversations_a_window(monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(rate_limits.time, "time", lambda: clock[0])
    settings = WebAbuseSettings(60, 100, 30, (), per_address_per_second=100, new_conversations_per_address=2)
    limiter = RateLimiter(settings)
    assert [limiter.over("203.0.113.7", None, opens=True) for _ in range(3)] == [0, 0, 1]
    # Its messages in the conversations it holds still go through, and another address opens its own.
    assert limiter.over("203.0.113.7", "rest-1") == 0
    assert limiter.over("198.51.100.9", None, opens=True) == 0
    clock[0] += 60
    assert limiter.over("203.0.113.7", None, opens=True) == 0


@pytest.mark.unit
def test_the_process_s_counters_keep_the_current_windows_when_trimmed(monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(rate_limits.time, "time", lambda: clock[0])
    monkeypatch.setattr(RateLimiter, "LOCAL_SIZE", 7)
    limiter = RateLimiter(SETTINGS)
    assert [limiter.over(None, "p") for _ in range(3)] == [0, 0, 0]
    clock[0] += 1
    # Per-second counts of the last second are over; the conversation's minute is not.
    for n in range(3):
        limiter.over(f"203.0.113.{n}", None)
    clock[0] += 1
    limiter.over("203.0.113.9", None)
    assert limiter.over(None, "p") == 1


@pytest.mark.unit
def test_the_count_starts_again_with_the_next_window(monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(rate_limits.time, "time", lambda: clock[0])
    limiter = RateLimiter(SETTINGS)
    assert [limiter.over(None, "p") for _ in range(4)][-1] == 1
    clock[0] += SETTINGS.window_seconds
    assert limiter.over(None, "p") == 0


@pytest.mark.unit
def test_redis_down_counts_in_the_process():
    client = redis.Redis(host="127.0.0.1", port=1, socket_timeout=0.2, socket_connect_timeout=0.2)
    shared = SharedRedis(client, "test", RedisHealth(logging.getLogger("test"), "rate", "per process"))
    limiter = RateLimiter(SETTINGS, shared)
    assert [limiter.over(None, "p") for _ in range(4)] == [0, 0, 0, 1]


@pytest.fixture
def shared_redis():
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=1)
    prefix = f"test-{uuid.uuid4().hex}"
    yield SharedRedis(client, prefix, RedisHealth(logging.getLogger("test"), "rate", "per process"))
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.mark.integration
def test_two_replicas_count_one_conversation_together(shared_redis):
    first, second = RateLimiter(SETTINGS, shared_redis), RateLimiter(SETTINGS, shared_redis)
    counts = [replica.over("203.0.113.7", "rest-p1") for replica in (first, second, first, second)]
    assert counts == [0, 0, 0, 1]
    ttl = shared_redis.client.ttl(shared_redis.key("rate", "conversation:rest-p1"))
    assert 0 < ttl <= SETTINGS.window_seconds
    # Each counter keeps its own window: the address's second is over within a second. -2: already over (a slow
    # machine); -1, a key with no expiry, would be the bug.
    assert -1 != shared_redis.client.pttl(shared_redis.key("rate", "address-second:203.0.113.7")) <= 1000


@pytest.mark.integration
def test_two_replicas_count_the_conversations_an_address_opens_together(shared_redis):
    settings = WebAbuseSettings(60, 100, 30, (), per_address_per_second=100, new_conversations_per_address=2)
    first, second = RateLimiter(settings, shared_redis), RateLimiter(settings, shared_redis)
    assert [replica.over("203.0.113.7", None, opens=True) for replica in (first, second, first)] == [0, 0, 1]
