from datetime import date

import pytest

from actions.triage_form import ValidateTriageForm
from bot.domain.letters import LETTER_FACTS_KEY, LetterReading, read_letter
from bot.rasa_plugins.tracker_store import letter_in_words

pytestmark = pytest.mark.unit

FORM = "triage_form"


def _program_answer(make_tracker, text, intent, extracted=None):
    """An answer to the first question, the program, for a low score."""
    return make_tracker(
        text,
        intent,
        slots={"refusal_causes": ["low_score"], "requested_slot": "program"},
        extracted=extracted,
        active_loop=FORM,
    )


def test_asks_only_what_is_missing_for_a_federal_program(make_tracker, run_action):
    tracker = _program_answer(make_tracker, "PTQF", "inform", {"program": "fsw"})
    result = run_action(ValidateTriageForm(), tracker)
    assert result.slots["program"] == "fsw"
    # A federal program: IRCC decided, no need to ask.
    assert result.slots["authority"] == "ircc"
    assert result.slots["requested_slot"] == "decision_location"
    assert result.messages == []


def test_a_quebec_decision_ends_the_questions(make_tracker, run_action):
    tracker = _program_answer(make_tracker, '/inform{"authority":"mifi"}', "inform", {"authority": "mifi"})
    result = run_action(ValidateTriageForm(), tracker)
    # Rasa's own mapping already stored "mifi"; the button text is not read as a program.
    assert "program" not in result.slots
    assert result.messages == []
    assert result.slots["requested_slot"] is None


def test_an_unreadable_program_is_asked_again_with_examples(make_tracker, run_action):
    tracker = _program_answer(make_tracker, "celui pour les gens qualifiés je crois", "inform")
    result = run_action(ValidateTriageForm(), tracker)
    assert result.responses == ["utter_invalid_program"]
    assert result.slots["program"] is None
    assert result.slots["requested_slot"] == "program"


def test_dont_know_for_the_program_asks_who_refused(make_tracker, run_action):
    tracker = _program_answer(make_tracker, "je sais pas", "dont_know", {"program": "unknown"})
    result = run_action(ValidateTriageForm(), tracker)
    assert result.slots["program"] == "unknown"
    assert result.slots["requested_slot"] == "authority"


def test_misrepresentation_asks_about_the_fairness_letter(make_tracker, run_action):
    tracker = make_tracker(
        "CEC",
        "inform",
        slots={"refusal_causes": ["misrepresentation"], "requested_slot": "program"},
        extracted={"program": "cec"},
        active_loop=FORM,
    )
    assert run_action(ValidateTriageForm(), tracker).slots["requested_slot"] == "fairness_letter"


def test_settlement_funds_in_doubt_ask_about_the_fairness_letter(make_tracker, run_action):
    tracker = make_tracker(
        "PTQF",
        "inform",
        slots={"refusal_causes": ["missing_documents"], "document": ["proof_of_funds"], "requested_slot": "program"},
        extracted={"program": "fsw"},
        active_loop=FORM,
    )
    assert run_action(ValidateTriageForm(), tracker).slots["requested_slot"] == "fairness_letter"


def test_an_open_fairness_letter_skips_the_deadline_questions(make_tracker, run_action):
    tracker = make_tracker(
        "oui",
        "affirm",
        slots={
            "refusal_causes": ["misrepresentation"],
            "program": "cec",
            "authority": "ircc",
            "requested_slot": "fairness_letter",
        },
        extracted={"fairness_letter": "open"},
        active_loop=FORM,
    )
    result = run_action(ValidateTriageForm(), tracker)
    assert result.slots["fairness_letter"] == "open"
    assert result.slots["requested_slot"] is None


def _date_answer(make_tracker, text, intent="inform"):
    return make_tracker(
        text,
        intent,
        slots={
            "refusal_causes": ["low_score"],
            "program": "fsw",
            "authority": "ircc",
            "decision_location": "in_canada",
            "requested_slot": "decision_date",
        },
        active_loop=FORM,
    )


