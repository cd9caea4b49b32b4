"""A pasted decision letter is read as a letter, not by the classifiers (bot/domain/letters.py).

Last in the pipeline: when the text is an IRCC letter, its grounds become the causes (`refusal_causes`, each
at full confidence, as the cause reader writes them) and the intent is the first cause's; a return as
incomplete, a fairness letter or another application's refusal becomes that situation's intent. The actions
then say back what the letter says and ask only what it does not (actions/cause_confirmation.py,
actions/triage_form.py) from the facts read, which the message carries (`LETTER_FACTS_KEY`); the tracker
store keeps those facts and drops the letter's text (tracker_store.py).
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.domain import clock
from bot.domain.cause_reading import CAUSE_SCORES_KEY
from bot.domain.letter_provisions import LetterKind
from bot.domain.letters import LETTER_FACTS_KEY, read_letter
from bot.rasa_plugins.untrained import UntrainedComponent


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class LetterReader(UntrainedComponent):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            reading = read_letter(message.get(TEXT) or "", clock.today())
            if reading is None:
                continue
            message.set(LETTER_FACTS_KEY, reading.as_facts(), add_to_output=True)
            # The extractors read the letter's words as the person's answers: its office's city as their province,
            # "Federal Skilled Worker class" as a program the form cannot name (and then asks again). The facts
            # read replace them.
            message.set(ENTITIES, [], add_to_output=True)
            if reading.kind is LetterKind.REFUSAL:
                scores = [{"cause": cause.value, "confidence": 1.0} for cause in reading.causes]
                message.set(CAUSE_SCORES_KEY, scores, add_to_output=True)
                name = reading.causes[0].intent
            else:
                # Not a refusal: no cause a classifier read in it is said back.
                message.set(CAUSE_SCORES_KEY, [], add_to_output=True)
                name = reading.kind.value
            message.set(INTENT, {"name": name, "confidence": 1.0}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [{"name": name, "confidence": 1.0}], add_to_output=True)
        return messages
