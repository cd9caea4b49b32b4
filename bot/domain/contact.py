"""The person's contact details, read from what they typed: a name, an e-mail, a phone number.

E-mail syntax is checked by email-validator and phone numbers by phonenumbers (Google's
libphonenumber metadata), so that "+243 81 234 5678" or "514-555-0199" are understood the way
the carriers define them, not by a hand-written pattern.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import List, Optional, Tuple

import phonenumbers
from email_validator import EmailNotValidError, validate_email

# Numbers written without a country code are read as North American ones: the firm is in Canada.
DEFAULT_REGION = "CA"
NAME_MAX_LENGTH = 100
MOMENTS_MAX_LENGTH = 200
NONE = "none"

_EMAIL_CANDIDATE = re.compile(r"[^\s<>(),;:\"']+@[^\s<>(),;:\"']+")
_NAME_PREFIX = re.compile(
    r"^\s*(?:(?:je\s+m['’ ]?\s*appelle|je\s+suis|mon\s+nom\s+(?:complet\s+)?(?:est|c['’]est)"
    r"|moi\s+c['’ ]?\s*est|c['’ ]\s*est)\s*:?\s+)",
    re.IGNORECASE,
)
# "... et mon courriel est": what follows a name when other details come in the same message.
_NAME_SUFFIX = re.compile(
    r"[\s,]+(?:et\s+)?(?:mon|ma|mes)\s+(?:courriel|adresse|e-?mail|mail|num[ée]ro|t[ée]l[ée]phone|t[ée]l|"
    r"cell(?:ulaire)?|coordonn[ée]es)\b.*$",
    re.IGNORECASE,
)
_LETTER = re.compile(r"[^\W\d_]")
_NAME_FORBIDDEN = re.compile(r"[\d@<>{}\[\]/\\|=+*#$%^~`]")


class ContactField(str, Enum):
    """The answers of the consultation form, by slot name."""

    NAME = "contact_name"
    EMAIL = "contact_email"
    PHONE = "contact_phone"
    METHOD = "contact_method"
    MOMENTS = "contact_moments"


class ContactMethod(str, Enum):
    EMAIL = "email"
    PHONE = "phone"
    WHATSAPP = "whatsapp"


# The method is a choice between the e-mail and the phone: it is asked again when either changes.
_ASKED_AGAIN_WITH = {
    ContactField.EMAIL: (ContactField.METHOD,),
    ContactField.PHONE: (ContactField.METHOD,),
}


def contact_fields_to_ask_again(changed: ContactField) -> Tuple[ContactField, ...]:
    """The contact answer a person wants to change, and those that depend on it."""
    return (changed,) + _ASKED_AGAIN_WITH.get(changed, ())


def contact_questions(email_given: bool, phone_given: bool) -> List[ContactField]:
    """The contact questions in the order asked; the method only when there is a choice to make."""
    questions = [ContactField.NAME, ContactField.EMAIL, ContactField.PHONE]
    if email_given and phone_given:
        questions.append(ContactField.METHOD)
    return questions + [ContactField.MOMENTS]


def parse_name(text: str) -> Optional[str]:
    """The name in "je m'appelle Awa Diop" or "Awa Diop"; None when it cannot be a name."""
    name = _NAME_SUFFIX.sub("", _NAME_PREFIX.sub("", without_contact_details(text)))
    name = " ".join(name.split()).strip(" .!,;")
    if not name or len(name) > NAME_MAX_LENGTH or _NAME_FORBIDDEN.search(name):
        return None
    if len(_LETTER.findall(name)) < 2:
        return None
    return name


def parse_email(text: str) -> Optional[str]:
    """The normalized e-mail address in the text, or None.

    Syntax only: checking deliverability would need DNS at conversation time.
    """
    for candidate in _EMAIL_CANDIDATE.findall(text or ""):
        try:
            return validate_email(candidate.rstrip("."), check_deliverability=False).normalized
        except EmailNotValidError:
            continue
    return None


def parse_phone(text: str, region: str = DEFAULT_REGION) -> Optional[str]:
    """The phone number in the text, in E.164 form ("+15145550199"), or None when not a valid number.

    A French "06 12 34 56 78" typed without +33 is not a valid Canadian number: the person is
    asked again with the country code, rather than the firm calling a wrong number.
    """
    for match in phonenumbers.PhoneNumberMatcher(text or "", region, leniency=phonenumbers.Leniency.POSSIBLE):
        if phonenumbers.is_valid_number(match.number):
            return phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
    return None


def without_contact_details(text: str, region: str = DEFAULT_REGION) -> str:
    """The text with its e-mail addresses and phone numbers taken out ("Awa Diop, awa@x.org" -> "Awa Diop")."""
    text = _EMAIL_CANDIDATE.sub(" ", text or "")
    for match in reversed(list(phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE))):
        text = text[: match.start] + " " + text[match.end :]
    return re.sub(r"\s*[,;/|-]+\s*(?=[,;/|-]|$)", "", " ".join(text.split())).strip(" ,;/|-")


def display_phone(e164: str) -> str:
    """The number as people write it: "+1 514-555-0199", "+33 6 12 34 56 78"."""
    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def parse_moments(text: str) -> Optional[str]:
    moments = " ".join((text or "").split())
    if not moments or not _LETTER.search(moments):
        return None
    return moments[:MOMENTS_MAX_LENGTH]