def test_a_free_french_date_is_stored_as_iso(make_tracker, run_action):
    result = run_action(ValidateTriageForm(), _date_answer(make_tracker, "le 3 novembre"))
    assert result.slots["decision_date"] == "2026-11-03"
    assert result.slots["requested_slot"] is None


def test_a_free_date_is_read_whatever_intent_the_nlu_guessed(make_tracker, run_action):
    result = run_action(ValidateTriageForm(), _date_answer(make_tracker, "il y a deux semaines", "nlu_fallback"))
    # The earliest day "two weeks ago" can mean, said back with a request to check the letter.
    assert result.slots["decision_date"] == "2026-11-12"
    assert result.message("utter_decision_date_approximate")["decision_date"] == "jeudi 12 novembre 2026"


def test_a_date_that_does_not_exist_is_asked_again(make_tracker, run_action):
    result = run_action(ValidateTriageForm(), _date_answer(make_tracker, "31/02/2026"))
    assert result.responses == ["utter_invalid_decision_date_nonexistent"]
    assert result.slots["decision_date"] is None
    assert result.slots["requested_slot"] == "decision_date"


def test_a_future_date_is_asked_again(make_tracker, run_action):
    result = run_action(ValidateTriageForm(), _date_answer(make_tracker, "15/12/2026"))
    assert result.responses == ["utter_invalid_decision_date_in_future"]


def test_an_unknown_date_is_accepted(make_tracker, run_action):
    tracker = make_tracker(
        "je ne sais plus",
        "dont_know",
        slots={
            "refusal_causes": ["low_score"],
            "program": "fsw",
            "authority": "ircc",
            "decision_location": "in_canada",
            "requested_slot": "decision_date",
        },
        extracted={"decision_date": "unknown"},
        active_loop=FORM,
    )
    result = run_action(ValidateTriageForm(), tracker)
    assert result.slots["decision_date"] == "unknown"
    assert result.slots["requested_slot"] is None


def test_a_question_about_a_term_is_not_taken_as_an_answer(make_tracker, run_action):
    result = run_action(ValidateTriageForm(), _date_answer(make_tracker, "c'est quoi le SCG ?", "faq_scg"))
    assert "decision_date" not in result.slots
    assert result.messages == []


def test_blank_and_emoji_answers_get_a_clear_reask(make_tracker, run_action):
    for text in ("", "   ", "🙂🙂🙂", "<script>alert(1)</script>"):
        result = run_action(ValidateTriageForm(), _date_answer(make_tracker, text, "nlu_fallback"))
        assert result.responses == ["utter_invalid_decision_date_unreadable"], text
        assert result.slots["decision_date"] is None


def test_a_canonical_entity_beside_a_stray_one_answers_the_question(make_tracker, run_action):
    tracker = make_tracker(
        "ici au canada",
        "inform",
        slots={
            "refusal_causes": ["low_score"],
            "program": "fsw",
            "authority": "ircc",
            "requested_slot": "decision_location",
        },
        extracted={"decision_location": "ici"},
        entities=[{"entity": "location", "value": "ici"}, {"entity": "location", "value": "in_canada"}],
        active_loop=FORM,
    )
    result = run_action(ValidateTriageForm(), tracker)
    assert result.slots["decision_location"] == "in_canada"
    assert result.messages == []


def _first_form_turn(make_tracker, story, slots=None, history=()):
    """The person told their story, confirmed the causes ("oui"), and the form starts: nothing asked yet."""
    told = [{"event": "user", "text": story, "parse_data": {"intent": {"name": "refusal_missing_documents"}}}]
    return make_tracker(
        "oui",
        "affirm",
        slots={"refusal_causes": ["missing_documents"], "program": "fsw", "authority": "ircc", **(slots or {})},
        active_loop=FORM,
        history=[*history, *told],
    )


