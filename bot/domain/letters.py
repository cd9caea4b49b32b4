"""Reading an IRCC decision letter the person pasted: what it decides, on which grounds, when and where.

People have the letter; retelling it loses the provisions and often the office. A text that looks like a
letter (IRCC's letterhead words, a salutation, an application number, the Act cited, in English or French)
is read here instead of by the cause classifier: the provisions it cites (letter_provisions.py, each with its
source), the letter's own sentences giving each ground, quoted back to the person, its date line, its office
(in or outside Canada, which sets the Federal Court's limit) and its program. What the letter does not say
is asked as before.

The reader keeps nothing: the application number only helps recognise a letter. The pasted text itself stays
in the conversation's history like any message, until the firm's purge (docs/legal-rules.md).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

import dateparser

from bot.domain.case import DecisionLocation, Program, RefusalCause, normalize_causes
from bot.domain.letter_provisions import Law, LetterKind, Provision, provision

# Where a message's parse data carries the letter's facts (LetterReading.as_facts): the NLU puts them there,
# the actions read them, and the tracker store keeps them when it drops the letter's text.
LETTER_FACTS_KEY = "letter"
# Shorter texts are people's messages, even when they quote a line of their letter.
MIN_LETTER_LENGTH = 250
# A quote said back stays readable in a chat bubble.
MAX_QUOTE_LENGTH = 220

_F = re.IGNORECASE | re.MULTILINE

# A province's nominee program or Quebec's ministry deciding on its own selection, not IRCC on the application
# for permanent residence.
PROVINCIAL_LETTERHEAD = (
    r"immigrant nominee program|advantage immigration program|ministry of (?:[\w,]+ ){0,4}immigration"
    r"|minist[èe]re de l'immigration|government of (?:alberta|ontario|british columbia|saskatchewan|manitoba"
    r"|new brunswick|nova scotia|prince edward island|newfoundland)"
)
_PROVINCIAL_ISSUER = re.compile(
    PROVINCIAL_LETTERHEAD + r"|\bMIFI\b|certificat de s[ée]lection du qu[ée]bec|\b(?:OINP|SINP|MPNP|AAIP|NSNP|NBPNP)\b",
    re.IGNORECASE,
)
IRCC_NAME = r"immigration,? (?:refugees and citizenship|r[ée]fugi[ée]s et citoyennet[ée]) canada"
OFFICER_NOTES = r"\b(?:GCMS|SMGC)\b|\bofficer'?s? (?:decision )?notes\b|notes de l'agent"
# IRCC's own letterhead, by its current or former name, or its officer's notes.
_IRCC = re.compile(
    rf"{IRCC_NAME}|\bIRCC\b|\bCIC\b|citizenship and immigration canada|citoyennet[ée] et immigration canada"
    rf"|{OFFICER_NOTES}",
    re.IGNORECASE,
)

# What only a letter (or the officer's notes) holds. A person's message can name IRCC, greet and sign off, and
# still quote a line of the letter: a letter has one of the strong marks and two marks in all. No pattern lets
# whitespace run on both sides of an optional part ("[ \t]*", not "\s*"): on a long pasted text that costs
# quadratic time, and this runs on every message.
STRONG_LETTER_MARKS = tuple(
    re.compile(pattern, _F)
    for pattern in (
        IRCC_NAME,
        r"\b(?:application|file|client|demande|dossier)[ \t]*(?:no\.?|number|num[ée]ro|n[°o]\.?|#)[ \t]*:?[ \t]*"
        r"[A-Z]?\d{6,}",
        r"\b[EFBWVS]\d{9}\b|\b(?:UCI|IUC)[ \t]*:?[ \t]*\d",
        r"immigration and refugee protection (?:act|regulations)|loi sur l'immigration et la protection des r[ée]fugi"
        r"|r[èe]glement sur l'immigration",
        r"\b(?:subsection|paragraph|paragraphe|alin[ée]a)[ \t]+\d+(?:\.\d)?[ \t]*\(\d+\)",
        OFFICER_NOTES,
        # The officer's notes cite "A11(1)", "R87.1(2)".
        r"\b[AR]\d{1,3}(?:\.\d)?\(\d+\)",
        r"\bvisa (?:section|office)|section des visas|bureau des visas|case processing cent|centre de traitement",
        # A province's or Quebec's letterhead: a heading line of its own among the text's first three ("Government
        # of Saskatchewan / Ministry of Immigration and Career Training"). A person names the ministry in a sentence.
        r"\A\s{0,10}(?:[^\n]{0,80}\n){0,2}[ \t]*(?:[\w-]+[ \t]){0,3}(?:" + PROVINCIAL_LETTERHEAD + r")[^\n.!?]{0,60}$",
    )
)
LETTER_MARKS = STRONG_LETTER_MARKS + tuple(
    re.compile(pattern, _F)
    for pattern in (
        r"\bIRCC\b|\bCIC\b",
        r"^[ \t]*(?:dear|madame|monsieur)\b.{0,60}$",
        r"\b(?:IRPA|IRPR|LIPR|RIPR)\b",
        r"\bI have (?:determined|reviewed|assessed)",
        r"\b(?:PA|DP)\b",  # the principal applicant, in the officer's notes
        r"\b(?:sincerely|yours truly|veuillez agr[ée]er|salutations distingu[ée]es)\b",
        # The account's decision page: "Date de la décision : 2026-09-10".
        r"\b(?:date de la d[ée]cision|date of (?:the )?decision|decision date)\b",
    )
)

# What the letter decides, first match wins: a return or a fairness letter can use the word "refuse".
# A return says the application is incomplete and is returned, together: "incomplète" alone may be a document,
# "nous vous retournons votre passeport" a refusal's last line.
_RETURNED = re.compile(
    r"\bincomplete\b[^.]{0,120}\breturn|\breturn\w*\b[^.]{0,120}\bincomplete\b"
    r"|\bincompl[èe]te?s?\b[^.]{0,120}\bretourn|\bretourn\w*\b[^.]{0,120}\bincompl[èe]te?s?\b",
    _F,
)
_DECIDED = re.compile(
    r"\brefus\w*|\bis refused|\bhas been refused|do(?:es)? not meet|not satisfied|ne satisfai\w+ pas"
    r"|ne r[ée]pond\w* pas|pas convaincu|\binadmissib\w*|\binterdit\w* de territoire|\brejet\w*",
    _F,
)
_FAIRNESS = re.compile(
    r"procedural fairness|[ée]quit[ée] proc[ée]durale|before (?:a|the) final decision is made|avant de rendre"
    r"|you (?:have|are given) \d+ days to (?:respond|reply|submit)|vous (?:disposez|avez) de \d+ jours",
    _F,
)
# Express Entry's programs by their names, in both languages.
EXPRESS_ENTRY_NAMES = (
    r"express entry|entr[ée]e express|skilled (?:worker|trades)|travailleurs? (?:qualifi|de m[ée]tiers)"
    r"|exp[ée]rience canadienne|provincial nominee|candidats? des provinces"
)
_PERMANENT = re.compile(
    rf"\bPR\b|\be-?APR\b|\b(?:CEC|FSW|FST|PNP|PTQF|PTMSF)\b|permanent resid\w*|r[ée]sid\w* permanent\w*"
    rf"|canadian experience class|{EXPRESS_ENTRY_NAMES}",
    _F,
)
# Permanent residence in the family class. Not humanitarian grounds: a refusal letter names them as a way out.
_OTHER_PERMANENT = re.compile(
    r"spouse or common-law partner (?:in canada )?class|family class|regroupement familial|cat[ée]gorie des [ée]poux"
    r"|\bsponsored by\b|parrain[ée]e? par",
    _F,
)
_EXPRESS_ENTRY = re.compile(
    rf"{EXPRESS_ENTRY_NAMES}|canadian experience|\b(?:CEC|FSW|FST|PNP|PTQF|PTMSF|PCP)\b",
    _F,
)
# Not a decision: an invitation to apply, an acknowledgement of receipt; a receipt's words alone only where the
# text finds nothing against the applicant ("we received your application" opens refusals too).
_RECEIVED = re.compile(r"nous avons bien re[çc]u votre demande|we (?:have )?received your application", _F)
_FAIRNESS_NAMED = re.compile(r"procedural fairness|[ée]quit[ée] proc[ée]durale|before (?:a|the) final decision", _F)
_NOT_A_DECISION = re.compile(
    r"pleased to invite you|invit(?:e|ons) (?:you )?to apply|vous invitons [àa] pr[ée]senter|accus[ée] de r[ée]ception"
    r"|acknowledge?ment of receipt|nous confirmons la r[ée]ception|confirm(?:s|ing)? (?:the )?receipt",
    _F,
)
# A return says so in the present: "is being returned", "nous vous retournons"; an acknowledgement only warns.
_RETURNED_NOW = re.compile(
    r"\b(?:is|are|has been|have been) (?:being )?returned|\bwe are returning|vous retournons|\best retourn[ée]e"
    r"|a [ée]t[ée] retourn[ée]e",
    _F,
)
_OTHER_APPLICATION = re.compile(
    r"study permit|permis d'[ée]tudes|work permit|permis de travail|post-graduation|postdipl[ôo]me|\bPGWP\b|\bPTPD\b"
    r"|temporary resident visa|visa de r[ée]sident temporaire|visitor visa|visa de visiteur|\bTRV\b|\bVRT\b"
    # Not "Citizenship" alone: IRCC's own name holds it.
    r"|super visa|sponsorship|parrainage|(?:canadian|grant of|application for) citizenship"
    r"|citizenship (?:application|grant|test)|citoyennet[ée] canadienne|\bCAQ\b"
    r"|leave canada (?:at|by) the end|quitter\w* le canada [àa] la fin",
    _F,
)

# A nominee's establishment in the province, which a nominee-class refusal finds wanting (R87(2)(b), R87(3)).
ESTABLISHMENT_WORDS = (
    r"economically established|[ée]tablissement [ée]conomique|r[ée]ussir (?:son|votre) [ée]tablissement"
    r"|intention de r[ée]sider|substituted evaluation|substitution d'appr[ée]ciation"
)

# The grounds as letters word them, for letters that say them without a provision or beside one.
GROUNDS: Tuple[Tuple[RefusalCause, re.Pattern[str]], ...] = tuple(
    (cause, re.compile(pattern, _F))
    for cause, pattern in (
        (
            RefusalCause.MISREPRESENTATION,
            r"misrepresent\w*|withh[eo]ld\w* material facts?|material facts?|fausses? d[ée]clarations?"
            r"|pr[ée]sentation erron[ée]e|r[ée]ticence sur des faits|faits importants|fraudulent|frauduleu\w+"
            r"|\b(?:not|pas)\b[^.]{0,80}\b(?:genuine|authentiques?)\b|falsifi\w+|forged|contrefait\w*"
            # The materiality test's own words: "could have induced an error in the administration of the Act".
            r"|error in the administration|erreur dans l'application de la loi",
        ),
        (
            RefusalCause.CRIMINAL_INADMISSIBILITY,
            r"criminal\w*|criminalit[ée]|convict\w*|d[ée]clar[ée]e? coupable|condamn\w+|infraction|offence",
        ),
        (
            RefusalCause.MEDICAL_INADMISSIBILITY,
            r"excessive demand|fardeau excessif|danger to public health|danger pour la sant[ée] publique"
            r"|health grounds|motifs sanitaires|medical (?:condition|inadmissib\w*)|[ée]tat de sant[ée]",
        ),
        (
            RefusalCause.PNP_CRITERIA,
            r"nominat\w*|certificat de d[ée]signation|d[ée]signation (?:provinciale|de la province)"
            rf"|{ESTABLISHMENT_WORDS}|intend\w* to (?:reside|live|settle) in\b",
        ),
        (
            RefusalCause.WORK_EXPERIENCE,
            r"lead statement|main duties|[ée]nonc[ée] principal|fonctions principales|qualifying work experience"
            r"|work experience|exp[ée]rience de travail|exp[ée]rience (?:professionnelle|canadienne|qualifiante)"
            r"|self-employ\w*|travail(?:leur)? autonome|full-time stud\w*|[ée]tudiant à temps plein|\bNOC\b|\bCNP\b"
            r"|\bTEER\b|hours of (?:paid )?work|heures de travail",
        ),
        (
            RefusalCause.LOW_SCORE,
            r"\b\d+\s+points?\b|\bpoints? (?:awarded|claimed|required|attribu\w+|accord\w+|obtenu\w*|requis)"
            r"|comprehensive ranking|syst[èe]me de classement|\bCRS\b|\bSCG\b|minimum (?:of|de) 67"
            r"|selection (?:grid|criteria)|grille de s[ée]lection|\bscore\b|\bpoints? recalcul\w*"
            r"|\bnote (?:minimale|de passage|requise)|\bvotre note (?:est|serait|recalcul\w*)",
        ),
        (
            RefusalCause.MISSING_DOCUMENTS,
            r"(?:did|have|has) not (?:provide|provided|submit|submitted|include|included)|failed to (?:provide|submit)"
            r"|n'(?:avez|a) pas (?:fourni|soumis|pr[ée]sent[ée]|inclus|transmis|produit)|not (?:been )?(?:provided|submitted)"
            r"|ne nous (?:sont|est) (?:jamais |pas )+parvenu\w*|(?:has|have|did) not reach(?:ed)? us"
            # A notes line, after its date: "2026-05-02  No police certificate received"; not "no doubt".
            r"|(?:^|\d[ \t]+)[ \t]*no\b(?![ \t]+(?:doubt|indication|concern|reason))[\w \t-]{0,40}"
            r"\b(?:received|provided|submitted)\b"
            r"|requested documents?|documents? (?:demand[ée]s|requis|manquants?)|missing documents?"
            r"|insufficient (?:settlement )?funds|fonds (?:d'[ée]tablissement )?insuffisants"
            r"|(?:was|were|has|have) (?:not|never) (?:been )?(?:provided|submitted|received)|neither was provided"
            r"|n'(?:a|ont) (?:toujours |jamais )?(?:pas )?[ée]t[ée] (?:fourni|re[çc]u|transmis|pr[ée]sent[ée])\w*"
            r"|\bnon (?:fourni|transmis|pr[ée]sent[ée]|re[çc]u)\w*|\bno\b[^.]{0,60}\b(?:was|were) (?:provided|submitted|received)"
            r"|n'avons (?:toujours )?(?:pas )?re[çc]u|(?:have|has) not (?:yet )?received|we did not receive|you did not send"
            # Documents absent, not evidence found thin ("in the absence of evidence of duties" is the experience).
            r"|en l'absence (?:de|d')\s*(?:(?:ce|ces|cette|tels|telles) (?:documents?|preuves?|pi[èe]ces?)"
            r"|(?:documents?|pi[èe]ces?|r[ée]sultats?)\b)"
            r"|in the absence of (?:(?:this|these|the requested|such) (?:documents?|evidence)|(?:valid )?(?:documents"
            r"|results)\b)",
        ),
    )
)
# A document a letter names is a ground only where the same sentence says it is missing or not good enough:
# "following your medical examination" opens a health finding, not a missing exam.
DOCUMENTS = re.compile(
    r"settlement funds|proof of funds|fonds (?:d'[ée]tablissement|suffisants)|preuve de fonds|police certificate"
    r"|certificat de police|language test|test (?:de langue|linguistique)|educational credential assessment"
    r"|[ée]valuation des dipl[ôo]mes|\bECA\b|\bEDE\b|biometric\w*|donn[ée]es biom[ée]triques|medical exam\w*"
    r"|examen m[ée]dical|reference letter|employment letter|lettre de r[ée]f[ée]rence|lettre d'emploi|pay stubs"
    r"|relev[ée]s? de paie|fiches? de paie|pay ?slips|bank statements?|relev[ée]s? bancaires?|translation|traduction"
    r"|casier judiciaire|police record|court records?|\bFBI\b|certificate of qualification|certificat de comp[ée]tence",
    _F,
)
DOCUMENT_FAULT = re.compile(
    r"\bnot\b|\bno\b|\bpas\b|\bwithout\b|\bsans\b|\bfailed\b|missing|manquant|expired|expir[ée]|invalid|invalide"
    r"|\baucun\w*|\bnone\b|\bneither\b|\bnever\b|\bjamais\b"
    r"|insufficient|insuffisant|incomplete|incomplet|no longer|ne \w+ plus|outdated|p[ée]rim[ée]",
    _F,
)
# A letter's sentences that state the decision's grounds; the rest (how to apply again, the court) are not.
_NOT_GROUNDS = re.compile(
    r"judicial review|contr[ôo]le judiciaire|federal court|cour f[ée]d[ée]rale|new application|nouvelle demande"
    r"|re-?apply|pr[ée]senter une nouvelle|you may|vous pouvez|access to information|acc[èe]s [àa] l'information",
    _F,
)
# A sentence restating the law ("Subsection 16(1) provides that an applicant must produce the documents
# required") names every ground the provision could rest on; the provision it cites says which one it is.
_RESTATES_LAW = re.compile(
    r"\bprovides? that|\brequires? that|pr[ée]voi(?:t|ent) (?:que|qu')|stipul\w+ (?:que|qu'|that)|\bexige (?:que|qu')"
    r"|(?:l'auteur d'une demande|l'[ée]tranger)\b[^.]{0,60}\bdoit|(?:a foreign national|an applicant)\b[^.]{0,60}"
    r"\b(?:must|shall)\b|fait partie de la cat[ée]gorie|emporte interdiction",
    _F,
)
# Findings: a sentence stating one names the rest as its evidence ("a misrepresentation on your work
# experience, which gave you CRS points" is no finding on the experience or the score).
FINDINGS = frozenset(
    {RefusalCause.MISREPRESENTATION, RefusalCause.CRIMINAL_INADMISSIBILITY, RefusalCause.MEDICAL_INADMISSIBILITY}
)
# A finding that a nominee will not settle in the province or become economically established weighs their
# whole file: the job offer not shown, the funds, the experience ("you have worked only as a
# cashier") are its evidence, not grounds of their own, unless the letter cites a provision on documents
# (A16(1): a document asked for and not produced is a ground of its own). A nomination withdrawn is no such finding.
_ESTABLISHMENT = re.compile(rf"{ESTABLISHMENT_WORDS}|[ée]valuation substitu[ée]e|intend\w* to reside", _F)
# A16(1), the duty to produce the documents an officer asks for: its law and section.
DUTY_TO_PRODUCE = (Law.IRPA, "16")
ESTABLISHMENT_EVIDENCE = frozenset({RefusalCause.MISSING_DOCUMENTS, RefusalCause.WORK_EXPERIENCE})
# The experience, the score and the nomination are named in every letter of their program ("you claimed two
# years of work experience", "nominated by Manitoba"): they are grounds only in a sentence finding fault.
NEEDS_FAULT = frozenset({RefusalCause.WORK_EXPERIENCE, RefusalCause.LOW_SCORE, RefusalCause.PNP_CRITERIA})
GROUND_FAULT = re.compile(
    DOCUMENT_FAULT.pattern
    + r"|\bne\b|\bn'|n't\b|\bbelow\b|inf[ée]rieur\w*|less than|moins de|fewer|\bonly\b|seulement|unable|cannot"
    r"|impossible|exclu\w*|withdr[ae]wn?|retir[ée]\w*|revok\w*|r[ée]voqu\w*|annul\w*|\bfalls?\b|dropp?\w*"
    r"|diminu\w*|baiss\w*|recalcul\w*|doubt|concern|pr[ée]occup\w*|inconsistent|incoh[ée]ren\w*|contradict\w*"
    r"|lower than|plus bas",
    _F,
)
# "This experience is sufficient to meet the minimum requirements": the experience is not what failed.
_EXPERIENCE_MET = re.compile(
    r"sufficient to meet the minimum|meets? the minimum|suffisante? pour (?:satisfaire|r[ée]pondre) aux exigences "
    r"minimales|r[ée]pond(?:ez)? aux exigences minimales",
    _F,
)
_NEGATED = re.compile(r"\bnot\b|n't\b|\bpas\b|\bno\b|insufficient|insuffisant", _F)
# A document named with the points is a points claim: "no credential assessment, so these points cannot be
# awarded". The second official language only adds points: its results not sent lower the score. A grid's line,
# ending on its points ("lien de parenté non démontré = 0"), counts them too.
_POINTS = re.compile(
    r"=\s*\d{1,3}(?:\s*points?)?\s*[.;)]?[ \t]*$|\bpoints?\b|\bscore\b|\bCRS\b|\bSCG\b|second (?:official )?language"
    r"|(?:2e|2nde?|deuxi[èe]me|seconde?) langue",
    _F,
)

# The program's name is no ground: "la catégorie de l'expérience canadienne" names the program, not experience
# found wanting.
_PROGRAM_NAMES = re.compile(
    r"(?:cat[ée]gorie|programme) de l'exp[ée]rience canadienne|canadian experience class|\bCEC\b", _F
)

# Citations: "paragraph 40(1)(a) of the Act", "alinéa 40(1)a) de la LIPR", "A40(1)(a)", "R76(1)(b)", "IRPR s. 10".
_CITATION = re.compile(
    r"(?:(?P<prefix>\b(?:IRPA|IRPR|LIPR|RIPR)\b\s*(?:s\.|sec\.|art\.|section|article)?\s*)"
    r"|\b(?P<letter>[AR])(?=\d)"
    r"|\b(?:sub-?sections?|sections?|paragraphs?|subparagraphs?|paragraphes?|sous-alin[ée]as?|alin[ée]as?|articles?"
    r"|ss?\.|art\.)\s*)"
    r"(?P<section>\d{1,3}(?:\.\d)?)(?:\s*\((?P<subsection>\d+(?:\.\d)?)\))?"
    r"(?:\s*\(?(?P<paragraph>[a-z])\))?(?=(?P<tail>[^.;\n]{0,80}))",
    re.IGNORECASE,
)
# "articles 10 et 12", "sections 75 and 76": the next numbers of a list, of the same law.
_LISTED = re.compile(r"\s*(?:,|\bet\b|\band\b|&)\s*(\d{1,3}(?:\.\d)?)(?:\s*\((\d+)\))?(?:\s*\(?([a-z])\))?")
_REGULATIONS = re.compile(r"\b(?:IRPR|RIPR|regulations?|r[èe]glement)\b", re.IGNORECASE)
_ACT = re.compile(r"\b(?:IRPA|LIPR|the act|de la loi|la loi|act)\b", re.IGNORECASE)
# Cited without naming its law: these numbers are the Regulations' in a letter about permanent residence.
REGULATION_SECTIONS = {"10", "12", "75", "76", "87", "87.1", "87.2", "179", "200", "216"}

_PROGRAMS: Tuple[Tuple[Program, re.Pattern[str]], ...] = tuple(
    (program, re.compile(pattern, _F))
    for program, pattern in (
        (Program.FST, r"skilled trades?|m[ée]tiers sp[ée]cialis[ée]s|\bPTMSF\b|\bFSTP?\b|87\.2"),
        (Program.CEC, r"canadian experience|exp[ée]rience canadienne|\bCEC\b|\bCEEC\b|87\.1"),
        (Program.PNP, r"provincial nominee|candidats? des provinces|\bPNP\b|\bPCP\b|certificat de d[ée]signation"),
        (Program.FSW, r"skilled workers?\b|travailleurs? qualifi[ée]s|\bPTQF\b|\bFSWP?\b"),
    )
)


@dataclass(frozen=True)
class Office:
    name: str
    location: DecisionLocation


# IRCC's offices as letters name them. In Canada: the processing centres and domestic offices; outside, the
# visa offices of the embassies, high commissions and consulates.
CANADIAN_OFFICES = (
    "Sydney", "Ottawa", "Edmonton", "Mississauga", "Vancouver", "Montréal", "Montreal", "Winnipeg", "Calgary",
    "Toronto", "Etobicoke", "Scarborough", "Niagara Falls", "Halifax", "Hamilton", "Kitchener", "London, Ontario",
    "Québec", "Regina", "Saskatoon", "Victoria", "Surrey", "Moncton", "Fredericton", "Charlottetown",
    "St. John's", "Whitehorse", "Gatineau",
)  # fmt: skip
FOREIGN_OFFICES = (
    "Paris", "London", "Londres", "Accra", "Dakar", "Rabat", "Tunis", "Alger", "Algiers", "Abidjan", "Yaoundé",
    "Kinshasa", "Lagos", "Nairobi", "Pretoria", "Dar es Salaam", "Cairo", "Le Caire", "Beirut", "Beyrouth",
    "Amman", "Ankara", "Abu Dhabi", "Dubai", "Riyadh", "Islamabad", "New Delhi", "Chandigarh",
    "Bengaluru", "Colombo", "Dhaka", "Manila", "Manille", "Beijing", "Pékin", "Shanghai", "Guangzhou",
    "Hong Kong", "Singapore", "Singapour", "Kuala Lumpur", "Jakarta", "Bangkok", "Ho Chi Minh", "Hanoi",
    "Seoul", "Séoul", "Tokyo", "Canberra", "Mexico", "Guatemala", "Port-au-Prince", "Port of Spain", "Kingston",
    "Bogotá", "Bogota", "Lima", "Quito", "Santiago", "Buenos Aires", "São Paulo", "Sao Paulo", "Brasilia",
    "Rome", "Vienna", "Vienne", "Warsaw", "Varsovie", "Berlin", "Madrid", "Lisbon", "Lisbonne", "Brussels",
    "Bruxelles", "Kyiv", "Bucharest", "Bucarest", "Moscow", "Moscou", "Tel Aviv", "Ramallah", "Addis Ababa",
    "Addis-Abeba", "Kampala", "Kigali", "Bamako", "Ouagadougou", "Niamey", "Conakry", "Lomé", "Cotonou",
)  # fmt: skip
ABROAD = re.compile(
    r"embassy of canada|ambassade du canada|high commission of canada|haut-commissariat du canada"
    r"|consulate general of canada|consulat g[ée]n[ée]ral du canada|canadian (?:embassy|high commission|consulate)"
    r"|visa (?:section|office)|section des visas|bureau des visas",
    re.IGNORECASE,
)
IN_CANADA = re.compile(
    r"case processing cent(?:re|er)|centre de traitement des demandes|centralized intake office"
    r"|centre de r[ée]ception centralis[ée]e|domestic (?:processing|network)|r[ée]seau national",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class LetterReading:
    kind: LetterKind
    causes: Tuple[RefusalCause, ...]
    quotes: Tuple[str, ...]  # the letter's own sentences stating the grounds, in its order
    provisions: Tuple[str, ...]  # as cited, written the same way: "IRPA 40(1)(a)", "IRPR 87.1(2)"
    decision_date: Optional[date]
    office: Optional[Office]
    program: Optional[Program]

    def as_facts(self) -> Dict[str, Any]:
        """The reading as plain JSON values: what the conversation keeps of a letter instead of its text."""
        return {
            "kind": self.kind.value,
            "causes": [cause.value for cause in self.causes],
            "quotes": list(self.quotes),
            "provisions": list(self.provisions),
            "decision_date": self.decision_date.isoformat() if self.decision_date else None,
            "office": {"name": self.office.name, "location": self.office.location.value} if self.office else None,
            "program": self.program.value if self.program else None,
        }

    @classmethod
    def from_facts(cls, facts: Any) -> Optional[LetterReading]:
        """The reading `as_facts` wrote, or None for anything else (an older conversation, a forged value)."""
        try:
            office = facts["office"]
            return cls(
                kind=LetterKind(facts["kind"]),
                causes=tuple(RefusalCause(cause) for cause in facts["causes"]),
                quotes=tuple(str(quote) for quote in facts["quotes"]),
                provisions=tuple(str(citation) for citation in facts["provisions"]),
                decision_date=date.fromisoformat(facts["decision_date"]) if facts["decision_date"] else None,
                office=Office(str(office["name"]), DecisionLocation(office["location"])) if office else None,
                program=Program(facts["program"]) if facts["program"] else None,
            )
        except (KeyError, TypeError, ValueError):
            return None


def looks_like_a_letter(text: str) -> bool:
    text = text or ""
    if len(text) < MIN_LETTER_LENGTH or not any(mark.search(text) for mark in STRONG_LETTER_MARKS):
        return False
    return sum(bool(mark.search(text)) for mark in LETTER_MARKS) >= 2


def _sentences(text: str) -> List[str]:
    # Pasted letters break lines mid-sentence: lines are joined, then cut at sentence ends and blank lines.
    joined = re.sub(r"-\n(?=[a-zà-ÿ])", "", text)
    paragraphs = re.split(r"\n[ \t]*\n", joined)
    found: List[str] = []
    for paragraph in paragraphs:
        flat = " ".join(paragraph.split())
        found += [part.strip() for part in re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý«\"(])", flat) if part.strip()]
    return found


def _law_of(match: re.Match[str], text: str) -> Law:
    prefix, letter, section = match.group("prefix") or "", match.group("letter") or "", match.group("section")
    if prefix:
        return Law.IRPR if re.search(r"IRPR|RIPR", prefix, re.IGNORECASE) else Law.IRPA
    if letter:
        return Law.IRPR if letter.upper() == "R" else Law.IRPA
    tail = match.group("tail") or ""
    regulations, act = _REGULATIONS.search(tail), _ACT.search(tail)
    if regulations and (not act or regulations.start() < act.start()):
        return Law.IRPR
    if act:
        return Law.IRPA
    return Law.IRPR if section in REGULATION_SECTIONS else Law.IRPA


def citation_of(law: Law, section: str, subsection: str = "", paragraph: str = "") -> str:
    """A citation as the assistant writes it, whatever the letter's style: "IRPA 40(1)(a)", "IRPR 87.1(2)"."""
    return f"{law.value} {section}" + "".join(f"({part})" for part in (subsection, paragraph) if part)


