import logging
import uuid

import pytest
import redis

from bot.rasa_plugins.channels.choices import (
    Choice,
    ChoiceMemory,
    Layout,
    Limits,
    SeenMessages,
    layout_for,
    numbered,
    shorten,
    split_text,
)
from bot.rasa_plugins.shared_state import RedisHealth, SharedRedis
from tests.ports import free_port

pytestmark = pytest.mark.unit

LIMITS = Limits(max_buttons=3, max_menu=10, title_length=20, menu_title_length=24, text_length=50)
CHOICES = [Choice("PTQF (travailleurs qualifiés)", '/inform{"program":"fsw"}'), Choice("Je ne sais pas", "/dont_know")]


def test_titles_are_cut_at_a_word_within_the_limit():
    assert shorten("Oui", 20) == "Oui"
    assert shorten("PTQF (travailleurs qualifiés)", 20) == "PTQF"
    assert shorten("Oui, une consultation avec le CRIC", 20) == "Oui, une…"
    assert shorten("Un programme du Québec (MIFI)", 24) == "Un programme du Québec…"
    assert all(len(shorten("x" * n, 20)) <= 20 for n in range(1, 60))


def test_the_layout_follows_the_number_of_choices():
    assert layout_for(CHOICES, LIMITS) is Layout.BUTTONS
    assert layout_for(CHOICES * 4, LIMITS) is Layout.MENU
    assert layout_for(CHOICES * 6, LIMITS) is Layout.NUMBERED


def test_numbered_lines_keep_the_whole_titles():
    assert numbered("Votre programme ?", CHOICES) == (
        "Votre programme ?\n1. PTQF (travailleurs qualifiés)\n2. Je ne sais pas"
    )


def test_long_texts_are_split_between_lines_then_words():
    pieces = split_text("première ligne\n" + "mot " * 30, 50)
    assert pieces[0] == "première ligne"
    assert all(len(piece) <= 50 for piece in pieces)
    assert " ".join(pieces).split() == ("première ligne\n" + "mot " * 30).split()


def test_a_number_or_a_title_picks_the_offered_choice():
    memory = ChoiceMemory()
    memory.remember("p", CHOICES)
    assert memory.resolve("p", "2") == "/dont_know"
    assert memory.resolve("p", " 1. ") == '/inform{"program":"fsw"}'
    assert memory.resolve("p", "je ne sais pas") == "/dont_know"
    assert memory.resolve("p", "3") == "3"  # no third choice: the text as it is
    assert memory.resolve("other", "2") == "2"


def test_memory_and_seen_ids_stay_bounded():
    memory = ChoiceMemory(size=2)
    for sender in "abc":
        memory.remember(sender, CHOICES)
    assert memory.resolve("a", "2") == "2" and memory.resolve("c", "2") == "/dont_know"
    seen = SeenMessages(size=2)
    assert seen.first_time("m1") and not seen.first_time("m1")
    assert seen.first_time("m2") and seen.first_time("m3") and seen.first_time("m1")
    assert seen.first_time(None) and seen.first_time(None)


def _shared(url="redis://127.0.0.1:6379/0"):
    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    health = RedisHealth(logging.getLogger("bot.rasa_plugins.channels"), "channel state", "kept per replica")
    return SharedRedis(client, f"test-{uuid.uuid4().hex[:8]}", health)


@pytest.mark.integration
def test_a_choice_offered_by_one_replica_is_understood_by_another():
    shared = _shared()
    ChoiceMemory(shared=shared).remember("p", CHOICES)
    assert ChoiceMemory(shared=shared).resolve("p", "2") == "/dont_know"
    assert 0 < shared.client.ttl(shared.key("choices", "p")) <= ChoiceMemory.KEEP_SECONDS


@pytest.mark.integration
def test_a_redelivery_reaching_another_replica_is_not_answered_twice():
    shared = _shared()
    assert SeenMessages(shared=shared).first_time("wamid.1")
    assert not SeenMessages(shared=shared).first_time("wamid.1")


def test_redis_down_falls_back_to_the_process_memory_with_one_error(caplog):
    shared = _shared(f"redis://127.0.0.1:{free_port()}/0")
    memory, seen = ChoiceMemory(shared=shared), SeenMessages(shared=shared)
    with caplog.at_level(logging.WARNING, logger="bot.rasa_plugins.channels"):
        memory.remember("p", CHOICES)
        assert memory.resolve("p", "2") == "/dont_know"
        assert seen.first_time("m1") and not seen.first_time("m1")
    errors = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(errors) == 1 and "Redis channel state unreachable" in errors[0].getMessage()
