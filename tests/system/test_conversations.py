"""Whole conversations against the trained model and a real action server."""

from __future__ import annotations

from datetime import timedelta

import pytest

# Bound before the autouse fixture pins `clock.today`: the action server runs on the real calendar.
from bot.domain import clock
from bot.domain.case import DecisionLocation
from bot.domain.clock import today as real_today
from bot.domain.dates import format_french_date
from bot.domain.deadlines import judicial_review_deadline
from tests.system.assistant import ActionServer, Conversation, start_agent

pytestmark = pytest.mark.system


@pytest.fixture(scope="module")
def agent(tmp_path_factory):
    with ActionServer(tmp_path_factory.mktemp("actions") / "actions.log") as server:
        yield start_agent(server)


@pytest.fixture
def chat(agent, monkeypatch):
    # The NLU runs in this process (the letter reader dates a letter against today): on the servers' calendar.
    monkeypatch.setattr(clock, "today", real_today)
    return Conversation(agent)


def buttons(messages):
    return [button["title"] for message in messages for button in message.get("buttons") or []]


def reach_date_question(chat, story="mon test de langue a expiré"):
    chat.say(story)
    assert "Dites-moi" not in chat.say_text("/affirm")
    assert "au Canada ou à l'étranger" in chat.say_text('/inform{"program":"fsw"}')
    assert "À quelle date" in chat.say_text('/inform{"location":"in_canada"}')


def test_a_greeting_opens_with_who_the_assistant_is_and_the_article_question(chat):
    text = chat.say_text("bonjour")
    assert "assistant virtuel" in text
    assert "pas un avis juridique" in text
    assert "Confidentialité" in text
    assert "Avez-vous déjà reçu un refus" in text and "Dites-moi où vous en êtes" in text
    assert text.count("Dites-moi où vous en êtes") == 1


def test_a_story_goes_straight_to_the_restatement(chat):
    messages = chat.say("mon test de langue a expiré")
    text = "\n".join(m.get("text") or "" for m in messages)
    assert "pas un avis juridique" in text
    assert "Si je comprends bien" in text
    restated = text.split("Si je comprends bien")[1]
    assert "documents manquants, expirés ou incorrects" in restated
    assert "erreur de l'agent" not in restated
    assert buttons(messages) == ["Oui", "Non"]


def test_from_the_story_to_the_remedies_and_the_handoff(chat):
    reach_date_question(chat)
    decision = real_today() - timedelta(days=3)
    text = chat.say_text(decision.strftime("%d/%m/%Y"))
    expected = judicial_review_deadline(DecisionLocation.IN_CANADA, decision, real_today())
    assert f"au plus tard le {format_french_date(expected.last_day)}" in text
    assert f"Il vous reste {expected.days_left} jours" in text
    # In order: réexamen, then the Federal Court, then a new profile.
    assert text.index("réexamen") < text.index("Contrôle judiciaire") < text.index("nouveau profil")
    assert "Source :" in text and "revu le" in text
    assert "Souhaitez-vous une consultation" in text

    consent = chat.say_text("/request_consultation")
    assert "Acceptez-vous" in consent and "Combien de temps" in consent
    # Refusing stores nothing and gives the firm's details and the summary instead.
    handoff = chat.say_text("non merci, je refuse")
    assert "je n'enregistre rien" in handoff
    assert "Téléphone" in handoff and "permis" in handoff
    assert "Programme : PTQF" in handoff
    assert f"Date de la lettre : {format_french_date(decision)}" in handoff


def test_two_causes_in_one_message_are_both_restated_and_covered(chat):
    text = chat.say_text("mon test de langue avait expiré et ils parlent de fausse déclaration")
    assert "documents manquants" in text and "fausse déclaration" in text
    chat.say("/affirm")
    assert "lettre d'équité procédurale" in chat.say_text('/inform{"program":"cec"}')
    assert "au Canada ou à l'étranger" in chat.say_text("/deny")
    chat.say('/inform{"location":"outside_canada"}')
    remedies = chat.say_text("hier")
    assert "5 ans" in remedies and "réexamen" in remedies
    assert "60 jours" in remedies