def cited_provisions(text: str) -> List[Tuple[str, str, Provision]]:
    """Each citation of the text found in the table, as written by `citation_of`, with the sentence citing it
    and the table's row, in order, once each."""
    cited: List[Tuple[str, str, Provision]] = []
    seen: Set[str] = set()

    def add(sentence: str, law: Law, section: str, subsection: str, paragraph: str) -> None:
        found = provision(law, section, subsection, paragraph.lower())
        citation = citation_of(law, section, subsection, paragraph.lower())
        if found is not None and citation not in seen:
            seen.add(citation)
            cited.append((citation, sentence, found))

    for sentence in _sentences(text):
        for match in _CITATION.finditer(sentence):
            law = _law_of(match, sentence)
            add(sentence, law, match.group("section"), match.group("subsection") or "", match.group("paragraph") or "")
            position = match.end()
            while listed := _LISTED.match(sentence, position):
                add(sentence, law, listed.group(1), listed.group(2) or "", listed.group(3) or "")
                position = listed.end()
    return cited


# "Your application is therefore refused", "Votre demande est donc refusée": the decision itself.
_REFUSED_IN_WORDS = re.compile(
    r"\b(?:is|are|has been|have been|est|sont|a [ée]t[ée])(?:\s+\w+){0,3}\s+(?:refused|refus[ée]e?s?|rejet[ée]e?s?)\b"
    # The notes' last line and the account's status: "Demande refusée.", "Refused.", "Statut : Refusée".
    r"|\b(?:demande|application)\s+(?:refus[ée]e|refused|rejet[ée]e)\b|(?:^|[.:;]\s+)refused\b|statu[ts]\s*:\s*refus"
    r"|(?:must refuse|refusing|have refused|refuse) (?:your|the) application|je (?:refuse|rejette) (?:votre|la) demande",
    re.IGNORECASE | re.MULTILINE,
)


