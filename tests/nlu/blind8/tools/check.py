#!/usr/bin/env python3
"""Checker for the blind8 test set (needs PyYAML).

Checks: first-line comment naming the file; ids unique and well-formed; exact
fields; labels only from the lists below (copied from the spec); causes 1-3,
distinct, unknown_reason never combined; noisy differs from text; every token of
text holding a digit or two or more capitals appears unchanged in noisy;
stories 3-9 sentences, short causes at most 2; no duplicate texts (within and
across files); every minimum count (short causes: at least 50 entries with 2-3
causes, at least 8 with 3; stories: 30-40% with 2-3 causes). Prints the counts; exits 1 on any error.

Usage: python3 tests/nlu/blind8/tools/check.py
"""

import collections
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CAUSES = [
    "missing_documents",
    "misrepresentation",
    "low_score",
    "work_experience",
    "pnp_criteria",
    "criminal_inadmissibility",
    "medical_inadmissibility",
    "officer_error",
    "unknown_reason",
]
SITUATIONS = [
    "no_invitation",
    "profile_expired",
    "invitation_received",
    "in_process",
    "returned_incomplete",
    "fairness_letter",
    "other_application",
]
INTENTS = [
    "affirm",
    "deny",
    "thank",
    "request_consultation",
    "request_human",
    "cancel",
    "change_answer",
    "out_of_scope",
    "greet",
    "goodbye",
]

FILES = {
    # file: (id prefix, label field, min entries)
    "short_causes.yml": ("us", "causes", 150),
    "stories.yml": ("ut", "causes", 120),
    "not_refusal.yml": ("un", "situation", 42),
    "dialogue.yml": ("ud", "intent", 60),
}
MIN_SINGLE = {"short_causes.yml": 11, "stories.yml": 8}
MIN_SITUATION = 6
MIN_INTENT = 6
STORY_MULTI_SHARE = (0.30, 0.40)  # 30-40% with two or three causes
SHORT_MIN_MULTI = 50  # short causes: at least 50 with two or three causes
SHORT_MIN_THREE = 8  # ... of which at least 8 with three

errors = []


def err(msg):
    errors.append(msg)


def sentences(text):
    """Sentences = pieces split after . ! ? or … followed by whitespace; a piece counts if it holds a letter."""
    parts = re.split(r"(?<=[.!?\u2026])\s+", text.strip())
    return sum(1 for p in parts if re.search(r"[^\W\d_]", p))


def protected(tok):
    return any(c.isdigit() for c in tok) or sum(1 for c in tok if c.isupper()) >= 2


