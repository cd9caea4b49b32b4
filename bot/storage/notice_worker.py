"""The notice worker: `python -m bot.storage.notice_worker [--once]` delivers the outbox's notices to the firm."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from typing import List, Mapping, Optional

from sqlalchemy.engine import Engine

from bot.settings import notice_settings
from bot.storage.database import make_engine
from bot.storage.delivery import digest_payloads, senders_from_settings
from bot.storage.outbox import DigestRenderer, NoticeKind, Sender, deliver_digest, deliver_due
from bot.storage.pending_cases import PendingCases, shared_pending_cases

logger = logging.getLogger(__name__)


def run(
    engine: Engine,
    senders: Mapping[NoticeKind, Sender],
    interval: float,
    stop: threading.Event,
    pending: Optional[PendingCases] = None,
    render_digest: Optional[DigestRenderer] = None,
) -> None:
    """Delivers until `stop` is set; a database that is down is retried at the next round.

    Each round first stores the cases an action server on this machine kept while the database was
    down: one that stopped before it could store them leaves them to the worker.
    """
    while not stop.is_set():
        try:
            if pending is not None:
                pending.flush(engine)
        except Exception as error:  # noqa: BLE001 - a pending case must never block the notices
            logger.error("pending round failed: %s", type(error).__name__)
        try:
            deliver_due(engine, senders)
            if render_digest is not None:
                deliver_digest(engine, senders, render_digest)
        except Exception as error:  # noqa: BLE001 - the worker must outlive a database restart
            logger.error("outbox round failed: %s", type(error).__name__)
        stop.wait(interval)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.storage.notice_worker", description="Delivers the notices to the firm."
    )
    parser.add_argument("--once", action="store_true", help="one round, then exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    settings = notice_settings()
    senders = senders_from_settings(settings)
    if not senders:
        logger.warning("no SMTP server nor webhook configured: cases are stored, nobody is notified")
    engine = make_engine()

    def render(lines):
        return digest_payloads(settings, lines)

    try:
        if args.once:
            shared_pending_cases().flush(engine)
            report = deliver_due(engine, senders)
            grouped = deliver_digest(engine, senders, render)
            print(f"delivered {report.delivered + grouped.delivered}, failed {report.failed + grouped.failed}")
            return 0
        run(engine, senders, settings.poll_seconds, threading.Event(), shared_pending_cases(), render)
        return 0
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