# "Si ces exigences ne sont pas remplies, la demande est refusée": a sentence or clause opening on a condition
# states the law's consequence, as a fairness letter does. "Même si", "even if" concede the point and still refuse.
_CONDITION = re.compile(r"(?:^|[,;:])\W*(?:si\b|s'ils?\b|if\b|unless\b|[àa] moins)", re.IGNORECASE)


def _refusal_stated(text: str) -> bool:
    """A sentence saying the application is refused, not on a condition. `text` is flat: one line."""
    for match in _REFUSED_IN_WORDS.finditer(text):
        opening = max(text.rfind(end, 0, match.start()) for end in ".!?")
        if not _CONDITION.search(text[opening + 1 : match.start()]):
            return True
    return False


def _kind(text: str, provisions: Sequence[Provision], head: str) -> Optional[LetterKind]:
    """What the letter decides; `head` is its letterhead, where a province's or Quebec's program names itself."""
    kinds = {p.kind for p in provisions}
    refused = _refusal_stated(text)
    not_a_decision = _NOT_A_DECISION.search(text) or (_RECEIVED.search(text) and not _DECIDED.search(text))
    if not_a_decision and not (refused or _RETURNED_NOW.search(text) or _FAIRNESS_NAMED.search(text)):
        return None
    # A return is a return whatever the application: a work permit's too.
    if LetterKind.RETURNED_INCOMPLETE in kinds or (_RETURNED.search(text) and not refused):
        return LetterKind.RETURNED_INCOMPLETE
    if (
        LetterKind.OTHER_APPLICATION in kinds
        or (_OTHER_APPLICATION.search(text) and not _PERMANENT.search(text))
        or (_OTHER_PERMANENT.search(text) and not _EXPRESS_ENTRY.search(text))
        # A province's or Quebec's letterhead decides on its own program, even when the letter names IRCC.
        or (_PROVINCIAL_ISSUER.search(head) and not _IRCC.search(head) and not ABROAD.search(head))
    ):
        return LetterKind.OTHER_APPLICATION
    if _FAIRNESS.search(text) and not refused:
        return LetterKind.FAIRNESS_LETTER
    if _DECIDED.search(text):
        return LetterKind.REFUSAL
    return None


