"""Handoff to the firm's CRIC: the urgent warning first, the firm's details and a summary of what the person gave."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.case_slots import UNKNOWN, case_from_tracker
from actions.domain_text import cause_label, response_text
from bot.domain import clock
from bot.domain.case import Case
from bot.domain.dates import format_french_date
from bot.domain.deadlines import Deadline, DeadlineStatus, DecisionDateInFuture
from bot.domain.remedies import RemedyPlan, recommend
from bot.settings import firm_settings


def _labels(domain: Dict[str, Any], slot: str, value: Any) -> List[str]:
    """Labels of the slot's canonical values, "inconnu" for an unknown answer.

    A value with no label, such as an entity span the NLU cut wrong ("test de"), is left out.
    """
    values = value if isinstance(value, list) else [value] if value else []
    names = ("utter_value_unknown" if v == UNKNOWN else f"utter_value_{slot}_{v}" for v in dict.fromkeys(values))
    return [response_text(domain, name) for name in names if name in domain["responses"]]


def summary_lines(domain: Dict[str, Any], tracker: Tracker, case: Case, deadline: Optional[Deadline]) -> List[str]:
    """One line per thing the person said; nothing they gave is left out, nothing unknown is invented."""
    values = {"decision_kind": ", ".join(_labels(domain, "decision_kind", tracker.get_slot("decision_kind")))}
    if case.causes:
        values["causes"] = "; ".join(cause_label(domain, cause) for cause in case.causes)
    for slot in ("program", "authority", "fairness_letter", "decision_location"):
        values[slot] = ", ".join(_labels(domain, slot, tracker.get_slot(slot)))
    if case.decision_date:
        values["decision_date"] = format_french_date(case.decision_date)
    if deadline is not None and deadline.last_day is not None:
        values["last_day"] = format_french_date(deadline.last_day)
    for slot in ("document", "province"):
        values[slot] = ", ".join(_labels(domain, slot, tracker.get_slot(slot)))
    return [
        "- " + response_text(domain, f"utter_summary_{key}").format(value=value)
        for key, value in values.items()
        if value
    ]


def plan_for(tracker: Tracker) -> Optional[RemedyPlan]:
    """The remedy plan for what the person said; None before any cause or with a date still to come."""
    case = case_from_tracker(tracker)
    if not case.causes:
        return None
    try:
        return recommend(case, clock.today())
    except DecisionDateInFuture:
        return None


def case_summary(domain: Dict[str, Any], tracker: Tracker, plan: Optional[RemedyPlan]) -> List[str]:
    return summary_lines(domain, tracker, case_from_tracker(tracker), plan.deadline if plan else None)


def utter_firm_contact(dispatcher: CollectingDispatcher, summary: List[str]) -> None:
    """The firm's own contact details, and the summary to give them so as not to explain it all again."""
    firm = firm_settings()
    dispatcher.utter_message(
        response="utter_handoff",
        firm_name=firm.name,
        cric_name=firm.cric_name,
        cric_licence=firm.cric_licence,
        phone=firm.phone,
        email=firm.email,
        booking_url=firm.booking_url,
    )
    if summary:
        dispatcher.utter_message(response="utter_handoff_summary", summary="\n".join(summary))


class ActionHandoff(Action):
    """Opens the consultation request; an urgent deadline is flagged first, before any question."""

    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        plan = plan_for(tracker)
        deadline = plan.deadline if plan else None
        if deadline is not None and deadline.status is DeadlineStatus.URGENT:
            dispatcher.utter_message(response="utter_handoff_see_lawyer_now")
        elif deadline is not None and deadline.status is DeadlineStatus.EXPIRED:
            dispatcher.utter_message(response="utter_handoff_see_lawyer_now_expired")
        return []
