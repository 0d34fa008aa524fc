"""Slots of a message: what it is about (joint, side, keyframe, metric, problem, drill) and
the athlete's constraints (minutes per session, days, kit, level), read against what the
coach knows at that point (the analysed motion's spec, the assessment, the plan).

Everything matches whole words. Keyframes, metrics and problems come from the motion's
own data (``references/<motion>/assessment.json``), so a new motion needs no code here.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from ..tools.kismam import load_motion_spec
from .tools import AssessmentSummary, KBHit

Side = Literal["left", "right", "other"]

JOINTS: dict[str, tuple[str, ...]] = {
    "knee_flexion": ("knee", "knees", "bend", "bent", "bending"),
    "hip_flexion": ("hip", "hips"),
    "ankle_dorsiflexion": ("ankle", "ankles"),
    "elbow_flexion": ("elbow", "elbows", "arm straight", "straight arm", "bent arm"),
    "shoulder_flexion": ("shoulder", "shoulders", "arm", "arms", "arm swing"),
    "trunk_lean": (
        "trunk",
        "torso",
        "lean",
        "leaning",
        "upper body",
        "posture",
        "body angle",
        "body lean",
        "waist",
    ),
    "thigh_angle": ("thigh", "thighs"),
    "shin_angle": ("shin", "shins", "shank"),
    "wrist_height": ("wrist", "hand", "contact height", "contact point", "toss height"),
    "com_height": ("centre of mass", "center of mass", "com height"),
}
"""Spoken names -> the kinematic channel (per side where the channel has one)."""

KEYFRAME_WORDS: dict[str, tuple[str, ...]] = {
    "take_off": (
        "take-off",
        "take off",
        "takeoff",
        "leave the ground",
        "took off",
        "jumped off",
        "left the ground",
        "leaving the ground",
        "push off",
    ),
    "landing": ("landing", "land", "landed", "touch down on landing"),
    "landing_absorption": ("absorption", "absorbing", "after landing", "deepest landing"),
    "countermovement_bottom": ("bottom", "countermovement", "dip", "deepest point"),
    "impact": ("impact", "contact", "hit", "hitting", "strike the ball"),
    "toss_peak": ("toss", "release", "trophy"),
    "knee_bend": ("knee bend", "crouch", "loading"),
    "follow_through": ("follow-through", "follow through", "finish"),
    "touchdown": (
        "touchdown",
        "touch down",
        "foot strike",
        "ground contact",
        "foot contact",
        "landed",
        "when i land",
        "foot hit the ground",
        "foot hits the ground",
    ),
    "toe_off": (
        "toe-off",
        "toe off",
        "toeoff",
        "push-off",
        "pushoff",
        "leaves the ground",
        "left the ground",
        "leaving the ground",
        "foot leaves",
        "foot left",
    ),
    "heel_strike": (
        "heel strike",
        "heel-strike",
        "heelstrike",
        "heel hits",
        "heel lands",
        "heel contact",
        "initial contact",
        "heel touches",
        "foot lands",
        "foot landed",
        "landed",
        "took the weight",
        "takes the weight",
        "take the weight",
        "taking the weight",
        "weight acceptance",
    ),
    "set": ("set position", "in the set", "set"),
    "first_step": ("first step",),
}
ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
            "4th": 4, "last": -1}  # fmt: skip
STOP = {"the", "a", "an", "my", "of", "in", "at", "on", "to", "and", "or", "is", "was", "with",
        "for", "too", "not", "no", "it", "i", "me", "what", "why", "how", "do", "does"}  # fmt: skip


class Slots(BaseModel):
    joint: str | None = Field(default=None, description="a kinematic channel base name")
    side: Side | None = None
    keyframe: str | None = Field(default=None, description="a keyframe id of the motion")
    keyframe_words: str | None = Field(default=None, description="how the message said it")
    metric: str | None = Field(default=None, description="a scored metric id of the motion")
    problem: str | None = Field(default=None, description="a problem id")
    drill: str | None = Field(default=None, description="a knowledge-base drill id")
    occurrence: int | None = None
    minutes: int | None = Field(default=None, description="per session")
    refers_back: bool = Field(default=False, description="'and the other leg?', 'what about'")


def _has(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text) is not None


def stem(word: str) -> str:
    """A light stem, so 'overstride', 'overstriding' and 'overstrides' meet."""
    for suffix in ("ing", "ed", "es", "s", "e"):
        if len(word) > 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _words(text: str) -> set[str]:
    lowered = re.sub(r"\b(take|toe|push)[\s-]+off\b", r"\1off", text.lower())
    found = re.findall(r"[a-z0-9]+", lowered.replace("-", " "))
    return {stem(w) for w in found if w not in STOP}


def joint_in(text: str) -> str | None:
    if re.search(
        r"\b(straight|bent|bend|extended)\b.{0,20}\b(arm|elbow)\b|\b(arm|elbow)\b.{0,20}"
        r"\b(straight|bent|extended)\b",
        text,
    ):
        return "elbow_flexion"
    best: tuple[int, str] | None = None
    for joint, names in JOINTS.items():
        for name in names:
            if _has(text, name) and (best is None or len(name) > best[0]):
                best = (len(name), joint)
    return best[1] if best else None


def side_in(text: str) -> Side | None:
    if re.search(r"\b(other|opposite)\s+(leg|side|knee|hip|ankle|arm|foot)\b", text):
        return "other"
    for side in ("left", "right"):
        if _has(text, side):
            return side
    return None


def keyframe_in(text: str, motion: str | None) -> tuple[str | None, str | None]:
    """The motion's keyframe the message names (``touchdown`` -> ``left_touchdown`` by side)."""
    names = list(load_motion_spec(motion).keyframes) if motion else []
    best: tuple[int, str, str] | None = None
    for name in names:
        spoken = [name.replace("_", " "), name.replace("_", "-"), name.replace("_", "")]
        generic = next((k for k in KEYFRAME_WORDS if name == k or name.endswith("_" + k)), None)
        spoken += list(KEYFRAME_WORDS.get(generic or name, ()))
        for phrase in spoken:
            if _has(text, phrase) and (best is None or len(phrase) > best[0]):
                side_first = name.startswith(("left_", "right_"))
                if side_first and (s := side_in(text)) in ("left", "right"):
                    name_for_side = f"{s}_{name.split('_', 1)[1]}"
                    if name_for_side in names:
                        best = (len(phrase), name_for_side, phrase)
                        continue
                best = (len(phrase), name, phrase)
    return (best[1], best[2]) if best else (None, None)


