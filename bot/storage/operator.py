"""The firm's command line: `python -m bot.storage.operator list|show|export|contacted|erase|purge|migrate`.

It prints the person's details to the operator's terminal, never to a log.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from dataclasses import asdict, fields
from datetime import date, datetime, timedelta, timezone
from typing import List, Optional, TextIO

from bot.settings import privacy_settings
from bot.storage.case_records import (
    StoredCase,
    erase_case,
    get_case,
    grouped_references,
    list_cases,
    mark_contacted,
    purge_cases,
)
from bot.storage.database import make_engine, upgrade
from bot.storage.pending_cases import shared_pending_cases


def _json_default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _dump(data) -> str:
    return json.dumps(data, default=_json_default, ensure_ascii=False, indent=2)


# A spreadsheet runs a cell starting with one of these as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: object) -> object:
    """The cell as text a spreadsheet shows, never runs: a leading apostrophe before a formula start."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _write_csv(cases: List[StoredCase], output: TextIO) -> None:
    columns = [field.name for field in fields(StoredCase)]
    writer = csv.DictWriter(output, fieldnames=columns)
    writer.writeheader()
    for case in cases:
        row = asdict(case)
        row["causes"] = " ".join(case.causes)
        writer.writerow({column: _inert(value) for column, value in row.items()})


def _no_case(reference: str) -> int:
    print(f"no case with reference {reference!r}: check it with `list`", file=sys.stderr)
    return 1


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.storage.operator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="create or upgrade the schema")
    commands.add_parser("list", help="one line per case, urgent first, then the newest")
    show = commands.add_parser("show", help="one case, in full")
    show.add_argument("reference")
    export = commands.add_parser("export", help="every case as CSV")
    export.add_argument("--output", help="file to write instead of standard output")
    contacted = commands.add_parser("contacted", help="record that the person was contacted")
    contacted.add_argument("reference")
    erase = commands.add_parser("erase", help="delete one case, its notices and its conversation")
    erase.add_argument("reference")
    purge = commands.add_parser("purge", help="delete the cases and conversations older than the retention period")
    purge.add_argument("--older-than-days", type=int, default=None)
    args = parser.parse_args(argv)

    if args.command == "migrate":
        upgrade()
        return 0
    engine = make_engine()
    try:
        if args.command == "list":
            cases = list_cases(engine)
            grouped = grouped_references(engine)
            for case in cases:
                urgent = "URGENT" if case.urgent else "-"
                if case.reference in grouped:
                    # Announced in a digest (past the hourly ceiling, or a repeated e-mail or phone): check it
                    # is a real request.
                    urgent += " (digest)"
                contacted_at = f"contacted {case.contacted_at:%Y-%m-%d}" if case.contacted_at else "to contact"
                contact = case.email or case.phone or ""
                created = f"{case.created_at:%Y-%m-%d %H:%M}"
                print("\t".join((case.reference, created, urgent, contacted_at, case.name, contact)))
            print(f"{len(cases)} case(s)", file=sys.stderr)
            if grouped:
                print(
                    f"{len(grouped)} announced in a digest: past the hourly ceiling (CASE_NOTICE_CEILING_PER_HOUR) "
                    "or from an e-mail or phone that made a request within a day",
                    file=sys.stderr,
                )
            return 0
        if args.command == "show":
            case = get_case(engine, args.reference)
            if case is None:
                return _no_case(args.reference)
            print(_dump(asdict(case)))
            return 0
        if args.command == "export":
            cases = list_cases(engine)
            if args.output:
                # Personal data: readable by the operator alone, whatever the umask.
                descriptor = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.fchmod(descriptor, 0o600)
                with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as output:
                    _write_csv(cases, output)
                print(f"exported {len(cases)} case(s) to {args.output}")
            else:
                _write_csv(cases, sys.stdout)
            return 0
        if args.command == "contacted":
            if not mark_contacted(engine, args.reference, datetime.now(timezone.utc)):
                return _no_case(args.reference)
            print(f"{args.reference.strip().upper()} marked as contacted")
            return 0
        if args.command == "erase":
            if not erase_case(engine, args.reference):
                return _no_case(args.reference)
            print(f"erased {args.reference.strip().upper()}: the case, its notices and its conversation")
            return 0
        days = args.older_than_days if args.older_than_days is not None else privacy_settings().retention_days
        cutoff = datetime.now(timezone.utc) - timedelta(days=days)
        purged = purge_cases(engine, cutoff)
        files = shared_pending_cases().purge(cutoff.timestamp())
        print(
            f"purged {purged.cases} case(s), {purged.events} conversation event(s) and {files} pending"
            f" file(s) older than {days} days"
        )
        return 0
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
