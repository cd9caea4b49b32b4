"""Low-stakes intents read from a lower confidence than the fallback's (bot/rasa_plugins/low_stakes_fallback.py)."""

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_plugins.low_stakes_fallback import LowStakesFallback

pytestmark = pytest.mark.unit


def _component() -> LowStakesFallback:
    context = ExecutionContext(GraphSchema({}), node_name="low_stakes_fallback")
    return LowStakesFallback.create({}, None, Resource("low_stakes_fallback"), context)


def _after_fallback(first: str, confidence: float) -> Message:
    return Message(
        data={
            "text": "merciii bcp",
            "intent": {"name": "nlu_fallback", "confidence": 0.3},
            "intent_ranking": [
                {"name": "nlu_fallback", "confidence": 0.3},
                {"name": first, "confidence": confidence},
                {"name": "affirm", "confidence": confidence / 2},
            ],
        }
    )


def test_a_hesitant_thanks_is_read_as_thanks():
    message = _after_fallback("thank", 0.22)
    _component().process([message])
    assert message.get("intent") == {"name": "thank", "confidence": 0.22}
    assert [entry["name"] for entry in message.get("intent_ranking")] == ["thank", "affirm"]


@pytest.mark.parametrize("first, confidence", [("request_consultation", 0.29), ("affirm", 0.25), ("thank", 0.05)])
def test_an_intent_that_starts_something_or_a_reading_too_unsure_stays_with_the_fallback(first, confidence):
    message = _after_fallback(first, confidence)
    _component().process([message])
    assert message.get("intent")["name"] == "nlu_fallback"


def test_a_message_the_classifiers_read_is_left_as_it_is():
    message = Message(data={"text": "salut", "intent": {"name": "greet", "confidence": 0.9}, "intent_ranking": []})
    _component().process([message])
    assert message.get("intent") == {"name": "greet", "confidence": 0.9}