def _named(sentence: str, nominee: bool) -> List[RefusalCause]:
    """The grounds a sentence of the letter states in words."""
    if _RESTATES_LAW.search(sentence):
        return []
    plain = _PROGRAM_NAMES.sub(" ", sentence)
    named = [cause for cause, words in GROUNDS if words.search(plain)]
    if not nominee:
        # "Economically established", "substituted evaluation": the skilled-worker grid's words too.
        named = [cause for cause in named if cause is not RefusalCause.PNP_CRITERIA]
    if any(cause in FINDINGS for cause in named):
        return [cause for cause in named if cause in FINDINGS]
    if not GROUND_FAULT.search(plain):
        named = [cause for cause in named if cause not in NEEDS_FAULT]
    if _POINTS.search(plain):
        named = [cause for cause in named if cause is not RefusalCause.MISSING_DOCUMENTS]
    return named


def _grounds(
    sentences: Sequence[str], cited: Sequence[Tuple[str, str, Provision]], nominee: bool
) -> Tuple[Tuple[RefusalCause, ...], Tuple[str, ...]]:
    """The causes, from the provisions cited and the letter's words, each quoted by the first sentence whose
    words state it (the reason in plain words), else by the sentence citing its provision."""
    quoted: Dict[RefusalCause, str] = {}
    readable = [sentence for sentence in sentences if not _NOT_GROUNDS.search(sentence)]
    named_in = {sentence: _named(sentence, nominee) for sentence in readable}
    # In a letter finding a misrepresentation, documents are its evidence: "the signatory of the reference
    # letter never worked there" is no missing document. (A criminal or health finding's letter may also lack one.)
    misrepresentation = any(RefusalCause.MISREPRESENTATION in named for named in named_in.values()) or any(
        found.cause is RefusalCause.MISREPRESENTATION for _, _, found in cited
    )
    # "This experience is sufficient to meet the minimum requirements": what the letter says of the experience
    # elsewhere ("one year, not two") is why the score fell, not a ground.
    experience_met = any(_EXPERIENCE_MET.search(sentence) and not _NEGATED.search(sentence) for sentence in readable)
    establishment = (
        nominee
        and any(
            _ESTABLISHMENT.search(sentence) and GROUND_FAULT.search(sentence) and not _RESTATES_LAW.search(sentence)
            for sentence in readable
        )
        and not any(
            found.cause is RefusalCause.MISSING_DOCUMENTS or (found.law, found.section) == DUTY_TO_PRODUCE
            for _, _, found in cited
        )
    )
    # A sentence in plain words first: "you did not show the lead statement" says more than "under 75(2)".
    for sentence in sorted(readable, key=lambda sentence: _CITATION.search(sentence) is not None):
        named = named_in[sentence]
        if experience_met:
            named = [cause for cause in named if cause is not RefusalCause.WORK_EXPERIENCE]
        if establishment:
            named = [cause for cause in named if cause not in ESTABLISHMENT_EVIDENCE]
        for cause in named:
            quoted.setdefault(cause, sentence)
        # A document found wanting in a sentence that names another ground is that ground's evidence: bank
        # statements "not genuine" are a misrepresentation, reference letters that "do not match the lead
        # statement" the work experience.
        if (
            not named
            and not misrepresentation
            and not establishment
            and DOCUMENTS.search(sentence)
            and DOCUMENT_FAULT.search(sentence)
            and not _POINTS.search(sentence)
            and not _RESTATES_LAW.search(sentence)
        ):
            quoted.setdefault(RefusalCause.MISSING_DOCUMENTS, sentence)
    for _, sentence, found in cited:
        if found.cause is not None and found.cause not in quoted:
            quoted[found.cause] = sentence
    order = [sentence for sentence in sentences if sentence in quoted.values()]
    order += [sentence for sentence in quoted.values() if sentence not in order]
    return normalize_causes(quoted), tuple(_shortened(quote) for quote in order)