def test_unknown_place_and_date_use_the_shorter_limit_and_say_so(chat):
    chat.say("on m'a refusé mais la lettre ne dit pas pourquoi")
    chat.say("/affirm")
    chat.say('/inform{"program":"fsw"}')
    chat.say("/dont_know")
    text = chat.say_text("/dont_know")
    assert "délai le plus court, 15 jours" in text
    assert "notes du SMGC" in text


def test_expired_deadline_explains_what_remains(chat):
    reach_date_question(chat)
    text = chat.say_text("02/01/2026")
    assert "le délai est passé" in text
    assert "prolongation" in text


def test_a_quebec_selection_refused_by_mifi_goes_to_quebec_s_remedies_with_no_federal_deadline(chat):
    chat.say("mon score était trop bas")
    chat.say("/affirm")
    asked = chat.say_text('/inform{"program":"quebec"}')
    assert "La sélection du Québec (le CSQ), par le MIFI, ou la résidence permanente, par IRCC" in asked
    text = chat.say_text('/inform{"authority":"mifi"}')
    assert "professionnel habilité au Québec" in text and "Cour supérieure du Québec" in text
    assert "au plus tard le" not in text and "15 jours" not in text


def test_a_quebec_selected_person_refused_by_ircc_gets_the_federal_court_questions(chat):
    chat.say("mon score était trop bas")
    chat.say("/affirm")
    chat.say('/inform{"program":"quebec"}')
    assert "au Canada ou à l'étranger" in chat.say_text('/inform{"authority":"ircc"}')


def test_a_nomination_refused_by_the_province_goes_to_the_province_never_to_the_federal_court(chat):
    chat.say("/refusal_pnp_criteria")
    chat.say("/affirm")
    asked = chat.say_text('/inform{"program":"pnp"}')
    assert "La nomination, par la province, ou la résidence permanente, par IRCC" in asked
    text = chat.say_text('/inform{"authority":"province"}')
    assert "cour supérieure de la province" in text and "ne s'applique pas" in text
    assert "au plus tard le" not in text


def test_no_invitation_is_not_a_refusal_and_gets_no_deadline(chat):
    text = chat.say_text("Ça fait 11 mois que mon profil est dans le bassin et je n'ai toujours reçu aucune invitation")
    assert "n'est pas un refus" in text
    assert "Si je comprends bien" not in text
    assert "au plus tard le" not in text and "15 jours" not in text
    assert "Source :" in text and "revu le" in text
    # What the person said is kept for the firm, even with no cause of refusal.
    chat.say("/request_consultation")
    handoff = chat.say_text("non merci, je refuse")
    assert "Situation : pas encore d'invitation" in handoff


def test_a_study_permit_refusal_is_out_of_scope_and_said_plainly(chat):
    text = chat.say_text("On vient de refuser mon permis d'études pour la session d'automne")
    assert "permis d'études" in text and "consultation" in text
    assert "Si je comprends bien" not in text and "au plus tard le" not in text


def test_an_open_fairness_letter_is_answered_first(chat):
    text = chat.say_text(
        "IRCC m'a envoyé une lettre d'équité procédurale sur mon expérience et je dois répondre d'ici deux semaines"
    )
    assert "la plus urgente" in text and "Répondez dans le délai" in text
    assert "au plus tard le" not in text
    # The help offered is a question: "oui" starts the consultation request.
    assert "Acceptez-vous" in chat.say_text("oui")
    assert chat.tracker().active_loop_name == "consultation_form"


def test_a_situation_told_during_the_questions_ends_them_and_drops_the_deadline(chat):
    chat.say("mon score était trop bas")
    chat.say("/affirm")
    text = chat.say_text("/in_process")
    assert "n'est pas refusée" in text
    assert chat.tracker().active_loop_name is None
    assert chat.tracker().get_slot("refusal_causes") is None


def test_restart_mid_way_forgets_everything(chat):
    reach_date_question(chat)
    text = chat.say_text("recommencer")
    assert "C'est reparti de zéro" in text
    assert text.index("C'est reparti") < text.index("Dites-moi où vous en êtes")
    assert "Désolé" not in text
    assert chat.tracker().get_slot("program") is None
    assert chat.tracker().get_slot("refusal_causes") is None


