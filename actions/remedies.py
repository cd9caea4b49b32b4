"""The remedies, in order, for the causes and situation the person confirmed."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.case_slots import case_from_tracker
from bot.domain import clock
from bot.domain.dates import format_french_date
from bot.domain.deadlines import Deadline, DeadlineStatus, DecisionDateInFuture
from bot.domain.remedies import Remedy, RemedyOption, RemedyPlan, recommend


def judicial_review_response(deadline: Deadline) -> str:
    if deadline.status is DeadlineStatus.URGENT and deadline.days_left == 0:
        return "utter_remedy_judicial_review_last_day"
    if deadline.status is DeadlineStatus.URGENT and deadline.days_left == 1:
        return "utter_remedy_judicial_review_one_day_left"
    return f"utter_remedy_judicial_review_{deadline.status.value}"


def deadline_parameters(deadline: Deadline) -> Dict[str, Any]:
    return {
        "limit_days": deadline.limit_days,
        "last_day": format_french_date(deadline.last_day) if deadline.last_day else None,
        "days_left": deadline.days_left,
    }


def _utter_option(
    dispatcher: CollectingDispatcher, option: RemedyOption, plan: RemedyPlan, responses: Dict[str, Any]
) -> None:
    source = {
        "source_url": option.source.url,
        "reviewed_on": format_french_date(option.reviewed_on, weekday=False),
    }
    if option.remedy is Remedy.JUDICIAL_REVIEW and plan.deadline is not None:
        deadline = plan.deadline
        dispatcher.utter_message(response=judicial_review_response(deadline), **source, **deadline_parameters(deadline))
        if deadline.shorter_limit_assumed:
            dispatcher.utter_message(response="utter_deadline_shorter_limit_assumed")
        if deadline.in_year_end_recess and deadline.status is not DeadlineStatus.EXPIRED:
            dispatcher.utter_message(response="utter_deadline_no_holiday_extension")
        if deadline.saturday_rule and deadline.status is not DeadlineStatus.EXPIRED:
            dispatcher.utter_message(
                response="utter_deadline_saturday_rule",
                saturday=format_french_date(deadline.saturday_rule.saturday),
                rules_day=format_french_date(deadline.saturday_rule.rules_day),
                last_day=format_french_date(deadline.last_day),
            )
        if deadline.postponed_from and deadline.status is not DeadlineStatus.EXPIRED:
            dispatcher.utter_message(
                response="utter_deadline_postponed",
                postponed_from=format_french_date(deadline.postponed_from),
            )
        return
    dispatcher.utter_message(response=f"utter_remedy_{option.remedy.value}", **source)
    if option.remedy is Remedy.NEW_APPLICATION:
        for cause in option.causes:
            tip = f"utter_new_application_tip_{cause.value}"
            if tip in responses:
                dispatcher.utter_message(response=tip)


class ActionExplainRemedies(Action):
    def name(self) -> str:
        return "action_explain_remedies"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        case = case_from_tracker(tracker)
        try:
            plan = recommend(case, clock.today())
        except DecisionDateInFuture:
            # The date was valid when given; the calendar disagrees now (e.g. a changed time zone).
            dispatcher.utter_message(response="utter_invalid_decision_date_in_future")
            return [SlotSet("decision_date", None)]
        dispatcher.utter_message(response="utter_remedies_intro")
        for option in plan.options:
            _utter_option(dispatcher, option, plan, domain.get("responses", {}))
        dispatcher.utter_message(response=f"utter_handoff_reason_{plan.handoff_reason.value}")
        dispatcher.utter_message(response="utter_offer_consultation")
        return []