def main():
    all_texts = {}
    report = []
    for fname, (prefix, field, minimum) in FILES.items():
        path = os.path.join(HERE, fname)
        if not os.path.exists(path):
            err("%s: missing" % fname)
            continue
        raw = open(path, encoding="utf-8").read()
        first = raw.split("\n", 1)[0]
        if not (first.startswith("#") and fname in first):
            err("%s: first line must be a comment naming the file" % fname)
        data = yaml.safe_load(raw)
        if not isinstance(data, list):
            err("%s: not a YAML list" % fname)
            continue
        ids = set()
        counts = collections.Counter()
        singles = collections.Counter()
        nmulti = 0
        ncauses = collections.Counter()
        for k, e in enumerate(data):
            where = "%s[%d]" % (fname, k)
            if not isinstance(e, dict):
                err("%s: not a mapping" % where)
                continue
            if set(e) != {"id", "text", "noisy", field}:
                err("%s: fields %s, expected id, text, noisy, %s" % (where, sorted(e), field))
                continue
            eid = e["id"]
            where = "%s %s" % (fname, eid)
            if not (isinstance(eid, str) and re.fullmatch(prefix + r"\d{3}", eid)):
                err("%s: bad id" % where)
            if eid in ids:
                err("%s: duplicate id" % where)
            ids.add(eid)
            text, noisy = e["text"], e["noisy"]
            if not (isinstance(text, str) and text.strip() and isinstance(noisy, str) and noisy.strip()):
                err("%s: empty text or noisy" % where)
                continue
            if noisy == text:
                err("%s: noisy equals text" % where)
            ntoks = collections.Counter(noisy.split())
            need = collections.Counter(t for t in text.split() if protected(t))
            for tok, n in need.items():
                if ntoks[tok] < n:
                    err("%s: protected token %r altered in noisy" % (where, tok))
            key = " ".join(text.lower().split())
            if key in all_texts:
                err("%s: duplicate text (also %s)" % (where, all_texts[key]))
            all_texts[key] = where
            lab = e[field]
            if field == "causes":
                if not (isinstance(lab, list) and 1 <= len(lab) <= 3):
                    err("%s: causes must be a list of 1-3" % where)
                    continue
                if len(set(lab)) != len(lab):
                    err("%s: repeated cause" % where)
                bad = [c for c in lab if c not in CAUSES]
                if bad:
                    err("%s: unknown causes %s" % (where, bad))
                if "unknown_reason" in lab and len(lab) > 1:
                    err("%s: unknown_reason combined" % where)
                if len(lab) == 1:
                    singles[lab[0]] += 1
                else:
                    nmulti += 1
                for c in lab:
                    ncauses[c] += 1
                ns = sentences(text)
                if fname == "stories.yml" and not 3 <= ns <= 9:
                    err("%s: %d sentences (3-9 expected)" % (where, ns))
                if fname == "short_causes.yml" and ns > 2:
                    err("%s: %d sentences (at most 2)" % (where, ns))
            else:
                allowed = SITUATIONS if field == "situation" else INTENTS
                if lab not in allowed:
                    err("%s: unknown %s %r" % (where, field, lab))
                counts[lab] += 1
        n = len(data)
        if n < minimum:
            err("%s: %d entries, at least %d expected" % (fname, n, minimum))
        report.append("%s: %d entries" % (fname, n))
        if field == "causes":
            for c in CAUSES:
                if singles[c] < MIN_SINGLE[fname]:
                    err(
                        "%s: %d entries with %s alone, at least %d expected" % (fname, singles[c], c, MIN_SINGLE[fname])
                    )
            three = sum(1 for e in data if isinstance(e, dict) and len(e.get("causes", [])) == 3)
            report.append("  alone: " + ", ".join("%s %d" % (c, singles[c]) for c in CAUSES))
            report.append(
                "  with 2-3 causes: %d (%.1f%%), of which 3 causes: %d" % (nmulti, 100.0 * nmulti / max(n, 1), three)
            )
            report.append("  entries naming each cause: " + ", ".join("%s %d" % (c, ncauses[c]) for c in CAUSES))
            if fname == "stories.yml":
                share = nmulti / max(n, 1)
                if not STORY_MULTI_SHARE[0] <= share <= STORY_MULTI_SHARE[1]:
                    err("stories.yml: %.1f%% with 2-3 causes, 30-40%% expected" % (100 * share))
            if fname == "short_causes.yml" and nmulti < SHORT_MIN_MULTI:
                err("short_causes.yml: %d entries with 2-3 causes, at least %d expected" % (nmulti, SHORT_MIN_MULTI))
            if fname == "short_causes.yml" and three < SHORT_MIN_THREE:
                err("short_causes.yml: %d entries with 3 causes, at least %d expected" % (three, SHORT_MIN_THREE))
            if fname == "short_causes.yml" and nmulti + sum(singles.values()) != n:
                err("short_causes.yml: count mismatch")
        else:
            allowed = SITUATIONS if field == "situation" else INTENTS
            mn = MIN_SITUATION if field == "situation" else MIN_INTENT
            for c in allowed:
                if counts[c] < mn:
                    err("%s: %d %s, at least %d expected" % (fname, counts[c], c, mn))
            report.append("  " + ", ".join("%s %d" % (c, counts[c]) for c in allowed))
    print("\n".join(report))
    if errors:
        print("\nFAILED (%d problems):" % len(errors))
        for m in errors:
            print(" - " + m)
        sys.exit(1)
    print("\nOK: all checks passed")


if __name__ == "__main__":
    main()
