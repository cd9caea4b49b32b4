"""A noisy copy of the NLU test set, as people type on a phone: AZERTY typos, no accents, lower case.

Reproducible: the same seed gives the same copy (`random.Random(seed)`, nothing else random).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

from bot.rasa_plugins.typed_text import strip_accents

# French keyboard, letter rows only, with each row's horizontal offset in key widths.
AZERTY_ROWS = (("azertyuiop", 0.0), ("qsdfghjklm", 0.25), ("wxcvbn", 0.75))
TYPO_KINDS = ("substitution", "deletion", "duplication", "transposition")
DEFAULT_SEED = 42
DEFAULT_TYPO_RATE = 0.03


def _azerty_neighbours() -> Dict[str, str]:
    keys = [
        (letter, row, offset + column)
        for row, (letters, offset) in enumerate(AZERTY_ROWS)
        for column, letter in enumerate(letters)
    ]
    neighbours = {}
    for letter, row, x in keys:
        near = [
            other
            for other, other_row, other_x in keys
            if other != letter
            and ((other_row == row and abs(other_x - x) == 1) or (abs(other_row - row) == 1 and abs(other_x - x) < 1))
        ]
        neighbours[letter] = "".join(near)
    return neighbours


NEIGHBOURS = _azerty_neighbours()


@dataclass(frozen=True)
class NoisyText:
    text: str
    typos: Tuple[str, ...]  # the kind of each typo, in order


def add_noise(text: str, rng: random.Random, typo_rate: float = DEFAULT_TYPO_RATE) -> NoisyText:
    """Lower case, accents dropped, and each letter mistyped with probability `typo_rate`."""
    chars = list(strip_accents(text.lower()))
    out: List[str] = []
    typos: List[str] = []
    i = 0
    while i < len(chars):
        char = chars[i]
        if not char.isalpha() or rng.random() >= typo_rate:
            out.append(char)
            i += 1
            continue
        next_is_letter = i + 1 < len(chars) and chars[i + 1].isalpha()
        kinds = [
            kind
            for kind in TYPO_KINDS
            if (kind != "substitution" or char in NEIGHBOURS) and (kind != "transposition" or next_is_letter)
        ]
        kind = rng.choice(kinds)
        typos.append(kind)
        if kind == "substitution":
            out.append(rng.choice(NEIGHBOURS[char]))
        elif kind == "duplication":
            out.extend((char, char))
        elif kind == "transposition":
            out.extend((chars[i + 1], char))
            i += 1  # the swapped letter is already typed
        i += 1
    return NoisyText("".join(out), tuple(typos))


def noisy_copy(texts: Sequence[str], seed: int = DEFAULT_SEED, typo_rate: float = DEFAULT_TYPO_RATE) -> List[NoisyText]:
    rng = random.Random(seed)
    return [add_noise(text, rng, typo_rate) for text in texts]