def test_asking_for_a_human_mid_way_leads_to_the_consultation_request(chat):
    reach_date_question(chat)
    text = chat.say_text("je veux parler à un humain")
    assert "Acceptez-vous" in text
    assert chat.tracker().active_loop_name == "consultation_form"
    text = chat.say_text("stop")
    assert "rien n'a été enregistré" in text
    assert "Téléphone" in text and "documents manquants" in text
    assert chat.tracker().active_loop_name is None


def test_contact_answers_are_checked_corrected_and_skipped(chat):
    reach_date_question(chat)
    chat.say("il y a 3 jours")
    chat.say("/request_consultation")
    assert "Quel est votre nom" in chat.say_text("oui j'accepte")
    assert "adresse courriel" in chat.say_text("Fatou Ndiaye")
    assert "ne semble pas valide" in chat.say_text("fatou.ndiaye@gmail")
    assert "numéro de téléphone" in chat.say_text("passer")
    assert "Il me faut au moins un moyen" in chat.say_text("je n'ai pas de téléphone non plus")
    assert "À quels moments" in chat.say_text("+33 6 12 34 56 78")
    recap = chat.say_text("peu importe")
    assert "Téléphone : +33 6 12 34 56 78" in recap and "Courriel" not in recap
    assert "Que voulez-vous corriger" in chat.say_text("/deny")
    assert "Quel est votre nom" in chat.say_text('/change_answer{"answer_to_change":"contact_name"}')
    recap = chat.say_text("Fatou N'Diaye")
    assert "Nom : Fatou N'Diaye" in recap and "Confirmez-vous" in recap
    assert "numéro de téléphone" in chat.say_text("je veux corriger mon numéro de téléphone")
    assert "Téléphone : +1 438-555-0123" in chat.say_text("438 555 0123")


def test_a_question_about_a_term_during_the_consent_is_answered_then_the_consent_asked_again(chat):
    chat.say("mon score était trop bas")
    chat.say("/request_consultation")
    text = chat.say_text("c'est quoi un CRIC ?")
    assert "CICC" in text and "Acceptez-vous" in text
    assert chat.tracker().active_loop_name == "consultation_form"


def test_a_question_about_a_term_mid_way_is_answered_then_the_question_comes_back(chat):
    chat.say("ma preuve de fonds a été refusée")
    chat.say("/affirm")
    text = chat.say_text("c'est quoi le SCG ?")
    assert "1 200 points" in text
    assert "Dans quel programme" in text


def test_changing_the_date_asks_it_again(chat):
    reach_date_question(chat)
    chat.say("hier")
    text = chat.say_text('/change_answer{"answer_to_change":"decision_date"}')
    assert "À quelle date" in text


def test_a_decision_date_in_the_story_is_said_back_not_asked_and_can_be_changed(chat):
    decision = real_today() - timedelta(days=3)
    chat.say(
        f"Ma demande PTQF a été refusée le {format_french_date(decision, weekday=False)}, "
        "mon test de langue avait expiré"
    )
    text = chat.say_text("/affirm")
    assert f"Je retiens la date de la décision que vous avez indiquée : le {format_french_date(decision)}" in text
    assert "À quelle date" not in text and "au Canada ou à l'étranger" in text
    remedies = chat.say_text('/inform{"location":"in_canada"}')
    expected = judicial_review_deadline(DecisionLocation.IN_CANADA, decision, real_today())
    assert f"au plus tard le {format_french_date(expected.last_day)}" in remedies
    # Typed as the assistant said: the date is asked, not read again from the story.
    assert "À quelle date" in chat.say_text("changer la date")


def test_a_wrong_restatement_offers_every_cause(chat):
    chat.say("mon test de langue a expiré")
    messages = chat.say("/deny")
    assert len(buttons(messages)) == 9


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "🙂🙂🙂",
        "x" * 5000,
        "mon dossier " * 420,
        "hello, my express entry application was refused",
        "hola, necesito ayuda con mi solicitud",
        "<script>alert('x')</script>",
        "<b>refus</b> <img src=x onerror=alert(1)>",
    ],
)
def test_bad_input_gets_a_french_answer_and_the_conversation_goes_on(chat, message):
    answer = chat.say_text(message)
    assert answer.strip(), f"no answer to {message[:30]!r}"
    assert "<script>" not in answer
    assert "Si je comprends bien" in chat.say_text("mon test de langue a expiré")


