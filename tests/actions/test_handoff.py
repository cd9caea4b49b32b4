import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.case_slots import case_from_tracker
from actions.handoff import ActionHandoff, summary_lines, utter_firm_contact
from bot.settings import firm_settings

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def firm(monkeypatch):
    monkeypatch.setenv("FIRM_NAME", "Cabinet Test")
    monkeypatch.setenv("FIRM_CRIC_LICENCE", "R123456")
    monkeypatch.setenv("FIRM_BOOKING_URL", "https://rdv.example.org")
    firm_settings.cache_clear()
    yield
    firm_settings.cache_clear()


def test_gives_the_firm_details_from_configuration():
    dispatcher = CollectingDispatcher()
    utter_firm_contact(dispatcher, [])
    [handoff] = dispatcher.messages
    assert handoff["firm_name"] == "Cabinet Test"
    assert handoff["cric_licence"] == "R123456"
    assert handoff["booking_url"] == "https://rdv.example.org"


def summary(domain, make_tracker, slots):
    tracker = make_tracker("oui", "request_consultation", slots=slots)
    case = case_from_tracker(tracker)
    from bot.domain.remedies import recommend
    from tests.conftest import TODAY

    return summary_lines(domain, tracker, case, recommend(case, TODAY).deadline if case.causes else None)


def test_summary_keeps_everything_the_person_gave(domain, make_tracker):
    slots = {
        "refusal_causes": ["missing_documents", "misrepresentation"],
        "program": "cec",
        "authority": "ircc",
        "fairness_letter": "not_open",
        "decision_location": "unknown",
        "decision_date": "2026-11-25",
        "document": ["language_test", "test de", "language_test", "proof_of_funds"],
        "province": "nova_scotia",
    }
    assert summary(domain, make_tracker, slots) == [
        "- Motif(s) du refus : Des documents manquants, expirés ou incorrects; "
        "Une fausse déclaration (ou une omission) reprochée",
        "- Programme : CEC (expérience canadienne)",
        "- Décision rendue par : IRCC",
        "- Lettre d'équité procédurale en cours : non",
        "- Bureau qui a décidé : inconnu",
        "- Date de la lettre : mercredi 25 novembre 2026",
        "- Dernier jour pour la Cour fédérale : jeudi 10 décembre 2026",
        "- Document(s) en cause : test de langue, preuve de fonds",
        "- Province : Nouvelle-Écosse",
    ]


def test_urgent_deadline_sends_to_a_lawyer_before_any_question(make_tracker, run_action):
    slots = {
        "refusal_causes": ["officer_error"],
        "program": "fsw",
        "authority": "ircc",
        "decision_location": "in_canada",
        "decision_date": "2026-11-18",
    }
    result = run_action(ActionHandoff(), make_tracker("oui", "request_consultation", slots=slots))
    assert result.responses == ["utter_handoff_see_lawyer_now"]


def test_nothing_urgent_means_straight_to_the_consent_question(make_tracker, run_action):
    result = run_action(ActionHandoff(), make_tracker("parler à un humain", "request_human"))
    assert result.responses == [] and result.events == []


def test_a_value_without_a_label_is_left_out_rather_than_failing(domain, make_tracker):
    # A program entity found outside the questions is stored as the NLU cut it.
    slots = {"refusal_causes": ["low_score"], "program": "programme fédéral", "authority": "ircc"}
    assert summary(domain, make_tracker, slots) == [
        "- Motif(s) du refus : Un score SCG trop bas ou des points insuffisants",
        "- Décision rendue par : IRCC",
    ]


def test_an_expired_deadline_also_sends_to_a_lawyer_first_and_says_why(make_tracker, run_action):
    slots = {
        "refusal_causes": ["officer_error"],
        "program": "fsw",
        "authority": "ircc",
        "decision_location": "in_canada",
        "decision_date": "2026-10-01",
    }
    result = run_action(ActionHandoff(), make_tracker("oui", "request_consultation", slots=slots))
    assert result.responses == ["utter_handoff_see_lawyer_now_expired"]
