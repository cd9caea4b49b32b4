"""Today's date where the firm works; tests replace `today` to pin the calendar."""

from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "America/Toronto"


def today() -> date:
    return datetime.now(ZoneInfo(os.environ.get("ASSISTANT_TIMEZONE", DEFAULT_TIMEZONE))).date()
