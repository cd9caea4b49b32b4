import pytest
from sqlalchemy import select

from actions.consultation import ActionCancelConsultation, ActionSubmitConsultation
from bot.settings import notice_settings, pending_case_settings
from bot.storage import pending_cases
from bot.storage.case_records import list_cases
from bot.storage.database import make_engine, shared_engine, upgrade
from bot.storage.pending_cases import shared_pending_cases
from bot.storage.schema import notices

pytestmark = pytest.mark.unit

SITUATION = {
    "refusal_causes": ["officer_error"],
    "program": "fsw",
    "authority": "ircc",
    "decision_location": "in_canada",
    "decision_date": "2026-11-18",
}
CONTACT = {
    "consultation_consent": "given",
    "contact_name": "Awa Diop",
    "contact_email": "awa@example.org",
    "contact_phone": "+15145550199",
    "contact_method": "phone",
    "contact_moments": "le soir",
    "consultation_confirmed": "yes",
}
STORY = [
    {
        "event": "user",
        "text": "l'agent n'a pas lu mes lettres d'employeur",
        "parse_data": {"intent": {"name": "refusal_officer_error"}},
    },
    {"event": "slot", "name": "consultation_consent", "value": "given", "timestamp": 1796040000.0},
]


@pytest.fixture
def database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'assistant.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("NOTICE_EMAIL_TO", "equipe@cabinet.example")
    monkeypatch.setenv("NOTICE_WEBHOOK_URL", "http://127.0.0.1:9/cases")
    upgrade(url)
    shared_engine.cache_clear()
    notice_settings.cache_clear()
    engine = make_engine(url)
    yield engine
    engine.dispose()
    shared_engine().dispose()
    shared_engine.cache_clear()
    notice_settings.cache_clear()


def submit(make_tracker, run_action, slots, history=STORY):
    tracker = make_tracker("oui", "affirm", slots=slots, history=history, active_loop=None)
    return run_action(ActionSubmitConsultation(), tracker)


def test_the_description_leaves_out_a_story_told_before_a_restart(database, make_tracker, run_action):
    forgotten = [
        {
            "event": "user",
            "text": "refusé pour fausse déclaration",
            "parse_data": {"intent": {"name": "refusal_misrepresentation"}},
        },
        {"event": "restart"},
    ]
    submit(make_tracker, run_action, dict(SITUATION, **CONTACT), history=forgotten + STORY)
    [case] = list_cases(database)
    assert case.description == "l'agent n'a pas lu mes lettres d'employeur"


def test_a_confirmed_request_is_stored_with_its_summary_and_notices(database, make_tracker, run_action):
    run = submit(make_tracker, run_action, dict(SITUATION, **CONTACT))
    [case] = list_cases(database)
    assert (case.name, case.email, case.phone) == ("Awa Diop", "awa@example.org", "+15145550199")
    assert case.contact_method == "phone"
    assert case.causes == ("officer_error",) and case.program == "fsw" and case.decision_location == "in_canada"
    assert case.urgent and case.professional == "lawyer" and case.days_left == 4
    assert case.description == "l'agent n'a pas lu mes lettres d'employeur"
    assert case.consent_version == "2026-11-29" and case.channel == "rest"

    sent = run.message("utter_consultation_sent_urgent")
    assert sent["reference"] == case.reference
    assert sent["method"] == "par téléphone"
    assert sent["contact_by"] == "lundi 30 novembre 2026"  # one business day after Sunday the 29th
    assert "utter_consultation_summary" in run.responses and "utter_consultation_your_rights" in run.responses
    assert run.slots["consultation_reference"] == case.reference
    assert run.slots["contact_email"] is None  # the form is emptied; the case keeps the details

    with database.connect() as connection:
        queued = {row.kind: row.payload for row in connection.execute(select(notices))}
    assert queued["email"]["subject"] == f"URGENT - délai à la Cour fédérale - demande {case.reference}"
    assert "Awa Diop" in queued["email"]["body"] and "+1 514-555-0199" in queued["email"]["body"]
    assert "Motif(s) du refus" in queued["email"]["body"]
    # The person's words are quoted, so that none passes for the assistant's own lines.
    assert "\n> l'agent n'a pas lu mes lettres d'employeur\n" in queued["email"]["body"]
    assert queued["webhook"]["reference"] == case.reference and queued["webhook"]["urgent"] is True


def test_a_calm_case_gets_the_usual_delay(database, make_tracker, run_action):
    situation = dict(
        SITUATION, decision_date="2026-11-20", decision_location="outside_canada", refusal_causes=["low_score"]
    )
    run = submit(make_tracker, run_action, dict(situation, **CONTACT))
    sent = run.message("utter_consultation_sent")
    assert sent["contact_by"] == "mardi 1 décembre 2026"
    assert list_cases(database)[0].professional == "cric"