def _shortened(sentence: str) -> str:
    return sentence if len(sentence) <= MAX_QUOTE_LENGTH else sentence[: MAX_QUOTE_LENGTH - 1].rsplit(" ", 1)[0] + "…"


# The letter's date line: its first date, in any of the formats IRCC and its offices use.
_MONTH = (
    r"(?:janv|f[ée]vr|mars|avr|mai|juin|juil|ao[uû]t|sept|oct|nov|d[ée]c|jan|feb|mar|apr|may|jun|jul|aug|sep|oct"
    r"|nov|dec)[a-zéû]*\.?"
)
_FULL_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|janvier"
    r"|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre)"
)
# A two-digit year ("04/03/26") is not read: day or month first, 2026 or 2004, the person is asked.
_DATE = re.compile(
    r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b"
    rf"|\b\d{{1,2}}(?:er|st|nd|rd|th)?(?:\s+of)?\s+{_MONTH},?\s+\d{{4}}\b"
    rf"|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"
    # "2026 March 4" on a line of its own: in a sentence "2025 may 3 applicants" is no date.
    rf"|^[ \t]*\d{{4}}\s+{_FULL_MONTH}\s+\d{{1,2}}[ \t]*$"
    r"|\b\d{1,2}[-/.](?:\d{1,2}|[a-z]{3})[-/.]\d{4}\b",
    re.IGNORECASE | re.MULTILINE,
)
# "Dated: 4 March 2026" opening its line is the letter's own date.
_DATE_LINE = re.compile(r"(?:^|\n)[ \t]*(?:dated|dat[ée]e?)\W*$", re.IGNORECASE)
# A date after these words is another document's (a test, a passport, a previous letter), not the decision's.
_NOT_DECISION_DATE = re.compile(
    r"\b(?:expir\w*|valid\w*|issued|d[ée]livr\w*|dated|dat[ée]e? du|born|n[ée]e? le|birth|naissance|received|re[çc]u\w*"
    r"|submitted|soumis\w*|on or before|avant le|from|du|to|au|until|jusqu'au)\W{0,3}(?:on\s|le\s)?$",
    re.IGNORECASE,
)


