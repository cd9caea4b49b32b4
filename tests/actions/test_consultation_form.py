import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.consultation_form import (
    ActionAskConsultationConfirmed,
    ActionAskConsultationConsent,
    ValidateConsultationForm,
)
from bot.settings import privacy_settings

pytestmark = pytest.mark.unit

FORM = "consultation_form"
CONTACT = {"consultation_consent": "given", "contact_name": "Awa Diop"}


def validate(make_tracker, domain, text, slot, extracted=None, slots=None, intent="inform", entities=()):
    """Runs the form's validation as Rasa does, for the answer `text` to the question `slot`."""
    tracker = make_tracker(
        text,
        intent,
        slots=dict(slots or {}, requested_slot=slot),
        extracted=extracted,
        entities=entities,
        active_loop=FORM,
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateConsultationForm().run(dispatcher, tracker, domain))
    values = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return values, [m.get("response") for m in dispatcher.messages]


def required(make_tracker, domain, **slots):
    tracker = make_tracker("", slots=slots, active_loop=FORM)
    return asyncio.run(ValidateConsultationForm().required_slots([], CollectingDispatcher(), tracker, domain))


def test_consent_comes_first_and_a_refusal_ends_the_questions(make_tracker, domain):
    assert required(make_tracker, domain)[0] == "consultation_consent"
    assert required(make_tracker, domain, consultation_consent="refused") == ["consultation_consent"]


def test_the_contact_method_is_asked_only_when_there_is_a_choice(make_tracker, domain):
    both = required(make_tracker, domain, contact_email="a@b.org", contact_phone="+15145550199")
    email_only = required(make_tracker, domain, contact_email="a@b.org", contact_phone="none")
    assert "contact_method" in both
    assert "contact_method" not in email_only
    assert email_only[-2:] == ["contact_moments", "consultation_confirmed"]


def test_nothing_is_asked_once_the_case_is_sent(make_tracker, domain):
    assert required(make_tracker, domain, consultation_reference="ACDEFGHJ") == []


def test_a_name_is_taken_from_a_sentence(make_tracker, domain):
    values, said = validate(make_tracker, domain, "je m'appelle Aminata Traoré", "contact_name", slots=CONTACT)
    assert values["contact_name"] == "Aminata Traoré" and said == []


@pytest.mark.parametrize("text", ["awa@", "awa.gmail.com", "mon mail"])
def test_a_bad_email_is_asked_again_with_an_example(make_tracker, domain, text):
    values, said = validate(make_tracker, domain, text, "contact_email", slots=CONTACT)
    assert values["contact_email"] is None
    assert said == ["utter_invalid_contact_email"]
    assert "par exemple" in domain["responses"]["utter_invalid_contact_email"][0]["text"]


def test_a_good_email_is_normalized(make_tracker, domain):
    values, _ = validate(make_tracker, domain, "c'est Awa.Diop@Exemple.COM", "contact_email", slots=CONTACT)
    assert values["contact_email"] == "Awa.Diop@exemple.com"


@pytest.mark.parametrize("text", ["06 12 34 56 78", "12 34", "514-555"])
def test_a_bad_phone_is_asked_again_with_the_country_code_example(make_tracker, domain, text):
    values, said = validate(make_tracker, domain, text, "contact_phone", slots=CONTACT)
    assert values["contact_phone"] is None and said == ["utter_invalid_contact_phone"]
    assert "+33" in domain["responses"]["utter_invalid_contact_phone"][0]["text"]


def test_an_international_phone_is_stored_in_e164(make_tracker, domain):
    values, _ = validate(make_tracker, domain, "+243 81 234 5678", "contact_phone", slots=CONTACT)
    assert values["contact_phone"] == "+243812345678"


def test_skipping_both_email_and_phone_is_not_possible(make_tracker, domain):
    slots = dict(CONTACT, contact_email="none")
    values, said = validate(make_tracker, domain, "passer", "contact_phone", {"contact_phone": "none"}, slots, "skip")
    assert values["contact_phone"] is None and said == ["utter_contact_needed"]

    slots = dict(CONTACT, contact_email="awa@example.org")
    values, said = validate(make_tracker, domain, "passer", "contact_phone", {"contact_phone": "none"}, slots, "skip")
    assert values["contact_phone"] == "none" and said == []


def test_the_method_comes_from_the_entity_or_is_asked_again(make_tracker, domain):
    both = dict(CONTACT, contact_email="awa@example.org", contact_phone="+15145550199")
    entity = [{"entity": "contact_method", "value": "whatsapp"}]
    extracted = {"contact_method": "whatsapp"}
    values, _ = validate(make_tracker, domain, "par whatsapp", "contact_method", extracted, both, entities=entity)
    assert values["contact_method"] == "whatsapp"
    values, said = validate(make_tracker, domain, "par pigeon", "contact_method", slots=both)
    assert values["contact_method"] is None and said == ["utter_invalid_contact_method"]


def test_a_cancel_or_a_correction_is_not_taken_as_an_answer(make_tracker, domain):
    for intent in ("cancel", "change_answer"):
        values, said = validate(make_tracker, domain, "annuler", "contact_name", slots=CONTACT, intent=intent)
        assert "contact_name" not in values and said == []


