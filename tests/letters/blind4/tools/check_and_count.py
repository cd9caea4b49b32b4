#!/usr/bin/env python3
"""Validate the fourth blind letter set (M001...) and print the counts used in ../README.md.

Usage: /usr/bin/python3 tests/letters/blind4/tools/check_and_count.py
Needs PyYAML. Exits non-zero if any file breaks the schema.
"""

import collections
import datetime
import glob
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
LETTERS = os.path.join(os.path.dirname(HERE), "letters")
FIELDS = [
    "id",
    "language",
    "kind",
    "program",
    "causes",
    "provisions",
    "decision_date",
    "office",
    "office_in_canada",
    "application_number",
    "text",
]
LANGS = {"en", "fr"}
KINDS = {"refusal", "returned_incomplete", "other_application", "fairness_letter", "other"}
PROGRAMS = {"fsw", "fst", "cec", "pnp", None}
CAUSES = {
    "missing_documents",
    "misrepresentation",
    "low_score",
    "work_experience",
    "pnp_criteria",
    "criminal_inadmissibility",
    "medical_inadmissibility",
    "officer_error",
    "unknown_reason",
}
PROV = re.compile(r"^(IRPA|IRPR|Citizenship Act) \d+(\.\d+)?(\(\d+\))?(\([a-z]\))?(\([ivx]+\))?$")


def check(path, d, errors):
    name = os.path.basename(path)

    def err(msg):
        errors.append(f"{name}: {msg}")

    if not isinstance(d, dict):
        return err("not a mapping")
    if list(d.keys()) != FIELDS:
        err(f"fields {list(d.keys())} != {FIELDS}")
    if d.get("id") != name[:-4]:
        err("id does not match file name")
    if not re.match(r"^M\d{3}\.yml$", name):
        err("file name is not M###.yml")
    if d.get("language") not in LANGS:
        err("language")
    if d.get("kind") not in KINDS:
        err("kind")
    if d.get("program") not in PROGRAMS:
        err("program")
    causes = d.get("causes")
    if not isinstance(causes, list) or any(c not in CAUSES for c in causes) or len(set(causes)) != len(causes):
        err("causes")
    elif d.get("kind") == "refusal" and not causes:
        err("refusal without causes")
    elif d.get("kind") != "refusal" and causes:
        err("causes on a non-refusal")
    if "officer_error" in (causes or []):
        err("officer_error is never labelled from a letter alone")
    if "unknown_reason" in (causes or []) and len(causes) > 1:
        err("unknown_reason must stand alone")
    provs = d.get("provisions")
    if (
        not isinstance(provs, list)
        or any(not isinstance(p, str) or not PROV.match(p) for p in provs)
        or len(set(provs or [])) != len(provs or [])
    ):
        err(f"provisions {provs}")
    dd = d.get("decision_date")
    if dd is not None and not (
        isinstance(dd, datetime.date) and datetime.date(2024, 1, 1) <= dd <= datetime.date(2026, 12, 6)
    ):
        err(f"decision_date {dd!r}")
    office, inc = d.get("office"), d.get("office_in_canada")
    if office is None and inc is not None:
        err("office_in_canada without office")
    if office is not None and (not isinstance(office, str) or not isinstance(inc, bool)):
        err("office / office_in_canada")
    an = d.get("application_number")
    if an is not None and not isinstance(an, str):
        err("application_number")
    if not isinstance(d.get("text"), str) or len(d["text"].strip()) < 40:
        err("text")


def main():
    files = sorted(glob.glob(os.path.join(LETTERS, "*.yml")))
    errors, docs = [], []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            d = yaml.safe_load(fh)
        check(f, d, errors)
        docs.append(d)
    if errors:
        print("\n".join(errors))
        sys.exit(1)
    C = collections.Counter
    out = []
    out.append(f"letters: {len(docs)}")

    def table(title, counter, order=None):
        out.append(f"\n{title}")
        keys = order or sorted(counter, key=lambda k: (-counter[k], str(k)))
        for k in keys:
            out.append(f"  {str(k):28s} {counter.get(k, 0)}")

    table("language", C(d["language"] for d in docs))
    table("kind", C(d["kind"] for d in docs))
    table("program (all letters)", C(str(d["program"]) for d in docs))
    refusals = [d for d in docs if d["kind"] == "refusal"]
    table("program (refusals)", C(str(d["program"]) for d in refusals))
    table("kind x language", C(f"{d['kind']}/{d['language']}" for d in docs))
    table("causes (refusals; a letter counts once per cause)", C(c for d in refusals for c in d["causes"]))
    table("causes x language (refusals)", C(f"{c}/{d['language']}" for d in refusals for c in d["causes"]))
    table("number of causes per refusal", C(len(d["causes"]) for d in refusals), order=[1, 2, 3])
    notes = [d for d in refusals if re.search(r"GCMS|SMGC|[Nn]otes", d["text"][:400]) and d["text"].count("\n") > 2]
    out.append(
        f"\nrefusals given as decision notes (GCMS / notes de l'agent): {len(notes)} -> "
        + ", ".join(d["id"] for d in notes)
    )

    def where(d):
        if d["office"] is None:
            return "no office named"
        return "office in Canada" if d["office_in_canada"] else "office outside Canada"

    table("office location (all letters)", C(where(d) for d in docs))
    table("office location (refusals)", C(where(d) for d in refusals))
    table("office named (all letters)", C(str(d["office"]) for d in docs))
    out.append(
        f"\nletters with a decision_date: {sum(d['decision_date'] is not None for d in docs)}; "
        f"with an application_number: {sum(d['application_number'] is not None for d in docs)}; "
        f"with no provision cited: {sum(not d['provisions'] for d in docs)}"
    )
    print("\n".join(out))


if __name__ == "__main__":
    main()