# The officer's notes are entries, each headed by its date ("2026-01-22 OT-6610", "18-MAR-2025 Decision"): the
# decision's date is the entry that records it, not the first entry's.
# An entry's date opens its line; a period ("2023-01-09 to 2024-01-08") is no entry.
# Entries may be quoted ("> 2026-03-04") or bracketed with their time ("[2026-03-04 09:30]"), their dates
# written "2026/03/04", "2026.03.04" or "04.03.2026".
_ENTRY_DATE = (
    r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|\d{1,2}-[a-z]{3}-\d{4})\b"
    r"(?![ \t]*(?:to|au|[-–])[ \t]*\d)"
)
_ENTRY_INDENT = r"[ \t]*(?:[>\[][ \t]*)?"
_NOTES_ENTRY = re.compile(rf"^{_ENTRY_INDENT}({_ENTRY_DATE})(.*(?:\n(?!{_ENTRY_INDENT}{_ENTRY_DATE}).*)*)", _F)
# Notes name themselves, or their applicant "PA" / "DP"; "please note" is no mark.
_NOTES = re.compile(rf"{OFFICER_NOTES}|\b(?:PA|DP)\b", _F)
_RECORDS_DECISION = re.compile(r"final decision|d[ée]cision finale|examen final", _F)


def _notes_decision_date(text: str, today: Optional[date]) -> Optional[date]:
    entries = [
        (found, body)
        for written, body in ((m.group(1), m.group(2)) for m in _NOTES_ENTRY.finditer(text))
        if (found := _as_date(written)) is not None and (today is None or found <= today)
    ]
    if len(entries) < 2 or not _NOTES.search(text):
        return None
    # The first entry saying "Application refused" or "Final decision": later ones may upload the letter or
    # answer a request, and the earlier date is the safer one for the deadline.
    recorded = [found for found, body in entries if _REFUSED_IN_WORDS.search(body) or _RECORDS_DECISION.search(body)]
    if recorded:
        return recorded[0]
    # Else the last entry finding against the applicant: earlier ones raise concerns.
    deciding = [found for found, body in entries if _DECIDED.search(body)]
    return (deciding or [found for found, _ in entries])[-1]


