"""A typed number or title picks the button the assistant last showed, on every channel.

In `rasa shell` and `rasa interactive` the person may leave the arrow-key menu and type "2", or
"Oui"; on the website a person types "1" under the buttons. Rasa would read those as words. This
component runs first in the NLU pipeline and, when the last message of the assistant's turn offered
buttons, replaces a reply that names one of them by that button's payload ("/affirm"), which Rasa
then reads as the button itself. The messaging channels that show numbered lines (Twilio, WhatsApp
past three buttons) already send payloads, so nothing changes for them.

Rasa 3.6 hands the conversation to an NLU component whose `process` takes a `tracker` argument
(tests/rasa_plugins/test_rasa_guards.py); `rasa test nlu` and Rasa's /model/parse give none or an empty
one, and then the text is left as it is.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_plugins.channels.choices import Choice, choice_named, choices_from_buttons
from bot.rasa_plugins.untrained import UntrainedComponent


def offered_choices(tracker: Optional[DialogueStateTracker]) -> Sequence[Choice]:
    """The buttons of the assistant's last message, if the person has not written since."""
    if tracker is None:
        return ()
    # Applied events: a message the person took back ("undo") is not their last one.
    for event in reversed(tracker.applied_events()):
        if isinstance(event, UserUttered):
            return ()
        if isinstance(event, BotUttered):
            return tuple(choices_from_buttons((event.data or {}).get("buttons") or []))
    return ()


# An intent classifier to Rasa's recipe, as its FallbackClassifier is: a component that trains nothing and
# runs on each message. Registered as a tokenizer, it would also run on the training data.
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class TypedChoice(UntrainedComponent):
    def process(self, messages: List[Message], tracker: Optional[DialogueStateTracker] = None) -> List[Message]:
        offered = offered_choices(tracker)
        if not offered:
            return messages
        for message in messages:
            chosen = choice_named(message.get(TEXT), offered)
            if chosen is not None and chosen.payload.startswith("/"):
                message.set(TEXT, chosen.payload)
        return messages
