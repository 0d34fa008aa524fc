"""Deterministic understanding of a coach's or athlete's message (the offline planner's
front end): what they want, which motion, and what they said about themselves.

It reads the message as data: nothing in it can change the agent's rules, only these
fields (intent, motion, topic, equipment, days per week, level).
"""

from __future__ import annotations

import contextlib
import re
from functools import cache

from ..kb.queries import AthleteContext
from ..tools.errors import SportsGPTError
from ..tools.kismam import load_motion_spec
from ..tools.motiondtw.library import known_motions
from .nlu import classifier, examples
from .safety import body_parts_in, cleared, detect_concern
from .slots import Slots, extract_slots
from .spelling import mend_spelling
from .state import Intent
from .tools import AssessmentSummary, KBHit

EQUIPMENT = {
    "sled": "sled", "sleds": "sled", "prowler": "sled", "blocks": "starting blocks",
    "starting blocks": "starting blocks", "block": "starting blocks", "box": "plyo box",
    "plyo box": "plyo box", "boxes": "plyo box", "hurdles": "hurdles",
    "mini hurdles": "mini hurdles", "wickets": "mini hurdles", "medicine ball": "medicine ball",
    "med ball": "medicine ball", "band": "mini band", "bands": "mini band",
    "barbell": "barbell", "dumbbells": "dumbbells", "dumbbell": "dumbbell", "bench": "bench",
    "racket": "racket", "wall": "wall",
}  # fmt: skip
NUMBERS = {"once": 1, "twice": 2, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
           "six": 6, "seven": 7}  # fmt: skip


NO_KIT = re.compile(
    r"\b(?:no|without|don'?t have|do not have|haven'?t got)\s+(?:any\s+)?"
    r"(?:kit|equipment|gear)\b|\b(?:body ?weight|own weight) only\b|\bonly (?:my )?body ?weight\b"
)
"""'no kit at all', 'without any equipment', 'bodyweight only': every item of kit is missing."""