def decision_date(text: str, today: Optional[date] = None) -> Optional[date]:
    noted = _notes_decision_date(text, today)
    if noted is None:
        return _dated(text, today)
    first_entry = _NOTES_ENTRY.search(text)
    assert first_entry is not None  # notes were read from their entries
    dated = _dated(text[: first_entry.start()], today)
    # Dated lines under a letter (the person's own: "20/11/2026 j'ai reçu les notes") may pass for notes: the
    # letter's date above them, when earlier, is the safer limit.
    return min(noted, dated) if dated else noted


def _dated(text: str, today: Optional[date]) -> Optional[date]:
    """The first date of the text that is not another document's."""
    for match in _DATE.finditer(text):
        before = text[max(0, match.start() - 25) : match.start()]
        if _NOT_DECISION_DATE.search(before) and not _DATE_LINE.search(before):
            continue
        found = _as_date(match.group(0))
        if found is not None and (today is None or found <= today):
            return found
    return None


def _as_date(written: str) -> Optional[date]:
    iso = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", written)
    if iso:
        try:
            return date(*(int(part) for part in iso.groups()))
        except ValueError:
            return None
    numeric = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", written)
    order = "DMY"
    if numeric and int(numeric.group(1)) <= 12 < int(numeric.group(2)):
        order = "MDY"  # "11/14/2026": only a month-first date can be read so
    settings = {"DATE_ORDER": order, "PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False}
    parsed = dateparser.parse(written, languages=["fr", "en"], settings=settings)
    return parsed.date() if parsed else None


# The letterhead names the office: a line with one of these words, and the line after it ("IRCC\nOttawa,
# Ontario"). Elsewhere a city is the person's address, an employer's or a test centre's.
_OFFICE_LINE = re.compile(
    r"\bIRCC\b|\bCIC\b|immigration|embassy|ambassade|high commission|haut-commissariat|consulat\w*|\bvisa\b"
    r"|\bbureau\b|\boffice\b|cent(?:re|er)\b|\bsection\b|processing|traitement",
    re.IGNORECASE,
)
_SALUTATION = re.compile(r"^[ \t]*(?:dear|madame|monsieur|bonjour|hello)\b", re.IGNORECASE | re.MULTILINE)


# The officer's notes name the office on the application's line: "Application E003044786 | CEC | OTTAWA".
_APPLICATION_LINE = re.compile(r"\b[EFBWVS]\d{9}\b")


# A "Bonjour" the person wrote above the pasted letter is not the letter's salutation: the letterhead ends at
# the first salutation with an office or application line above it, among the first few.
MAX_SALUTATIONS = 3


def _head_lines(head: str) -> List[str]:
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    picked: List[str] = []
    for number, line in enumerate(lines):
        if _OFFICE_LINE.search(line):
            # The office's line and the next ("IRCC / Ottawa, Ontario"); not further: the applicant's address
            # may follow with no blank line.
            picked += lines[number : number + 2]
        elif _APPLICATION_LINE.search(line):
            picked.append(line)
    return picked


def _letterhead(text: str) -> str:
    for found in itertools.islice(_SALUTATION.finditer(text), MAX_SALUTATIONS):
        if _head_lines(text[: found.start()]):
            return text[: found.start()]
    return text[:600]


def _letterhead_lines(text: str) -> List[str]:
    return _head_lines(_letterhead(text))


def _named_in(name: str, head: str) -> bool:
    # Notes write the office in capitals: "Bureau : DAKAR".
    return any(
        re.search(rf"(?<![\w-]){re.escape(written)}(?![\w-])", head) for written in dict.fromkeys((name, name.upper()))
    )


def office(text: str) -> Optional[Office]:
    """The deciding office as the letterhead names it, with where it is; None when the letter does not say
    clearly (the question is then asked)."""
    head = "\n".join(_letterhead_lines(text))
    for names, location in (
        (FOREIGN_OFFICES, DecisionLocation.OUTSIDE_CANADA),
        (CANADIAN_OFFICES, DecisionLocation.IN_CANADA),
    ):
        for name in names:
            if _named_in(name, head):
                # "London, Ontario" is in Canada; "London" alone is the High Commission.
                if name == "London" and re.search(r"London,?\s+(?:Ontario|ON)\b", head, re.IGNORECASE):
                    continue
                if name == "Sydney" and re.search(r"Sydney,?\s+(?:Australia|NSW)", head, re.IGNORECASE):
                    continue
                return Office(name, location)
    for pattern, location in ((ABROAD, DecisionLocation.OUTSIDE_CANADA), (IN_CANADA, DecisionLocation.IN_CANADA)):
        found = pattern.search(head)
        if found:
            return Office(found.group(0), location)
    return None


def program(text: str) -> Optional[Program]:
    for candidate, words in _PROGRAMS:
        if words.search(text):
            return candidate
    return None


def read_letter(text: str, today: Optional[date] = None) -> Optional[LetterReading]:
    """What the letter says, or None when the text is not a decision letter."""
    if not looks_like_a_letter(text):
        return None
    cited = cited_provisions(text)
    # Lines broken mid-phrase ("Canadian\nExperience Class") are read as one.
    flat = " ".join(text.split())
    kind = _kind(flat, [found for _, _, found in cited], _letterhead(text))
    if kind is None:
        return None
    causes: Tuple[RefusalCause, ...] = ()
    quotes: Tuple[str, ...] = ()
    read_program = program(flat)
    if kind is LetterKind.REFUSAL:
        nominee = read_program is Program.PNP or any(found.cause is RefusalCause.PNP_CRITERIA for _, _, found in cited)
        causes, quotes = _grounds(_sentences(text), cited, nominee)
        if not causes:
            causes = (RefusalCause.UNKNOWN_REASON,)
    return LetterReading(
        kind=kind,
        causes=causes,
        quotes=quotes,
        provisions=tuple(citation for citation, _, _ in cited),
        decision_date=decision_date(text, today),
        office=office(text),
        program=read_program,
    )