def metric_in(text: str, motion: str | None, joint: str | None, keyframe: str | None) -> str | None:
    """A scored metric: by its id or label words, or the one on this joint at this keyframe."""
    if not motion:
        return None
    spec = load_motion_spec(motion)
    said = _words(text)
    best: tuple[float, str] | None = None
    for metric in spec.metrics:
        words = _words(metric.id.replace("_", " ")) | _words(metric.label.split("(")[0])
        words |= {"high"} if "height" in words else set()  # "how high did I toss"
        overlap = len(said & words)
        on_joint = joint is not None and joint in metric.channel
        at_key = keyframe is not None and keyframe in metric.at
        score = overlap + 2 * on_joint + 2 * at_key
        own = len((said & words) - _words((keyframe or "").replace("_", " ")))
        enough = overlap >= 2 or (on_joint and at_key) or (own >= 1 and at_key)
        if enough and (best is None or score > best[0]):  # "how high did i toss": one word
            best = (score, metric.id)
    return best[1] if best else None


def problem_in(text: str, assessment: AssessmentSummary | None, motion: str | None) -> str | None:
    """The problem the message names (label or id words; the assessment's own first)."""
    said = _words(text)
    candidates: list[tuple[str, str]] = []
    if assessment:
        candidates += [(p.id, p.label) for p in assessment.problems]
    if motion:
        candidates += [(p.id, p.label) for p in load_motion_spec(motion).problems]
    vocab = {pid: _words(label) | _words(pid.replace("_", " ")) for pid, label in candidates}
    own = [pid for pid, _ in candidates[: len(assessment.problems) if assessment else 0]]
    best: tuple[int, str] | None = None
    for pid, words in vocab.items():
        overlap = len(said & words)
        # one word is enough when no other assessed problem shares it ("the take-off"), or
        # when it is a long word only this problem of the motion has ("overstride")
        unique = pid in own and any(
            all(w not in vocab[o] for o in own if o != pid) for w in said & words
        )
        unique = unique or any(
            len(w) >= 6 and all(w not in vocab[o] for o in vocab if o != pid) for w in said & words
        )
        if (overlap >= 2 or unique) and (best is None or overlap > best[0]):
            best = (overlap, pid)
    return best[1] if best else None


def drill_in(text: str, plan: list[KBHit], motion: str | None = None) -> str | None:
    """A drill of the plan, by title words ('the arm-swing jumps') or place ('drill 2').
    The motion's own name is no drill: 'a good broad jump' does not name the lean-forward
    broad jump, 'the lean broad jumps' does."""
    lowered = text.lower()
    number = re.search(r"\b(?:drill|exercise|number|no\.?|#)\s*(\d)\b", lowered)
    index = int(number.group(1)) if number else None
    for word, n in ORDINALS.items():
        if re.search(rf"\b{word}\s+(?:drill|exercise|one)\b", lowered):
            index = n
    if index is not None and plan:
        if index == -1:
            return plan[-1].id
        if 1 <= index <= len(plan):
            return plan[index - 1].id
    said = _words(text)
    named = set().union(*(_words(a) for a in load_motion_spec(motion).aliases)) if motion else set()
    best: tuple[int, str] | None = None
    for hit in plan:
        words = _words(hit.title.split("(")[0])
        common = said & words
        overlap = len(common)
        distinct = bool(common - named)
        if distinct and overlap >= min(2, len(words)) and (best is None or overlap > best[0]):
            best = (overlap, hit.id)
    return best[1] if best else None


def minutes_in(text: str) -> int | None:
    match = re.search(r"\b(\d{1,3})\s*(?:min|mins|minutes|minute)\b", text)
    if match:
        return int(match.group(1))
    match = re.search(r"\b(an|one|1|half an?)\s*hour\b", text)
    if match:
        return 30 if match.group(1).startswith("half") else 60
    return None


def extract_slots(
    text: str,
    motion: str | None,
    assessment: AssessmentSummary | None,
    plan: list[KBHit],
) -> Slots:
    lowered = re.sub(r"\s+", " ", text.lower().replace("’", "'"))
    joint = joint_in(lowered)
    keyframe, said = keyframe_in(lowered, motion)
    occurrence = re.search(r"\b(?:occurrence|rep|jump|serve|stride|attempt)\s*(\d{1,2})\b", lowered)
    return Slots(
        joint=joint, side=side_in(lowered), keyframe=keyframe, keyframe_words=said,
        metric=metric_in(lowered, motion, joint, keyframe),
        problem=problem_in(lowered, assessment, motion), drill=drill_in(lowered, plan, motion),
        occurrence=int(occurrence.group(1)) if occurrence else None,
        minutes=minutes_in(lowered),
        refers_back=bool(re.match(r"^\s*(and|what about|how about|same for|now)\b", lowered)),
    )  # fmt: skip
