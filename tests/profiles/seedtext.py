"""Seed text normalised as rules.md quotes it, to check that verbatim strings are verbatim.

rules.md ("Conventions") normalises two things: a line-wrap hyphen inside a word is removed
(«мін-» + «деттер» -> «міндеттер») and runs of whitespace become one space. A hyphen at a line
end can also be a real one («ұйымдастыру-бақылау»), so both readings are kept.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

SEEDS = Path("/work/shared/seeds")

_WRAP = re.compile(r"(\w)-[ \t]*\r?\n\s*(\w)")
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Whitespace folded to single spaces (applied to both seed and quote)."""
    return _SPACE.sub(" ", text).strip()


@cache
def seed_variants(seed: str) -> tuple[str, str]:
    """The seed with wrap hyphens removed, and with them kept, both whitespace-folded."""
    raw = (SEEDS / seed).read_text(encoding="utf-8")
    return fold(_WRAP.sub(r"\1\2", raw)), fold(_WRAP.sub(r"\1-\2", raw))


def in_seed(quote: str, seed: str) -> bool:
    """Whether ``quote`` occurs in ``seed`` after the rules.md normalisation."""
    needle = fold(quote)
    return any(needle in text for text in seed_variants(seed))


def in_seed_in_two_pieces(quote: str, seed: str, min_piece: int = 12) -> bool:
    """Whether ``quote`` is two pieces of ``seed`` joined (a rules.md "(reassembled)" item)."""
    needle = fold(quote)
    return any(in_seed(needle[:cut], seed) and in_seed(needle[cut:], seed)
               for cut in range(min_piece, len(needle) - min_piece + 1))
