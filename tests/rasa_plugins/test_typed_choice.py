"""A typed number or title picks the button the assistant last showed (bot/rasa_plugins/typed_choice.py)."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_plugins.typed_choice import TypedChoice, offered_choices

pytestmark = pytest.mark.unit

BUTTONS = [
    {"title": "Oui", "payload": "/affirm"},
    {"title": "Non", "payload": "/deny"},
    {"title": "Je ne sais pas", "payload": "/dont_know"},
]


def _tracker(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("p", [ActionExecuted("action_listen"), *events])


def _read(text: str, tracker) -> str:
    message = Message(data={"text": text})
    TypedChoice().process([message], tracker)
    return message.get("text")


@pytest.mark.parametrize(
    "typed, read",
    [
        ("1", "/affirm"),
        ("2", "/deny"),
        (" 3. ", "/dont_know"),
        ("3)", "/dont_know"),
        ("non", "/deny"),
        ("JE NE SAIS PAS", "/dont_know"),
    ],
)
def test_a_number_or_a_title_under_the_buttons_is_that_button(typed, read):
    tracker = _tracker(UserUttered("bonjour"), BotUttered("Avez-vous reçu une lettre ?", {"buttons": BUTTONS}))
    assert _read(typed, tracker) == read


@pytest.mark.parametrize("typed", ["4", "0", "12", "oui je pense", "le 2 mars", ""])
def test_other_words_under_the_buttons_stay_words(typed):
    tracker = _tracker(BotUttered("Avez-vous reçu une lettre ?", {"buttons": BUTTONS}))
    assert _read(typed, tracker) == typed


def test_buttons_the_person_already_answered_are_not_offered_any_more():
    tracker = _tracker(BotUttered("Question ?", {"buttons": BUTTONS}), UserUttered("/affirm"), BotUttered("Merci."))
    assert offered_choices(tracker) == ()
    assert _read("2", tracker) == "2"


def test_a_question_without_buttons_after_buttons_takes_the_words():
    tracker = _tracker(BotUttered("Question ?", {"buttons": BUTTONS}), BotUttered("À quelle date ?"))
    assert _read("2", tracker) == "2"


def test_the_latest_buttons_of_the_turn_count():
    later = [{"title": "PTQF", "payload": '/inform{"program": "fsw"}'}]
    tracker = _tracker(BotUttered("Question ?", {"buttons": BUTTONS}), BotUttered("Programme ?", {"buttons": later}))
    assert _read("1", tracker) == '/inform{"program": "fsw"}'


def test_a_button_whose_payload_is_words_is_left_to_the_words():
    # A payload that is not an intent ("/...") would be read as text anyway: the typed words are kept.
    tracker = _tracker(BotUttered("Question ?", {"buttons": [{"title": "Montréal", "payload": "montreal"}]}))
    assert _read("1", tracker) == "1"


def test_without_a_conversation_the_text_is_left_as_it_is():
    # rasa test nlu and /model/parse give no tracker.
    assert _read("1", None) == "1"
