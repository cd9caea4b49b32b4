import pytest

from actions.handoff import ActionHandoff
from bot.settings import firm_settings


@pytest.fixture(autouse=True)
def firm(monkeypatch):
    monkeypatch.setenv("FIRM_NAME", "Cabinet Test")
    monkeypatch.setenv("FIRM_CRIC_LICENCE", "R123456")
    monkeypatch.setenv("FIRM_BOOKING_URL", "https://rdv.example.org")
    firm_settings.cache_clear()
    yield
    firm_settings.cache_clear()


def test_gives_the_firm_details_from_configuration(make_tracker, run_action):
    result = run_action(ActionHandoff(), make_tracker("parler à un humain", "request_human"))
    handoff = result.message("utter_handoff")
    assert handoff["firm_name"] == "Cabinet Test"
    assert handoff["cric_licence"] == "R123456"
    assert handoff["booking_url"] == "https://rdv.example.org"
    # Nothing was said yet: no summary to give.
    assert result.responses == ["utter_handoff"]


def test_summary_keeps_everything_the_person_gave(make_tracker, run_action):
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
    result = run_action(ActionHandoff(), make_tracker("oui", "request_consultation", slots=slots))
    summary = result.message("utter_handoff_summary")["summary"].splitlines()
    assert summary == [
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


def test_urgent_deadline_sends_to_a_lawyer_first(make_tracker, run_action):
    slots = {"refusal_causes": ["officer_error"], "program": "fsw", "authority": "ircc",
             "decision_location": "in_canada", "decision_date": "2026-11-18"}
    result = run_action(ActionHandoff(), make_tracker("oui", "request_consultation", slots=slots))
    assert result.responses[:2] == ["utter_handoff_see_lawyer_now", "utter_handoff"]


def test_a_value_without_a_label_is_left_out_rather_than_failing(make_tracker, run_action):
    # A program entity found outside the questions is stored as the NLU cut it.
    slots = {"refusal_causes": ["low_score"], "program": "programme fédéral", "authority": "ircc"}
    result = run_action(ActionHandoff(), make_tracker("un humain svp", "request_human", slots=slots))
    summary = result.message("utter_handoff_summary")["summary"].splitlines()
    assert summary == ["- Motif(s) du refus : Un score SCG trop bas ou des points insuffisants",
                       "- Décision rendue par : IRCC"]