def test_refused_consent_stores_nothing_and_gives_the_firm_s_details(database, make_tracker, run_action):
    run = submit(make_tracker, run_action, dict(SITUATION, consultation_consent="refused"))
    assert list_cases(database) == []
    assert run.responses[:2] == ["utter_consent_refused", "utter_handoff"]
    assert run.slots["consultation_consent"] is None  # asked again if the person changes their mind


def test_a_second_request_after_sending_does_not_store_again(database, make_tracker, run_action):
    first = submit(make_tracker, run_action, dict(SITUATION, **CONTACT))
    reference = first.slots["consultation_reference"]
    again = submit(make_tracker, run_action, dict(SITUATION, consultation_reference=reference))
    assert again.message("utter_consultation_already_sent")["reference"] == reference
    assert len(list_cases(database)) == 1


@pytest.fixture
def database_down(monkeypatch):
    # No service: the database is a closed port, refused at once, and tried only once.
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://nobody@127.0.0.1:1/none")
    monkeypatch.setattr(pending_cases, "CASE_SAVE_WAITS", ())
    shared_engine.cache_clear(), pending_case_settings.cache_clear()
    yield
    shared_engine().dispose()
    shared_engine.cache_clear(), pending_case_settings.cache_clear()


def test_a_database_that_is_down_delays_the_case_and_the_person_keeps_their_reference(
    database_down, make_tracker, run_action, pending_cases_folder, tmp_path
):
    run = submit(make_tracker, run_action, dict(SITUATION, **CONTACT))
    reference = run.message("utter_consultation_sent_urgent")["reference"]  # 15 days from 18 November
    assert run.slots["consultation_reference"] == reference
    assert len(list(pending_cases_folder.glob("*.json"))) == 1

    url = f"sqlite:///{tmp_path / 'back.db'}"
    upgrade(url)
    engine = make_engine(url)
    assert shared_pending_cases().flush(engine) == 1
    (stored,) = list_cases(engine)
    assert (stored.reference, stored.email) == (reference, "awa@example.org")
    engine.dispose()


def test_a_database_down_and_no_disk_to_keep_the_case_gets_a_clear_answer_and_keeps_the_answers(
    database_down, make_tracker, run_action, pending_cases_folder
):
    pending_cases_folder.write_text("a file where the folder should be")
    run = submit(make_tracker, run_action, dict(SITUATION, **CONTACT))
    assert run.responses[:2] == ["utter_consultation_not_saved", "utter_handoff"]
    assert run.events == []


def test_cancelling_stores_nothing_and_empties_the_form(database, make_tracker, run_action):
    history = STORY + [
        {"event": "user", "text": "awa@example.org", "parse_data": {"intent": {"name": "inform"}}},
        {"event": "slot", "name": "contact_email", "value": "awa@example.org"},
    ]
    run = run_action(
        ActionCancelConsultation(),
        make_tracker(
            "annuler", "cancel", slots=dict(SITUATION, **CONTACT), history=history, active_loop="consultation_form"
        ),
    )
    assert list_cases(database) == []
    assert run.responses[:2] == ["utter_consultation_cancelled", "utter_handoff"]
    assert all(run.slots[slot] is None for slot in CONTACT)


def test_a_pasted_line_that_imitates_the_notice_stays_inside_the_quotation(database, make_tracker, run_action):
    forged = "mon agent a tout ignoré\n----------\nRéférence : AAAAAAAA\nURGENT"
    story = [{"event": "user", "text": forged, "parse_data": {"intent": {"name": "refusal_officer_error"}}}] + STORY[1:]
    submit(make_tracker, run_action, dict(SITUATION, **CONTACT), history=story)
    with database.connect() as connection:
        body = next(row.payload["body"] for row in connection.execute(select(notices)) if row.kind == "email")
    assert "\n> ----------\n> Référence : AAAAAAAA\n> URGENT\n" in body


def test_a_button_typed_as_its_number_is_not_erased_from_the_conversation_on_cancel(make_tracker):
    from actions.consultation import typed_contact_details

    history = STORY + [
        {"event": "user", "text": "2", "parse_data": {"text": '/inform{"contact_method":"phone"}'}},
        {"event": "slot", "name": "contact_method", "value": "phone"},
        {"event": "user", "text": "Awa Diop", "parse_data": {"text": "Awa Diop", "intent": {"name": "inform"}}},
        {"event": "slot", "name": "contact_name", "value": "Awa Diop"},
    ]
    tracker = make_tracker("annuler", "cancel", slots=dict(SITUATION, **CONTACT), history=history)
    # Only the name is erased: "2" would turn every date of the conversation into "[retiré]0[retiré]6".
    assert typed_contact_details(tracker) == ["Awa Diop", "Awa Diop"]
