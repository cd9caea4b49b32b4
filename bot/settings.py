"""Settings, read once from the environment."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class FirmSettings:
    """The firm that deploys the assistant; shown at handoff."""

    name: str
    cric_name: str
    cric_licence: str
    phone: str
    email: str
    booking_url: str


@lru_cache(maxsize=1)
def firm_settings() -> FirmSettings:
    env = os.environ
    return FirmSettings(
        name=env.get("FIRM_NAME", "Cabinet Exemple Immigration"),
        cric_name=env.get("FIRM_CRIC_NAME", "Camille Exemple"),
        cric_licence=env.get("FIRM_CRIC_LICENCE", "R000000"),
        phone=env.get("FIRM_PHONE", "+1 514 555 0100"),
        email=env.get("FIRM_EMAIL", "contact@example.com"),
        booking_url=env.get("FIRM_BOOKING_URL", "https://example.com/rendez-vous"),
    )
