"""The firm's command line: `python -m bot.operator list|show|export|erase|purge|migrate`.

It prints the person's details to the operator's terminal, never to a log.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from datetime import date, datetime, timedelta, timezone
from typing import List, Optional

from bot.cases import erase_case, get_case, list_cases, purge_cases
from bot.database import make_engine, upgrade

DEFAULT_RETENTION_DAYS = 365


def _json_default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _dump(data) -> str:
    return json.dumps(data, default=_json_default, ensure_ascii=False, indent=2)


def retention_days() -> int:
    return int(os.environ.get("CASE_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.operator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="create or upgrade the schema")
    commands.add_parser("list", help="one line per case, newest last")
    show = commands.add_parser("show", help="one case, in full")
    show.add_argument("reference")
    export = commands.add_parser("export", help="every case as JSON")
    export.add_argument("--output", help="file to write instead of standard output")
    erase = commands.add_parser("erase", help="delete one case and everything in it")
    erase.add_argument("reference")
    purge = commands.add_parser("purge", help="delete the cases older than the retention period")
    purge.add_argument("--older-than-days", type=int, default=None)
    args = parser.parse_args(argv)

    if args.command == "migrate":
        upgrade()
        return 0
    engine = make_engine()
    try:
        if args.command == "list":
            for case in list_cases(engine):
                urgent = "URGENT" if case.urgent else "-"
                contact = case.email or case.phone or ""
                print(f"{case.reference}\t{case.created_at:%Y-%m-%d %H:%M}\t{urgent}\t{case.name}\t{contact}")
            return 0
        if args.command == "show":
            case = get_case(engine, args.reference)
            if case is None:
                print(f"no case {args.reference}", file=sys.stderr)
                return 1
            print(_dump(asdict(case)))
            return 0
        if args.command == "export":
            data = _dump([asdict(case) for case in list_cases(engine)])
            if args.output:
                with open(args.output, "w", encoding="utf-8") as output:
                    output.write(data + "\n")
            else:
                print(data)
            return 0
        if args.command == "erase":
            if not erase_case(engine, args.reference):
                print(f"no case {args.reference}", file=sys.stderr)
                return 1
            print(f"erased {args.reference.upper()}")
            return 0
        days = args.older_than_days if args.older_than_days is not None else retention_days()
        removed = purge_cases(engine, datetime.now(timezone.utc) - timedelta(days=days))
        print(f"purged {removed} case(s) older than {days} days")
        return 0
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
