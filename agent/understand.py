"""Deterministic understanding of a coach's or athlete's message (the offline planner's
front end): what they want, which motion, and what they said about themselves.

It reads the message as data: nothing in it can change the agent's rules, only these
fields (intent, motion, topic, equipment, days per week, level).
"""

from __future__ import annotations

import re

from ..kb.queries import AthleteContext
from ..tools.motiondtw.library import known_motions
from .safety import body_parts_in, cleared, detect_concern
from .state import Intent

EQUIPMENT = {
    "sled": "sled", "sleds": "sled", "prowler": "sled", "blocks": "starting blocks",
    "starting blocks": "starting blocks", "block": "starting blocks", "box": "plyo box",
    "plyo box": "plyo box", "boxes": "plyo box", "hurdles": "hurdles",
    "mini hurdles": "mini hurdles", "wickets": "mini hurdles", "medicine ball": "medicine ball",
    "med ball": "medicine ball", "band": "mini band", "bands": "mini band",
    "barbell": "barbell", "dumbbells": "dumbbells", "dumbbell": "dumbbell", "bench": "bench",
    "racket": "racket", "wall": "wall",
}  # fmt: skip
MOTION_WORDS = {
    "sprint start": "sprint_start", "block start": "sprint_start", "start": "sprint_start",
    "acceleration": "acceleration", "accelerat": "acceleration",
    "top speed": "max_velocity", "max velocity": "max_velocity", "maximal velocity": "max_velocity",
    "sprint": "max_velocity", "running": "max_velocity", "run": "max_velocity",
    "long jump": "standing_long_jump", "broad jump": "standing_long_jump",
    "jump": "standing_long_jump", "walk": "walking_gait", "gait": "walking_gait",
    "serve": "tennis_serve", "tennis": "tennis_serve",
}  # fmt: skip
NUMBERS = {"once": 1, "twice": 2, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
           "six": 6, "seven": 7}  # fmt: skip


def missing_equipment(text: str) -> list[str]:
    """'I have no sled', 'without a box', "we don't have blocks" -> the kit named."""
    found = []
    pattern = (
        r"(?:no|without|don'?t have|do not have|haven'?t got|lack)\s+"
        r"(?:a |an |any |the )?([a-z ]{3,20})"
    )
    for match in re.finditer(pattern, text.lower()):
        words = match.group(1).strip()
        for size in (2, 1):
            head = " ".join(words.split()[:size])
            if head in EQUIPMENT:
                found.append(EQUIPMENT[head])
                break
    return sorted(set(found))


def days_per_week(text: str) -> int | None:
    match = re.search(
        r"\b(once|twice|one|two|three|four|five|six|seven|\d)\s*(?:times|days|sessions)?\s*"
        r"(?:a|per|each)\s+week", text.lower()
    )  # fmt: skip
    if not match:
        return None
    word = match.group(1)
    return int(word) if word.isdigit() else NUMBERS.get(word)


def level(text: str) -> str | None:
    lowered = text.lower()
    for name in ("beginner", "intermediate", "advanced"):
        if name in lowered:
            return name
    return None


def motion_in(text: str) -> str | None:
    lowered = text.lower().replace("_", " ")
    for motion in known_motions():
        if motion.replace("_", " ") in lowered:
            return motion
    for words, motion in MOTION_WORDS.items():
        if re.search(rf"\b{re.escape(words)}", lowered):
            return motion
    return None


def understand(
    message: str,
    files: list[str],
    motion_hint: str | None,
    context: AthleteContext,
    has_analysis: bool,
) -> tuple[Intent, AthleteContext, int | None]:
    """The intent, the updated athlete context and the training days stated, if any."""
    text = message.strip()
    kit = missing_equipment(text)
    days = days_per_week(text)
    lvl = level(text)
    injuries = list(context.injuries)
    if cleared(text):  # "the physio cleared me": the areas named (or all) load again
        named = body_parts_in(text)
        injuries = [p for p in injuries if named and p not in named]
    concern = detect_concern(text)
    if concern is not None:
        injuries = sorted(set(injuries) | set(concern.body_parts))
    ctx = context.model_copy(
        update={
            "missing_equipment": sorted(set(context.missing_equipment) | set(kit)),
            "level": lvl or context.level,
            "injuries": injuries,
        }
    )
    motion = motion_hint or motion_in(text)
    lowered = text.lower()
    if concern is not None and (concern.level == "red_flag" or not files):
        return Intent(kind="safety", motion=motion, concern=concern), ctx, days
    if files:
        return Intent(kind="analyze", motion=motion, file=files[0]), ctx, days
    if re.search(r"\b(compare|last video|previous|progress)\b", lowered) and has_analysis:
        return Intent(kind="compare", motion=motion), ctx, days
    if (kit or days or lvl) and has_analysis:
        return Intent(kind="adapt", motion=motion), ctx, days
    explain = re.match(
        r"\s*(?:what(?:'s| is| are)|explain|how do i do|how to do|tell me about)\s+"
        r"(?:an?\s+|the\s+)?(.+?)[?.!]*$",
        lowered,
    )  # fmt: skip
    if explain:
        return Intent(kind="explain", motion=motion, topic=explain.group(1).strip()), ctx, days
    return Intent(kind="question", motion=motion, topic=text), ctx, days