def test_a_decision_date_in_the_story_is_kept_and_said_back(make_tracker, run_action):
    story = "Ma demande PTQF a été refusée le 20 novembre, mon test de langue avait expiré"
    result = run_action(ValidateTriageForm(), _first_form_turn(make_tracker, story))
    assert result.slots["decision_date"] == "2026-11-20"
    assert result.message("utter_decision_date_in_story")["decision_date"] == "vendredi 20 novembre 2026"
    # The date is not asked again; the office is.
    assert result.slots["requested_slot"] == "decision_location"


def test_a_decision_date_given_with_another_answer_is_kept_too(make_tracker, run_action):
    tracker = _program_answer(make_tracker, "PTQF, refusé le 20 novembre", "inform", {"program": "fsw"})
    result = run_action(ValidateTriageForm(), tracker)
    assert result.slots["decision_date"] == "2026-11-20"
    assert result.responses == ["utter_decision_date_in_story"]
    assert result.slots["requested_slot"] == "decision_location"


def test_an_answer_to_the_date_question_is_not_said_back_twice(make_tracker, run_action):
    tracker = _date_answer(make_tracker, "la lettre de refus est arrivée le 3 novembre")
    result = run_action(ValidateTriageForm(), tracker)
    assert result.slots["decision_date"] == "2026-11-03"
    assert "utter_decision_date_in_story" not in result.responses


def test_a_story_without_the_decision_date_leaves_the_question(make_tracker, run_action):
    result = run_action(ValidateTriageForm(), _first_form_turn(make_tracker, "mon test passé le 3 mars 2024 a expiré"))
    assert "decision_date" not in result.slots
    assert result.responses == []
    assert result.slots["requested_slot"] == "decision_location"


def test_a_story_before_a_restart_is_not_read(make_tracker, run_action):
    before = [{"event": "user", "text": "refusé le 20 novembre", "parse_data": {}}, {"event": "restart"}]
    result = run_action(ValidateTriageForm(), _first_form_turn(make_tracker, "mon test a expiré", history=before))
    assert "decision_date" not in result.slots


def test_a_date_already_set_or_changed_is_not_taken_again_from_the_story(make_tracker, run_action):
    # "changer la date" emptied the slot: the first message must not fill it again.
    changed = [{"event": "slot", "name": "decision_date", "value": None}]
    result = run_action(ValidateTriageForm(), _first_form_turn(make_tracker, "refusé le 20 novembre", history=changed))
    assert "decision_date" not in result.slots and result.responses == []


def test_no_date_is_said_back_when_the_deadline_does_not_need_it(make_tracker, run_action):
    # An open fairness letter: there is no decision yet, so no date to count from.
    tracker = _first_form_turn(
        make_tracker,
        "lettre reçue le 20 novembre, ils parlent de fausse déclaration",
        slots={"refusal_causes": ["misrepresentation"], "fairness_letter": "open"},
    )
    result = run_action(ValidateTriageForm(), tracker)
    assert "utter_decision_date_in_story" not in result.responses


def _location_answer(make_tracker, text, value):
    return make_tracker(
        text,
        "inform",
        slots={
            "refusal_causes": ["low_score"],
            "program": "fsw",
            "authority": "ircc",
            "requested_slot": "decision_location",
        },
        extracted={"decision_location": value},
        active_loop=FORM,
    )


def test_where_the_person_lives_is_not_taken_for_the_office_and_the_shorter_limit_is_said(make_tracker, run_action):
    result = run_action(ValidateTriageForm(), _location_answer(make_tracker, "je suis à Abidjan", "outside_canada"))
    assert result.slots["decision_location"] == "unknown"
    assert result.responses[0] == "utter_decision_location_is_the_office"


def test_an_answer_about_the_office_is_taken_as_it_is(make_tracker, run_action):
    result = run_action(ValidateTriageForm(), _location_answer(make_tracker, "le bureau de Dakar", "outside_canada"))
    assert result.slots["decision_location"] == "outside_canada"
    assert "utter_decision_location_is_the_office" not in result.responses


