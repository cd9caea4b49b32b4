"""Short texts (labels) kept as responses in domain.yml, read where a button or a list needs them."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List

from bot.domain.case import RefusalCause, intent_for_causes
from bot.texts import response_text


def cause_label(domain: Dict[str, Any], cause: RefusalCause) -> str:
    return response_text(domain, f"utter_cause_{cause.value}")


def causes_as_list(domain: Dict[str, Any], causes: Iterable[RefusalCause]) -> str:
    return "\n".join(f"- {cause_label(domain, cause)}" for cause in causes)


def cause_buttons(domain: Dict[str, Any], choices: Iterable[Iterable[RefusalCause]]) -> List[dict]:
    """One button per choice; a choice of several causes sends their multi-intent."""
    return [
        {
            "title": " + ".join(cause_label(domain, cause) for cause in choice),
            "payload": "/" + intent_for_causes(choice),
        }
        for choice in choices
    ]
