"""Misspellings mended before a message is understood: "wat drils shud i do for my
overstrideing" -> "what drills should i do for my overstriding".

A word is mended only when it is neither a word the coach knows (the intent examples,
the knowledge base's coaching documents, the motions' reference data, the safety
lexicon) nor an English word (the whole words of the vendored MiniLM tokenizer's
vocabulary: "shot", "took", "paris" stay), and one of the coach's words is close to it
(``difflib``'s ratio at least ``CUTOFF``); words of one or two letters stay as they are.
Chat spellings that are English words of their own ("wat", "nee", "u") are read from a
table (``spelling.json``).
"""

from __future__ import annotations

import difflib
import json
import re
from functools import cache
from pathlib import Path

from pydantic import BaseModel, Field

from ..tools.errors import SportsGPTError
from ..tools.kismam import load_motion_spec
from ..tools.motiondtw.library import known_motions
from .nlu import examples
from .safety import lexicon

CUTOFF = 0.8
DATA = Path(__file__).resolve().parent / "spelling.json"


class Shorthand(BaseModel):
    about: str
    shorthand: dict[str, str] = Field(description="chat spelling -> the words it stands for")


@cache
def shorthand() -> dict[str, str]:
    return Shorthand.model_validate_json(DATA.read_text()).shorthand


WORD = re.compile(r"[a-z][a-z']*")
COMMON = (
    "a about after again all am an and any are as at be been before being but by can "
    "could did do does doing done for from get got had has have he her here him his how "
    "i if in into is it its just know like make me more most my no not now of off on "
    "once one only or other our out over please really same say see she should so some "
    "still such than that the their them then there these they this those through to "
    "too under up us very want was way we were what when where which while who why will "
    "with would yes you your"
)


@cache
def vocabulary() -> frozenset[str]:
    """Every word the coach knows, lower case."""
    from ..kb.corpus import load_coaching_corpus  # the knowledge base's own documents

    texts = [COMMON]
    texts += [t for phrases in examples().intents.values() for t in phrases]
    texts += [f"{d.title} {d.body}" for d in load_coaching_corpus()]
    for motion in known_motions():
        try:
            texts.append(load_motion_spec(motion).model_dump_json())
        except SportsGPTError:  # an alignment reference without an assessment yet
            continue
    texts.append(lexicon().model_dump_json())
    return frozenset(w for t in texts for w in WORD.findall(t.lower()))


@cache
def english() -> frozenset[str]:
    """The whole words of the vendored tokenizer's WordPiece vocabulary (empty if it is
    missing)."""
    from ..kb.embedding import TOKENIZER_DIR

    path = TOKENIZER_DIR / "tokenizer.json"
    if not path.is_file():
        return frozenset()
    vocab = json.loads(path.read_text(encoding="utf-8")).get("model", {}).get("vocab", {})
    return frozenset(w for w in vocab if w.isalpha() and w.isascii())


@cache
def _mend(word: str) -> str:
    close = difflib.get_close_matches(word, vocabulary(), n=1, cutoff=CUTOFF)
    return close[0] if close else word


def mend_spelling(text: str) -> str:
    """``text`` with each unknown word of three letters or more replaced by the closest
    known word, where one is close enough; everything else as written."""
    known = vocabulary()

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        low = word.lower()
        if low in shorthand():
            return shorthand()[low]
        if len(low) < 3 or low in known or low in english():
            return word
        return _mend(low)

    return re.sub(r"[A-Za-z][A-Za-z']*", fix, text)