def test_the_consent_question_says_purpose_readers_retention_and_erasure(make_tracker, run_action, domain, monkeypatch):
    monkeypatch.setenv("CASE_RETENTION_DAYS", "180")
    privacy_settings.cache_clear()
    try:
        run = run_action(ActionAskConsultationConsent(), make_tracker("oui", "request_consultation"))
    finally:
        privacy_settings.cache_clear()
    message = run.message("utter_ask_consultation_consent")
    assert message["retention_days"] == 180 and message["firm_email"]
    text = domain["responses"]["utter_ask_consultation_consent"][0]["text"]
    for words in ("Pourquoi", "Qui les verra", "Combien de temps", "effacer"):
        assert words in text


def test_the_recap_shows_the_answers_and_a_no_offers_corrections(make_tracker, run_action):
    slots = dict(
        CONTACT,
        contact_email="awa@example.org",
        contact_phone="+15145550199",
        contact_method="phone",
        contact_moments="none",
    )
    tracker = make_tracker("le soir", "inform", slots=slots, active_loop=FORM)
    recap = run_action(ActionAskConsultationConfirmed(), tracker)
    lines = recap.message("utter_ask_consultation_confirmed")["recap"].splitlines()
    assert lines == [
        "- Nom : Awa Diop",
        "- Courriel : awa@example.org",
        "- Téléphone : +1 514-555-0199",
        "- Contact préféré : par téléphone",
    ]

    no = run_action(ActionAskConsultationConfirmed(), make_tracker("non", "deny", slots=slots, active_loop=FORM))
    buttons = no.message("utter_ask_contact_to_change")["buttons"]
    assert [b["title"] for b in buttons] == [
        "Le nom",
        "Le courriel",
        "Le téléphone",
        "Le moyen de contact",
        "Annuler la demande",
    ]
    assert buttons[1]["payload"] == '/change_answer{"answer_to_change":"contact_email"}'


def test_a_hesitant_yes_or_no_is_read_from_the_best_intent(make_tracker, domain):
    ranking = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "deny", "confidence": 0.35}]
    tracker_args = dict(intent="nlu_fallback", slots={"requested_slot": "consultation_consent"})
    tracker = make_tracker("non merci je refuse", intent_ranking=ranking, active_loop=FORM, **tracker_args)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateConsultationForm().run(dispatcher, tracker, domain))
    assert {"event": "slot", "name": "consultation_consent", "value": "refused", "timestamp": None} in events


def test_an_answer_that_is_neither_yes_nor_no_is_asked_again(make_tracker, domain):
    values, said = validate(make_tracker, domain, "peut-être", "consultation_consent", intent="out_of_scope")
    assert values["consultation_consent"] is None and said == ["utter_invalid_consultation_consent"]


def test_a_phone_answer_without_any_digit_means_no_phone(make_tracker, domain):
    values, said = validate(
        make_tracker, domain, "pas de cellulaire", "contact_phone", slots=dict(CONTACT, contact_email="awa@example.org")
    )
    assert values["contact_phone"] == "none" and said == []
    values, said = validate(
        make_tracker, domain, "pas de cellulaire", "contact_phone", slots=dict(CONTACT, contact_email="none")
    )
    assert values["contact_phone"] is None and said == ["utter_contact_needed"]


@pytest.mark.parametrize("text, intent", [("je ne sais pas", "dont_know"), ("oui", "affirm"), ("passer", "skip")])
def test_a_message_surely_meaning_something_else_is_not_taken_as_a_name(make_tracker, domain, text, intent):
    values, said = validate(make_tracker, domain, text, "contact_name", slots=CONTACT, intent=intent)
    assert values["contact_name"] is None and said == ["utter_invalid_contact_name"]


def test_details_given_together_fill_every_question_they_answer(make_tracker, domain):
    consented = {"consultation_consent": "given"}
    values, said = validate(
        make_tracker, domain, "Awa Diop, awa@example.org, 514 555 0199", "contact_name", slots=consented
    )
    assert values == {"contact_name": "Awa Diop", "contact_email": "awa@example.org", "contact_phone": "+15145550199"}
    assert said == []


def test_a_phone_given_for_the_email_question_keeps_the_phone_and_skips_the_email(make_tracker, domain):
    values, said = validate(make_tracker, domain, "appelez-moi plutôt au 438 555 0123", "contact_email", slots=CONTACT)
    assert values["contact_email"] == "none" and values["contact_phone"] == "+14385550123"
    assert said == []


def test_nothing_is_read_before_consent(make_tracker, domain):
    values, _ = validate(make_tracker, domain, "awa@example.org", "consultation_consent", intent="inform")
    assert "contact_email" not in values


def test_a_button_payload_is_never_kept_as_a_free_text_answer(make_tracker, domain):
    slots = dict(CONTACT, contact_email="awa@example.org", contact_phone="none")
    values, _ = validate(make_tracker, domain, "/affirm", "contact_moments", slots=slots, intent="affirm")
    assert values.get("contact_moments") != "/affirm"