def test_english_gets_a_short_bilingual_answer(chat):
    text = chat.say_text("hello, do you speak english? my application got refused")
    assert "français" in text and "French" in text


@pytest.mark.parametrize(
    "date_text, answer",
    [
        ("31/02/2026", "n'existe pas"),
        ("25/12/2099", "dans le futur"),
        ("le 45 du mois", "Je n'ai pas reconnu de date"),
    ],
)
def test_bad_dates_are_asked_again_with_an_example(chat, date_text, answer):
    reach_date_question(chat)
    text = chat.say_text(date_text)
    assert answer in text
    assert "Réponse" not in text
    assert "À quelle date" in text
    assert "Contrôle judiciaire" in chat.say_text("il y a 3 jours")


def test_a_whole_conversation_logs_no_error(chat, capfd):
    capfd.readouterr()
    reach_date_question(chat)
    chat.say("il y a 3 jours")
    chat.say("/request_consultation")
    out, err = capfd.readouterr()
    for stream in (out, err):
        assert "Traceback" not in stream
        assert "[error" not in stream


def test_details_given_in_one_message_are_all_kept(chat):
    chat.say("ma lettre d'employeur n'était pas acceptée")
    chat.say("/request_consultation")
    chat.say("/affirm")
    text = chat.say_text("Awa Diop, awa.diop@example.org, 514 555 0199")
    assert "Comment préférez-vous être contacté" in text
    assert chat.tracker().get_slot("contact_phone") == "+15145550199"


def pasted_letter(decision, office="Edmonton, Alberta"):
    return f"""voici ma lettre, je comprends rien :

Immigration, Refugees and Citizenship Canada
{office}
{decision.strftime("%B %d, %Y")}

Application number: E001234567

Dear Applicant,

I have now completed the assessment of your application for a permanent resident visa as a member of the
Federal Skilled Worker class. Pursuant to subsection 75(2) of the Regulations, you must have at least one year
of continuous full-time work experience. The duties described in your reference letters do not match the
lead statement for the occupation you claimed. Your application is refused.

Sincerely,
Migration Officer
"""


def test_a_pasted_letter_is_read_back_in_its_own_words_and_its_date_office_and_program_are_not_asked(chat):
    decision = real_today() - timedelta(days=4)
    read = chat.say_text(pasted_letter(decision))
    assert "J'ai lu votre lettre" in read
    assert "«\u00a0The duties described in your reference letters do not match the lead statement" in read
    assert "Dispositions citées : RIPR, art. 75(2)." in read
    assert "expérience de travail" in read.split("Si je comprends bien")[1]
    told = chat.say_text("/affirm")
    assert chat.tracker().get_slot("program") == "fsw"
    assert "ce bureau : Edmonton, au Canada" in told
    assert f"datée du {format_french_date(decision)}" in told
    # Nothing the letter says is asked: only the fairness letter, which a refusal letter cannot tell.
    assert "lettre d'équité procédurale" in told
    assert "Quel programme" not in told and "À quelle date" not in told and "au Canada ou à l'étranger" not in told
    text = chat.say_text("/deny")
    expected = judicial_review_deadline(DecisionLocation.IN_CANADA, decision, real_today())
    assert f"au plus tard le {format_french_date(expected.last_day)}" in text


def test_a_returned_application_letter_is_no_refusal_and_gets_no_deadline(chat):
    text = chat.say_text(
        "Immigration, Réfugiés et Citoyenneté Canada\nCentre de réception centralisée, Sydney\nLe 2 novembre 2026\n"
        "Numéro de demande : E001112223\n\nMadame, Monsieur,\n\nVotre demande de résidence permanente au titre "
        "d'Entrée express est incomplète. Elle vous est retournée en application des articles 10 et 12 du "
        "Règlement. Les frais de traitement vous seront remboursés.\n"
    )
    assert "n'est pas un refus sur le fond" in text
    assert "Si je comprends bien" not in text and "au plus tard le" not in text
