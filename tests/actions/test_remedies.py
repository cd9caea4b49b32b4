import pytest

from actions.remedies import ActionExplainRemedies

pytestmark = pytest.mark.unit


def _situation(**slots):
    base = {"program": "fsw", "authority": "ircc", "decision_location": "in_canada"}
    base.update(slots)
    return base


def run_remedies(make_tracker, run_action, **slots):
    return run_action(ActionExplainRemedies(), make_tracker("le 3 novembre", "inform", slots=_situation(**slots)))


def test_missing_documents_in_order_with_the_exact_last_day(make_tracker, run_action):
    result = run_remedies(make_tracker, run_action, refusal_causes=["missing_documents"], decision_date="2026-11-25")
    assert result.responses == [
        "utter_remedies_intro",
        "utter_remedy_reconsideration",
        "utter_remedy_judicial_review_open",
        "utter_remedy_new_application",
        "utter_new_application_tip_missing_documents",
        "utter_remedy_temporary_status",
        "utter_handoff_reason_general",
        "utter_offer_consultation",
    ]
    review = result.message("utter_remedy_judicial_review_open")
    # 25 Nov + 15 days = Thursday 10 December; on 29 November, 11 days are left.
    assert review["last_day"] == "jeudi 10 décembre 2026"
    assert review["days_left"] == 11
    assert review["limit_days"] == 15
    assert review["source_url"].startswith("https://")
    assert review["reviewed_on"] == "3 décembre 2026"


def test_urgent_deadline_is_marked_and_leads_the_handoff(make_tracker, run_action):
    result = run_remedies(make_tracker, run_action, refusal_causes=["officer_error"], decision_date="2026-11-18")
    assert "utter_remedy_judicial_review_urgent" in result.responses
    assert result.message("utter_remedy_judicial_review_urgent")["days_left"] == 4
    assert "utter_handoff_reason_deadline_urgent" in result.responses


def test_one_day_left_has_its_own_wording_and_a_postponed_sunday(make_tracker, run_action):
    # 14 Nov + 15 = 29 Nov, a Sunday: Monday 30 November, one day left.
    result = run_remedies(make_tracker, run_action, refusal_causes=["officer_error"], decision_date="2026-11-14")
    assert "utter_remedy_judicial_review_one_day_left" in result.responses
    assert "utter_deadline_postponed" in result.responses
    assert result.message("utter_deadline_postponed")["postponed_from"] == "dimanche 29 novembre 2026"


def test_expired_deadline_explains_the_extension(make_tracker, run_action):
    result = run_remedies(make_tracker, run_action, refusal_causes=["officer_error"], decision_date="2026-09-01")
    assert "utter_remedy_judicial_review_expired" in result.responses
    assert "utter_handoff_reason_deadline_expired" in result.responses


def test_unknown_place_and_date_say_the_shorter_limit_applies(make_tracker, run_action):
    result = run_remedies(
        make_tracker, run_action, refusal_causes=["low_score"], decision_location="unknown", decision_date="unknown"
    )
    assert "utter_remedy_judicial_review_date_unknown" in result.responses
    assert "utter_deadline_shorter_limit_assumed" in result.responses
    assert result.message("utter_remedy_judicial_review_date_unknown")["limit_days"] == 15
    assert "utter_remedy_reconsideration_not_useful" in result.responses
    assert "utter_new_application_tip_low_score" in result.responses


def test_two_causes_are_both_answered(make_tracker, run_action):
    result = run_remedies(
        make_tracker,
        run_action,
        refusal_causes=["missing_documents", "misrepresentation"],
        fairness_letter="not_open",
        decision_date="2026-11-25",
    )
    assert result.responses[1:4] == [
        "utter_remedy_misrepresentation_bar",
        "utter_remedy_reconsideration",
        "utter_remedy_judicial_review_open",
    ]
    assert "utter_remedy_new_application" not in result.responses


def test_quebec_decision(make_tracker, run_action):
    result = run_action(
        ActionExplainRemedies(),
        make_tracker("MIFI", "inform", slots={"refusal_causes": ["low_score"], "authority": "mifi"}),
    )
    assert result.responses == [
        "utter_remedies_intro",
        "utter_remedy_quebec_remedies",
        "utter_handoff_reason_quebec_decision",
        "utter_offer_consultation",
    ]


def test_a_stored_date_now_in_the_future_is_asked_again(make_tracker, run_action):
    result = run_remedies(make_tracker, run_action, refusal_causes=["low_score"], decision_date="2026-12-24")
    assert result.responses == ["utter_invalid_decision_date_in_future"]
    assert result.slots == {"decision_date": None}


def test_every_response_and_parameter_exists_in_the_domain(make_tracker, run_action, domain):
    """Each response the action sends is defined, and each {parameter} of its text is given."""
    import string

    cases = [
        dict(refusal_causes=[c], decision_date=d, decision_location=loc)
        for c in (
            "missing_documents",
            "misrepresentation",
            "low_score",
            "work_experience",
            "pnp_criteria",
            "criminal_inadmissibility",
            "medical_inadmissibility",
            "officer_error",
            "unknown_reason",
        )
        for d in ("2026-11-25", "2026-11-18", "2026-11-14", "2026-08-01", "unknown")
        for loc in ("in_canada", "outside_canada", "unknown")
    ]
    for slots in cases:
        for message in run_remedies(make_tracker, run_action, **slots).messages:
            text = domain["responses"][message["response"]][0]["text"]
            fields = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            assert fields <= {k for k, v in message.items() if v is not None}, (message["response"], slots)


def test_a_last_day_in_the_year_end_recess_is_flagged_not_stretched(make_tracker, run_action):
    # Outside Canada, 29 October + 60 days = Monday 28 December, inside the 21 Dec - 7 Jan recess.
    result = run_remedies(
        make_tracker,
        run_action,
        refusal_causes=["officer_error"],
        decision_location="outside_canada",
        decision_date="2026-10-29",
    )
    assert result.message("utter_remedy_judicial_review_open")["last_day"] == "lundi 28 décembre 2026"
    assert "utter_deadline_no_holiday_extension" in result.responses
    result = run_remedies(make_tracker, run_action, refusal_causes=["officer_error"], decision_date="2026-11-25")
    assert "utter_deadline_no_holiday_extension" not in result.responses


def test_a_saturday_last_day_shows_the_friday_and_names_the_monday_only_as_unsettled(make_tracker, run_action):
    result = run_remedies(make_tracker, run_action, refusal_causes=["officer_error"], decision_date="2026-11-20")
    assert result.message("utter_remedy_judicial_review_urgent")["last_day"] == "vendredi 4 décembre 2026"
    rule = result.message("utter_deadline_saturday_rule")
    assert (rule["saturday"], rule["rules_day"], rule["last_day"]) == (
        "samedi 5 décembre 2026",
        "lundi 7 décembre 2026",
        "vendredi 4 décembre 2026",
    )
    assert "utter_deadline_postponed" not in result.responses
