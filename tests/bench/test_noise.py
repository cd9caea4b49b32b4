import random

import pytest

from bench.noise import NEIGHBOURS, TYPO_KINDS, add_noise, noisy_copy, strip_accents

pytestmark = pytest.mark.unit

MESSAGES = [
    "Mon test de langue a expiré, ils ont refusé ma demande à cause de ça",
    "J'ai reçu une lettre d'équité procédurale : ils parlent de fausse déclaration",
    "L'agent n'a pas regardé la lettre de mon employeur, c'est une erreur évidente",
    "Ma preuve de fonds était insuffisante selon IRCC, que puis-je faire ?",
] * 25


def test_the_same_seed_gives_the_same_copy_and_another_seed_another():
    assert noisy_copy(MESSAGES, seed=7) == noisy_copy(MESSAGES, seed=7)
    assert noisy_copy(MESSAGES, seed=7) != noisy_copy(MESSAGES, seed=8)


def test_every_kind_of_noise_occurs():
    copy = noisy_copy(MESSAGES, seed=1, typo_rate=0.05)
    assert {kind for noisy in copy for kind in noisy.typos} == set(TYPO_KINDS)
    text = " ".join(noisy.text for noisy in copy)
    assert text == text.lower()
    assert not set("éèàçÉ") & set(text)


def test_letters_are_mistyped_at_the_rate_asked_and_nothing_else_changes():
    letters = sum(ch.isalpha() for message in MESSAGES for ch in message)
    typos = sum(len(noisy.typos) for noisy in noisy_copy(MESSAGES, seed=3, typo_rate=0.05))
    assert typos / letters == pytest.approx(0.05, abs=0.01)
    clean = noisy_copy(MESSAGES, seed=3, typo_rate=0.0)
    assert [noisy.text for noisy in clean] == [strip_accents(message.lower()) for message in MESSAGES]
    assert all(noisy.typos == () for noisy in clean)


def test_a_substitution_hits_a_neighbouring_key_on_an_azerty_keyboard():
    assert set(NEIGHBOURS["a"]) == {"z", "q"}
    assert "m" in NEIGHBOURS["l"] and "w" in NEIGHBOURS["x"] and "s" not in NEIGHBOURS["a"]
    rng = random.Random(0)
    for _ in range(200):
        noisy = add_noise("a", rng, typo_rate=1.0)
        if noisy.typos == ("substitution",):
            assert noisy.text in NEIGHBOURS["a"]


def test_digits_spaces_and_punctuation_are_never_mistyped():
    assert add_noise("514 555-0199 ?!", random.Random(0), typo_rate=1.0).text == "514 555-0199 ?!"


def test_accents_are_dropped_but_letters_kept():
    assert strip_accents("Équité procédurale, ça été") == "Equite procedurale, ca ete"