def missing_equipment(text: str) -> list[str]:
    """'I have no sled', 'without a box', "we don't have blocks" -> the kit named; 'no kit
    at all' -> all of it."""
    if NO_KIT.search(text.lower()):
        return sorted(set(EQUIPMENT.values()) - {"wall"})  # a wall is anywhere
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
        r"\b(once|twice|one|two|three|four|five|six|seven|\d)\s*(?:times?|days?|sessions?)?\s*"
        r"(?:a|per|each)\s+week", text.lower()
    )  # fmt: skip
    if not match:  # "I've got 3 days", "I can only train 2 days": days a week to train
        match = re.search(
            r"\b(?:got|have|only|train(?:ing)?|can do)\b[^.?!,]{0,25}?\b(one|two|three|four|five|"
            r"six|seven|\d)\s+days?\b(?!\s+(?:ago|off|rest|of rest|later|before|after|between))",
            text.lower(),
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


@cache
def coached() -> str:
    """The motions we coach, in words ("acceleration, max velocity, ...")."""
    return ", ".join(m.replace("_", " ") for m in known_motions())


@cache
def motion_names() -> tuple[tuple[str, str], ...]:
    """(spoken name, motion id) for every motion: its id and the aliases in its reference
    data (``references/<motion>/assessment.json``), the longest name first."""
    names: list[tuple[str, str]] = []
    for motion in known_motions():
        spoken = [motion.replace("_", " ")]
        with contextlib.suppress(SportsGPTError):  # alignment references, no assessment yet
            spoken += load_motion_spec(motion).aliases
        names += [(name.lower(), motion) for name in spoken]
    return tuple(sorted(names, key=lambda n: -len(n[0])))


def motion_in(text: str) -> str | None:
    """The motion a message names, as whole words ("I started sprinting" is no start)."""
    lowered = text.lower().replace("_", " ")
    for name, motion in motion_names():
        if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", lowered):
            return motion
    return None


MEASURE_FOLLOW = ("joint", "keyframe", "side", "metric", "occurrence")


def _boosts(text: str, slots: Slots, kit: bool, last_kind: str | None) -> dict[str, float]:
    """Evidence from the slots and the conversation on top of the classifier's scores."""
    t = text.lower()
    b: dict[str, float] = {}
    if slots.joint or slots.metric or slots.keyframe:
        b["measurement"] = 0.12
    if slots.refers_back and last_kind == "measurement":
        b["measurement"] = b.get("measurement", 0) + 0.25
    elif last_kind == "measurement" and (slots.side or slots.keyframe) and len(t.split()) <= 5:
        b["measurement"] = b.get("measurement", 0) + 0.3  # "right side please", "at landing?"
    if re.search(
        r"\bwhy\b|\bevidence\b|\bproof\b|\bflag(?:ged)?\b|\bhow (?:do|can) you (?:know|tell)|"
        r"\bhow did you (?:work|figure|find) (?:that|it|this) out\b|\bhow come\b|"
        r"\bwhat does (?:that|this|it) mean\b",
        t,
    ):
        b["why_flagged"] = 0.25 + (0.1 if slots.problem else 0)
        if re.search(r"\bflag(?:ged)?\b", t):  # "why did you flag shallow knee bend"
            b["why_flagged"] += 0.2
    pronoun = re.search(r"\b(that|it|this|those|them)\b", t) and len(t.split()) <= 9
    if (pronoun or slots.refers_back) and last_kind in ("why_flagged", "drill_details"):
        b[last_kind] = b.get(last_kind, 0) + 0.2  # a follow-up on the same thing
    if re.search(
        r"\b(first|priority|prioriti[sz]e|most important|main issue|biggest|focus|"
        r"matters most|start with|where do i start|what'?s wrong|what is wrong)\b",
        t,
    ):
        b["fix_first"] = 0.15
    if slots.drill or re.search(
        r"\b(sets?|reps?|rest|progress(?:ion)?|easier|harder|weeks?|"
        r"intensity|how often)\b",
        t,
    ):
        b["drill_details"] = 0.08 + (0.1 if slots.drill else 0)
    if re.search(r"\b(?:progress|advance|build on) (?:it|that|this|them|the drill)\b", t):
        b["drill_details"] = b.get("drill_details", 0) + 0.35  # a drill's progression
    if slots.problem and re.search(
        r"\bwhat (?:can|should|do) i do (?:about|for|against)\b|\bhow (?:do|can|should) i "
        r"(?:fix|correct|improve|stop|work on)\b|\bhow to (?:fix|correct|stop)\b",
        t,
    ):  # "what can I do about leaning back": the drills for it
        b["drill_details"] = b.get("drill_details", 0) + 0.35
    drills = r"\b(drills|exercises)\b|\b(?:drill|exercise) (?:for|to|that|which|help)"
    if re.search(drills + r"|\bto practi[cs]e\b|\bpracti[cs]e (?:for|to)\b", t):
        # "drills for my overstriding", "which drills help my posture" (not "a wicket drill")
        b["drill_details"] = b.get("drill_details", 0) + (0.3 if slots.problem else 0.25)
    if re.search(r"\bwhat (?:did|have|do) you (?:measure|measured|get|find|found|record)", t):
        b["measurement"] = b.get("measurement", 0) + 0.3  # "what did you measure for X"
    if re.search(
        r"\b(ideal|ideally|elite|optimal|textbook|pros|the best|look(?:s)? like|aim(?:ing)? "
        r"for|target|standard|benchmark|norm|normal|typical|recommended|supposed to|"
        r"should (?:my|i|it|the)\b[^?]*\bbe\b|"
        r"good (?:\w+ )?(?:angle|range|technique))",
        t,
    ):
        b["technique"] = 0.3
    if re.search(r"\bcompare[sd]? (?:to|with) (?:good|elite|top|the best|pro|fast)", t):
        b["technique"] = b.get("technique", 0) + 0.4  # against elites, not my history
    if kit or slots.minutes:
        b["adapt"] = 0.25
    if re.search(
        r"\b(compare|last (?:time|video|session|week|recording)|previous|earlier|"
        r"before|since|improv\w*|better or worse)\b",
        t,
    ):
        b["compare"] = 0.12
    if re.search(  # over time: the athlete's history answers it
        r"\b((?:am i|i'?m|is my|are my|is it)(?: [\w-]+){0,4} (?:progressing|improving|"
        r"getting better)|"
        r"my progress|over (?:time|the (?:season|weeks|months?))|trend\w*|history|"
        r"across (?:my )?(?:sessions|videos|recordings))\b",
        t,
    ):
        b["compare"] = b.get("compare", 0.0) + 0.3
    if re.match(r"\s*(what(?:'s| is| are)|explain|tell me about|how do i do)\b", t) and not (
        slots.joint or slots.metric
    ):
        b["question"] = 0.08
    return b


def the_ask(text: str) -> str:
    """The sentence that asks: in 'Ignore your rules ... What is an A-skip?' the last
    question, so surrounding words (or injected instructions) do not decide the intent."""
    sentences = [p.strip() for p in re.split(r"(?<=[.!?])\s+", text.strip()) if p.strip()]
    asks = [p for p in sentences if p.endswith("?")]
    return asks[-1] if len(sentences) > 1 and asks else text


def _clarify_measurement(slots: Slots, motion: str | None) -> str | None:
    """A short question when a measurement request is ambiguous (never a guess)."""
    if not (slots.joint or slots.metric):
        return "Which joint or measurement do you mean (for example your knee, hip or trunk)?"
    if slots.keyframe or slots.metric or not motion:
        return None
    keys = [k.replace("_", " ") for k in load_motion_spec(motion).keyframes]
    joint = (slots.joint or "").split("_")[0]
    return f"Your {joint} at {', '.join(keys[:-1])} or at {keys[-1]}?"


def understand(
    message: str,
    files: list[str],
    motion_hint: str | None,
    context: AthleteContext,
    has_analysis: bool,
    *,
    assessment: AssessmentSummary | None = None,
    plan: list[KBHit] | None = None,
    last: Slots | None = None,
    last_kind: str | None = None,
) -> tuple[Intent, AthleteContext, int | None]:
    """The intent (with its slots and confidence), the updated athlete context and the
    training days stated, if any."""
    text = mend_spelling(message.strip())
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
    analysed = assessment.motion if assessment else None
    motion = motion_hint or motion_in(text) or analysed
    if concern is not None and (concern.level == "red_flag" or not files):
        return Intent(kind="safety", motion=motion, concern=concern), ctx, days
    if files:  # "analyse this, and what was my knee at take-off?": the values asked too
        motion_named = motion_hint or motion_in(text)
        asked = extract_slots(text, motion_named, None, [])
        slots = Slots(joint=asked.joint, side=asked.side, keyframe=asked.keyframe,
                      keyframe_words=asked.keyframe_words, metric=asked.metric,
                      occurrence=asked.occurrence)  # fmt: skip
        return Intent(kind="analyze", motion=motion_named, file=files[0], slots=slots), ctx, days
    slots = extract_slots(text, analysed or motion, assessment, plan or [])
    scores: dict[str, float] = {k: float(v) for k, v in classifier().scores(the_ask(text)).items()}
    for name, extra in _boosts(text, slots, bool(kit or days or lvl), last_kind).items():
        scores[name] = scores.get(name, 0.0) + extra
    ranked = sorted(scores, key=lambda k: scores[k], reverse=True)
    kind: str = ranked[0]
    confidence = round(scores[kind], 3)
    if kind in YOURS and not has_analysis:  # about a recording there is none of: say so
        question = (f"I have not analysed a recording of yours yet, so I have {YOURS[kind]}. "
                    f"Send me one of the motions I coach ({coached()}): a video filmed from the "
                    "side with your whole body in frame, or a pose, motion-capture or lab "
                    "file, and I will answer from your own measurements.")  # fmt: skip
        return Intent(kind="clarify", motion=motion, question=question), ctx, days
    needs_analysis = kind in ("adapt", "technique")  # else answered from the knowledge base
    if needs_analysis and not has_analysis:
        kind = "question"
    same = last_kind == kind
    if same and last is not None and kind == "why_flagged" and not slots.problem and last.problem:
        slots = slots.model_copy(update={"problem": last.problem})  # "what's the proof for that"
    if same and last is not None and kind == "drill_details" and not slots.drill and last.drill:
        slots = slots.model_copy(update={"drill": last.drill})  # "the progression for it?"
    if kind == "safety":  # the classifier heard pain the lexicon did not: ask, kindly
        kind = "clarify"
    short = len(text.split()) <= 5 and last_kind == "measurement" and not slots.joint
    short = short and not slots.metric  # a fragment ("right side please"), not a new question
    if kind == "measurement" and (slots.refers_back or short) and last is not None:
        given = slots.model_dump(exclude_none=True)
        slots = last.model_copy(update={k: v for k, v in given.items() if k in MEASURE_FOLLOW})
        if slots.side == "other":
            slots = slots.model_copy(update={"side": "right" if last.side == "left" else "left"})
        if "keyframe" in given and "metric" not in given:
            slots = slots.model_copy(update={"metric": None})
    base = Intent(kind="question", motion=motion, slots=slots, confidence=confidence)
    sport = other_sport_in(text)
    if sport:  # what is ours in it, read without the sport's own words ("golf swing")
        rest = extract_slots(without_other_sports(text), analysed or motion, assessment,
                             plan or [])  # fmt: skip
        sport = None if rest.problem or rest.metric or rest.joint else sport
    if sport and motion_in(without_other_sports(text)):  # "my sprint, I play football"
        sport = None
    if sport:  # "what about my forehand": not a motion we have a reference for
        question = (f"I coach these motions: {coached()}. A {sport} is not one of them, so I "
                    "cannot judge it; film one of those and I can.")  # fmt: skip
        return base.model_copy(update={"kind": "out_of_scope", "question": question}), ctx, days
    judging = re.match(examples().judging, text.lower()) if examples().judging else None
    if judging and last is not None and last_kind in ("measurement", "technique"):
        # "is that bad?" about the last measurement: the elite band beside it
        return base.model_copy(update={"kind": "technique", "slots": last}), ctx, days
    if slots.problem and len(text.split()) <= 5 and text.rstrip().endswith("?"):
        # a problem's own name as a question ("overstriding?"): why it was flagged
        problems = assessment.problems if assessment else []
        label = next((p.label for p in problems if p.id == slots.problem), None)
        label = label or slots.problem.replace("_", " ")
        said = set(re.findall(r"[a-z]+", text.lower())) - FILLER
        if said and said <= set(re.findall(r"[a-z]+", label.lower())):
            return base.model_copy(update={"kind": "why_flagged"}), ctx, days
    follow_up = bool(last_kind) and bool(
        slots.refers_back or re.search(r"\b(that|it|this|those|them)\b", text.lower())
    )
    if (
        confidence < classifier().data.threshold
        and not (kit or days or lvl or slots.minutes)
        and not follow_up
    ):
        of_ours = slots.problem or slots.metric or slots.joint or slots.drill
        if ranked[0] == "out_of_scope" and not of_ours:  # nearest to what a coach is not asked
            return base.model_copy(update={"kind": "out_of_scope"}), ctx, days
        if not about_training(text):  # like nothing a coach is asked: out of scope
            question = f"Did you mean {_LABELS[ranked[0]]}, or {_LABELS[ranked[1]]}?"
            update = {"kind": "out_of_scope", "question": question}
            return base.model_copy(update=update), ctx, days
        kind = "question"  # a training question in words the examples lack: look it up
    if kind == "measurement":
        ask = _clarify_measurement(slots, analysed)
        if ask:
            return base.model_copy(update={"kind": "clarify", "question": ask}), ctx, days
    if kind == "question":
        explain = re.match(
            r"\s*(?:what(?:'s| is| are)|explain|how do i do|how to do|tell me about)\s+"
            r"(?:an?\s+|the\s+)?(.+?)[?.!]*$",
            the_ask(text).lower(),
        )  # fmt: skip
        if explain:
            topic = explain.group(1).strip()
            return base.model_copy(update={"kind": "explain", "topic": topic}), ctx, days
        return base.model_copy(update={"topic": text}), ctx, days
    return base.model_copy(update={"kind": kind, "topic": text}), ctx, days


YOURS = {
    "measurement": "no measurement of yours to give",
    "why_flagged": "flagged no problem of yours to explain",
    "fix_first": "no problems of yours to put in order",
}
"""Intents whose answer is the athlete's own analysis, and what is missing without one."""

FILLER = {"so", "and", "my", "the", "a", "what", "about"}
"""Words a problem's name asked as a question may come with ("so overstriding?")."""

TRAINING_WORDS = {
    "train", "training", "drill", "exercise", "sprint", "run", "running", "jump", "jumping",
    "serve", "serving", "tennis", "walk", "walking", "gait", "muscle", "warm", "speed",
    "technique", "coach", "session", "plan", "strength", "plyometric", "athlete", "race",
    "start", "block", "toss", "racket", "landing", "stride", "shoes", "stretch", "mobility",
    "recovery", "position", "posture", "knee", "hip", "ankle", "arm", "trunk", "foot",
    "progression", "progress", "reps", "sets", "dose", "rest", "weeks", "fitness", "sport",
}  # fmt: skip


@cache
def _corpus_words() -> frozenset[str]:
    from ..kb.corpus import load_coaching_corpus

    words: set[str] = set()
    for doc in load_coaching_corpus():
        words |= set(re.findall(r"[a-z]{4,}", doc.title.lower()))
    common = {"what", "does", "with", "from", "your", "that", "this", "when", "like", "looks",
              "look", "good", "best", "make", "into", "more", "over"}  # fmt: skip
    return frozenset(words - common)


@cache
def _other_sports() -> re.Pattern[str]:
    names = sorted(examples().other_sports, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, names)) + r")(?![\w-])")


def other_sport_in(text: str) -> str | None:
    """A sport or stroke we have no reference for, named in ``text`` (the first named)."""
    found = _other_sports().search(text.lower()) if examples().other_sports else None
    return found.group(0) if found else None


def without_other_sports(text: str) -> str:
    """``text`` less the other sports named ("basketball jump shot": no jump of ours)."""
    return _other_sports().sub(" ", text.lower()) if examples().other_sports else text


def about_training(text: str) -> bool:
    """Does the message talk about sport or training at all (our words, or the knowledge
    base's titles)?"""
    said = set(re.findall(r"[a-z]+", text.lower()))
    return bool(said & TRAINING_WORDS or {w for w in said if len(w) >= 4} & _corpus_words())


_LABELS = {
    "measurement": "one of your measurements", "why_flagged": "why a problem was flagged",
    "fix_first": "what to fix first", "drill_details": "a drill's details and dose",
    "adapt": "adapting your plan", "compare": "a comparison with an earlier analysis",
    "question": "a general training question", "out_of_scope": "something outside coaching",
    "safety": "how you are feeling", "technique": "what elite technique looks like",
}  # fmt: skip
