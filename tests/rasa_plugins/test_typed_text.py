import pytest

from bot.rasa_plugins.typed_text import SMS_SPELLINGS, as_read, strip_accents

pytestmark = pytest.mark.unit


def test_a_message_typed_in_sms_reads_as_the_same_message_written_out():
    assert as_read("G recu un refus pcq lagent a pas vu mn IELTS") == as_read(
        "J'ai reçu un refus parce que l’agent a pas vu mon IELTS"
    )
    assert as_read("jsuis degouté, c fini?") == "je suis degoute, c est fini?"


def test_a_held_key_is_typed_once_but_a_doubled_letter_stays():
    assert as_read("allooo") == "allo"
    assert as_read("NOOOON!!!") == "non!!!"
    assert as_read("ciaoo, annuller") == "ciaoo, annuller"


def test_only_whole_words_are_written_out():
    # "c" inside "cec", "g" inside "agent", "pr" inside "preuve": untouched.
    assert as_read("cec agent preuve ke") == "cec agent preuve que"
    assert as_read("2 ans, 3 mois") == "2 ans, 3 mois"


def test_accents_capitals_and_apostrophes_go():
    assert as_read("Équité PROCÉDURALE l’agent d'IRCC") == "equite procedurale l agent d ircc"
    assert strip_accents("Équité procédurale, ça été") == "Equite procedurale, ca ete"


def test_every_written_out_form_is_plain_lower_case_words():
    for short, full in SMS_SPELLINGS.items():
        assert short == short.lower() and full == strip_accents(full.lower())
        assert "'" not in full  # as_read writes apostrophes as spaces
