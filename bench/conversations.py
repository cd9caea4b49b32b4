"""The conversations the load generator replays: the paths of tests/system/test_conversations.py and
tests/test_stories.yml, typed or clicked as a person would (button payloads as the widget sends them)."""

from __future__ import annotations

from typing import Dict, Tuple

CONVERSATIONS: Dict[str, Tuple[str, ...]] = {
    "one cause, consultation accepted": (
        "bonjour",
        "mon test de langue a expiré",
        "/affirm",
        '/inform{"program":"fsw"}',
        '/inform{"location":"in_canada"}',
        "il y a 3 jours",
        "/request_consultation",
        "oui j'accepte",
        "Fatou Ndiaye",
        "fatou.ndiaye@example.org",
        "514 555 0199",
        '/inform{"contact_method":"email"}',
        "en semaine après 17 h",
        "/affirm",
    ),
    "work experience, consultation refused": (
        "bonjour",
        "on m'a refusé parce que mon expérience de travail ne correspondait pas au code CNP",
        "/affirm",
        '/inform{"program":"cec"}',
        '/inform{"location":"in_canada"}',
        "il y a deux semaines",
        "/request_consultation",
        "non merci, je refuse",
    ),
    "two causes, details given together": (
        "mon test de langue avait expiré et ils parlent de fausse déclaration",
        "/affirm",
        '/inform{"program":"cec"}',
        "/deny",
        '/inform{"location":"outside_canada"}',
        "hier",
        "/request_consultation",
        "/affirm",
        "Awa Diop, awa.diop@example.org, 514 555 0199",
        '/inform{"contact_method":"phone"}',
        "/skip",
        "/affirm",
    ),
    "unknown reason, a question, then stop": (
        "salut",
        "on m'a refusé mais la lettre ne dit pas pourquoi",
        "/affirm",
        '/inform{"program":"fsw"}',
        "/dont_know",
        "/dont_know",
        "c'est quoi un CRIC ?",
        "/request_consultation",
        "stop",
    ),
}
