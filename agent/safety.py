"""Safety triage: pain, injury and medical symptoms in a message, and what the coach says.

A **red flag** (chest pain, dizziness, fainting, numbness ...) stops training at once and
points to urgent medical help. A **pain or injury report** gets a short, kind referral to
a qualified professional and no new load for the area: the answer prescribes nothing,
and later plans leave out every drill whose contraindications or load name that area.
The words are data (``agent/safety.json``), matched whole; phrases such as "injury
prevention" or "pain-free" are not concerns.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from .tools import KBHit

DATA = Path(__file__).resolve().parent / "safety.json"


class SafetyLexicon(BaseModel):
    about: str
    red_flags: list[str] = Field(min_length=1)
    symptoms: list[str] = Field(min_length=1)
    symptoms_of_a_part: list[str] = Field(
        default_factory=list, description="a concern only with a body part named in the "
        "same message: 'my hamstring feels tight' is, 'a tight finish' is not",
    )  # fmt: skip
    not_a_concern: list[str]
    cleared: list[str] = Field(description="phrases saying a professional cleared the athlete")
    diagnoses: list[str] = Field(description="medical claims only a professional makes")
    body_parts: dict[str, list[str]]
    loads: dict[str, list[str]] = Field(description="body part -> words of drills loading it")


class SafetyConcern(BaseModel):
    level: Literal["red_flag", "pain"]
    body_parts: list[str] = Field(default_factory=list, description="canonical names")
    words: list[str] = Field(description="what in the message raised it")


@cache
def lexicon() -> SafetyLexicon:
    return SafetyLexicon.model_validate_json(DATA.read_text())


def _pattern(phrases: list[str]) -> re.Pattern[str]:
    alternatives = sorted((re.escape(p.lower()) for p in phrases), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])")


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    lx = lexicon()
    return _pattern(lx.not_a_concern), _pattern(lx.red_flags), _pattern(lx.symptoms)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("’", "'"))


def body_parts_in(text: str) -> list[str]:
    """The body parts named, longest name first ("back of my thigh" is the hamstring)."""
    owner = {n.lower(): part for part, names in lexicon().body_parts.items() for n in names}
    found = [owner[m] for m in _pattern(list(owner)).findall(_normalise(text))]
    return list(dict.fromkeys(found))


def detect_concern(text: str) -> SafetyConcern | None:
    """The safety concern a message raises, if any."""
    benign, red, symptom = _patterns()
    lowered = benign.sub(" ", _normalise(text))
    flags = red.findall(lowered)
    if flags:
        return SafetyConcern(level="red_flag", body_parts=body_parts_in(lowered), words=flags)
    found = symptom.findall(lowered)
    if found:
        return SafetyConcern(level="pain", body_parts=body_parts_in(lowered), words=found)
    parts = body_parts_in(lowered)
    of_a_part = _pattern(lexicon().symptoms_of_a_part).findall(lowered) if parts else []
    if of_a_part:
        return SafetyConcern(level="pain", body_parts=parts, words=of_a_part)
    return None


def cleared(text: str) -> bool:
    """Does the message say the athlete has been cleared / the pain has gone?"""
    return bool(_pattern(lexicon().cleared).search(_normalise(text)))


def loads_area(hit: KBHit, parts: list[str]) -> bool:
    """Does this item load an area the athlete reported pain in (its contraindications
    name the area, or it is a drill whose title or problems load it)?"""
    if not parts:
        return False
    lx = lexicon()
    names = [n for p in parts for n in lx.body_parts.get(p, [p])]
    if any(_pattern(names).search(c.lower()) for c in hit.contraindications):
        return True
    words = [w for p in parts for w in lx.loads.get(p, [])]
    if not words or hit.kind not in ("drill", "exercise"):
        return False
    about = " ".join([hit.title, hit.id.replace("_", " "), *hit.problems]).lower()
    return any(w in about for w in words)


def _parts(parts: list[str]) -> str:
    return " and ".join(p for p in parts if p not in ("head", "chest"))


def referral(concern: SafetyConcern) -> str:
    """The short, kind answer: stop or pause, see a professional, nothing new for the area."""
    if concern.level == "red_flag":
        what = concern.words[0]
        return (
            f"I'm sorry you had that ({what}): it is not something to train through. "
            "Please stop exercising "
            "now and get medical help straight away: call your local emergency number if it "
            "is severe or does not settle within a few minutes. Please don't train again "
            "until a doctor has checked you, and I won't give you any exercise until then."
        )
    area = _parts(concern.body_parts)
    where = f"your {area}" if area else "it"
    sorry = f"I'm sorry your {area} is giving you trouble." if area else "I'm sorry you're hurting."
    return (
        f"{sorry} Please stop, or pause, any exercise that brings the pain on, and have "
        f"{where} checked by a qualified professional (a physiotherapist or a sports "
        "medicine doctor) before you load it again. Until they clear you I won't prescribe "
        f"anything new for {where}; when you're cleared, tell me what they advised and I'll "
        "adapt your plan around it."
    )