LETTER = """Immigration, Refugees and Citizenship Canada
Embassy of Canada, Paris - Visa Section
November 12, 2026
Application number: E001234567

Dear Applicant,

I have completed the assessment of your application for permanent residence as a member of the Canadian
Experience Class. You did not provide the police certificate requested. Your application is refused.
"""
# What the NLU reads in LETTER and the message carries; the history keeps these facts, not the letter's text.
LETTER_READ = {LETTER_FACTS_KEY: read_letter(LETTER, date(2026, 12, 4)).as_facts()}
# As the history keeps it: the facts in French in place of the text (their date, too, is in words).
LETTER_TOLD = {
    "event": "user",
    "text": letter_in_words(read_letter(LETTER, date(2026, 12, 4))),
    "parse_data": {"intent": {"name": "refusal_missing_documents"}, **LETTER_READ},
}


def test_a_pasted_letter_s_program_office_and_date_are_said_back_not_asked(make_tracker, run_action):
    told = [LETTER_TOLD]
    tracker = make_tracker(
        "oui",
        "affirm",
        slots={"refusal_causes": ["missing_documents"]},
        active_loop=FORM,
        history=told,
    )
    result = run_action(ValidateTriageForm(), tracker)
    assert (result.slots["program"], result.slots["authority"]) == ("cec", "ircc")
    assert result.slots["decision_location"] == "outside_canada"
    assert result.slots["decision_date"] == "2026-11-12"
    assert result.message("utter_decision_location_in_letter_outside_canada")["office"] == "Paris"
    assert result.message("utter_decision_date_in_letter")["decision_date"] == "jeudi 12 novembre 2026"
    assert result.responses[0] == "utter_program_in_letter_cec"
    # Nothing left to ask: the remedies come next.
    assert result.slots.get("requested_slot") is None


def test_an_answer_the_person_gave_is_not_overwritten_by_the_letter(make_tracker, run_action):
    told = [
        LETTER_TOLD,
        {"event": "user", "text": "la décision a été prise au Canada", "parse_data": {"intent": {"name": "inform"}}},
        {"event": "slot", "name": "decision_location", "value": "in_canada"},
    ]
    tracker = make_tracker(
        "oui",
        "affirm",
        slots={"refusal_causes": ["missing_documents"], "decision_location": "in_canada"},
        active_loop=FORM,
        history=told,
    )
    result = run_action(ValidateTriageForm(), tracker)
    assert "utter_decision_location_in_letter_outside_canada" not in result.responses
    assert result.slots.get("decision_location") != "outside_canada"


def test_after_a_restart_a_new_letter_s_facts_are_taken_again(make_tracker, run_action):
    told = [
        {"event": "slot", "name": "decision_location", "value": "in_canada"},
        {"event": "restart"},
        LETTER_TOLD,
    ]
    tracker = make_tracker(
        "oui", "affirm", slots={"refusal_causes": ["missing_documents"]}, active_loop=FORM, history=told
    )
    result = run_action(ValidateTriageForm(), tracker)
    assert result.slots["decision_location"] == "outside_canada"


def test_a_date_in_a_letter_s_quoted_grounds_is_not_taken_for_the_person_s_own(make_tracker, run_action):
    facts = dict(LETTER_READ[LETTER_FACTS_KEY], quotes=["Votre demande a été refusée le 3 novembre 2026."])
    kept = {**LETTER_TOLD, "parse_data": {**LETTER_TOLD["parse_data"], LETTER_FACTS_KEY: facts}}
    kept["text"] = letter_in_words(LetterReading.from_facts(facts))
    tracker = make_tracker(
        "oui", "affirm", slots={"refusal_causes": ["missing_documents"]}, active_loop=FORM, history=[kept]
    )
    result = run_action(ValidateTriageForm(), tracker)
    assert result.slots["decision_date"] == "2026-11-12"
    assert "utter_decision_date_in_letter" in result.responses
