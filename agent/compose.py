"""The deterministic coach: composes grounded guidance from the tools' results, and the
verifier every answer (offline or from a language model) must pass.

Every drill, dose and fact in an answer comes from a retrieved knowledge-base item and
is cited as ``[kb:<id>]``; every problem named comes with its measurements.
"""

from __future__ import annotations

import re

from ..tools.kismam.wording import score_words, unit_notes
from .safety import SafetyConcern, loads_area, referral
from .state import CoachState
from .tools import KBHit

KB_UNAVAILABLE = "The knowledge base is unavailable right now"
"""Said instead of "no evidence" when the search itself failed (the database is down):
nothing was found because nothing could be searched."""


def no_evidence(state: CoachState, what: str) -> str:
    """Why there is nothing cited for ``what``: the knowledge base could not be searched,
    or it holds nothing that fits."""
    down = [c for c in state.calls if c.tool == "search_knowledge" and not c.ok
            and c.error_kind == "DatabaseUnavailableError"]  # fmt: skip
    if down:
        return (f"{KB_UNAVAILABLE} ({down[-1].error}), so I have nothing cited for {what}; "
                "the measurements above stand. Please try again in a moment.")  # fmt: skip
    return f"No evidence found in the knowledge base for {what}."


OFFLINE_NOTE = (
    "_Offline mode: no language model is configured, so this guidance was composed "
    "deterministically from the measurements and the knowledge base._"
)
COULD_NOT = "I could not analyse the recording:"
CITATION = re.compile(r"\[kb:([^\]]*)\]")
"""Every ``[kb:...]`` token, of any shape: a malformed id is a citation that does not exist."""


def cite(hit: KBHit) -> str:
    return f"[kb:{hit.id}]"


def _first_sentences(text: str, n: int = 2) -> str:
    parts = re.split(r"(?<=[.!?])\s+", text.strip())
    return " ".join(parts[:n])


def retrieved(state: CoachState) -> dict[str, KBHit]:
    return {h.id: h for hits in state.guidance.values() for h in hits}


def _plan_lines(state: CoachState, hits: list[KBHit]) -> list[str]:
    lines = []
    for i, hit in enumerate(hits, 1):
        dose = hit.dose or "see the item"
        lines.append(f"{i}. **{hit.title}** {cite(hit)}: {dose}.")
        lines.append(f"   {_first_sentences(hit.text, 2)}")
    if state.days_per_week:
        lines.append(
            f"\nWith {state.days_per_week} training day(s) a week: do the first "
            f"{min(len(hits), 2 * state.days_per_week)} items, at most "
            f"{state.days_per_week} session(s) each per week, the higher priority first."
        )
    return lines


def plan_drills(state: CoachState, limit: int = 4) -> list[KBHit]:
    """The prioritised drills: problems in severity order, each problem's dosed drills
    first, no repeats, nothing needing kit the athlete lacks."""
    out: list[KBHit] = []
    keys = [p.id for p in state.assessment.problems] if state.assessment else []
    keys = keys or [k for k in state.guidance if k not in ("question",)]
    lacking = set(state.context.missing_equipment)
    sore = state.context.injuries
    for key in keys:
        for hit in state.guidance.get(key, []):
            if hit.kind != "drill" or not hit.dose or hit.id in {h.id for h in out}:
                continue
            if lacking & set(hit.equipment) or loads_area(hit, sore):
                continue
            out.append(hit)
            break
    for key in keys:  # a second drill per problem while room is left
        for hit in state.guidance.get(key, []):
            if len(out) >= limit:
                break
            fresh = hit.id not in {h.id for h in out}
            usable = not lacking & set(hit.equipment) and not loads_area(hit, sore)
            if hit.kind == "drill" and hit.dose and fresh and usable:
                out.append(hit)
                break
    return out[:limit]


def compose_analysis(state: CoachState) -> tuple[str, list[str]]:
    a = state.assessment
    lines: list[str] = [OFFLINE_NOTE if state.mode == "offline" else "", ""]
    failed = state.last_failure()
    if a is None or a.occurrences == 0:
        reason = failed.error if failed and failed.error else "the motion was not found in it"
        checks = [c.detail for c in state.evidence.failed()]
        lines.append(f"{COULD_NOT} {reason.rstrip('.')}.")
        if checks:
            lines.append("Checks that failed: " + "; ".join(checks) + ".")
        if failed and failed.error_kind == "AthleteChoiceError":  # the reason says how
            return "\n".join(lines).strip() + "\n", []
        lines.append(
            "What helps: a side view of the whole movement, the athlete in frame from start "
            "to finish, and the motion named if it is one I know."
        )
        return "\n".join(lines).strip() + "\n", []
    title = a.motion.replace("_", " ")
    if a.capture:  # the recording's own limits come before any feedback
        lines.append("## What this recording limits")
        lines += [f"- {line}" for line in a.capture]
        lines.append("")
    lines.append(f"## Diagnosis: {title}, {score_words(a.score)}")
    lines.append(f"{a.occurrences} occurrence{'s' * (a.occurrences != 1)} analysed.")
    asked = state.intent.motion if state.intent else None
    if asked and asked != a.motion:
        lines.append(
            f"You named {asked.replace('_', ' ')}, but the recording does not show it; it "
            f"shows a {title}, so that is what I assessed."
        )
    guides = retrieved(state)
    if a.score is None:
        lines.append(
            "Nothing in this recording could be judged (why: under Not judged below"
            + (", and how to film it better above" if a.capture else "")
            + "), so I name no problem and give no score. The plan below develops the "
            "qualities this motion needs in general."
        )
    elif not a.problems:
        from .answers import NOTHING_FLAGGED

        lines.append(
            f"No technical problem was found: {NOTHING_FLAGGED}. "
            "The plan below keeps developing the qualities this motion needs."
        )
    for i, p in enumerate(a.problems, 1):
        lines.append(f"\n{i}. **{p.label}**: {p.severity} (probability {p.probability:.2f})")
        for ev in p.evidence:
            lines.append(f"   - measured: {ev}")
        guide = guides.get(f"problem.{p.id}")
        if guide is not None:
            lines.append(f"   {_first_sentences(guide.text, 2)} {cite(guide)}")
    units = [*a.unit_notes]
    if state.measurements:  # what the athlete asked to see along with the analysis
        from .answers import measurement_lines

        lines.append("\n## What you asked about")
        for m in state.measurements:
            lines += measurement_lines(m)
        units += unit_notes(m.unit for m in state.measurements)
    lines += [f"\n_{note}_" for note in dict.fromkeys(units)]
    drills = plan_drills(state)
    lines.append("\n## Plan, in priority order")
    if drills:
        from .answers import session_fit_lines

        lines += _plan_lines(state, drills)
        lines += session_fit_lines(state, drills)
    else:
        lines.append(no_evidence(state, "a dosed plan"))
    if state.context.missing_equipment:
        lines.append(f"\n(Leaving out what needs: {', '.join(state.context.missing_equipment)}.)")
    if state.context.injuries:
        lines.append(
            f"\n(Leaving out everything that loads your {' or '.join(state.context.injuries)}, "
            "which you told me hurts; please have it checked by a physiotherapist or sports "
            "medicine doctor before loading it again.)"
        )
    if a.not_judged:
        lines.append("\n## Not judged")
        lines += [f"- {line}" for line in a.not_judged]
    if state.requeries:
        lines.append("\n## How I checked")
        lines += [f"- {r}" for r in state.requeries]
    return _with_sources(state, lines)


def compose_answer(state: CoachState) -> tuple[str, list[str]]:
    """The deterministic answer for the current intent."""
    intent = state.intent
    if intent is None or intent.kind in ("analyze", "adapt"):
        return compose_analysis(state)
    lines: list[str] = [OFFLINE_NOTE if state.mode == "offline" else "", ""]
    if intent.kind == "safety":
        concern = intent.concern or SafetyConcern(level="pain", words=["pain"])
        return "\n".join([*lines, referral(concern)]).strip() + "\n", []
    from . import answers

    handlers = {
        "measurement": answers.compose_measurement, "why_flagged": answers.compose_why,
        "fix_first": answers.compose_fix_first, "drill_details": answers.compose_drill,
        "out_of_scope": answers.compose_out_of_scope, "clarify": answers.compose_clarify,
        "technique": answers.compose_technique,
    }  # fmt: skip
    if intent.kind in handlers:
        return handlers[intent.kind](state)
    sore = state.context.injuries  # nothing that loads an area the athlete said hurts
    analysed = state.assessment.motion if state.assessment else None
    hits = [h for h in state.guidance.get("question", [])
            if not loads_area(h, sore) and h.for_motion(analysed)]  # fmt: skip
    if intent.kind == "compare":
        return "\n".join([*lines, state.comparison or ""]), []
    if not hits:
        if state.guidance.get("question"):
            lines.append("What I found loads the area you told me hurts, so I leave it out "
                         "until a professional has cleared you.")  # fmt: skip
            return "\n".join(lines).strip() + "\n", []
        lines.append(no_evidence(state, "this question"))
        return "\n".join(lines), []
    best = hits[0]
    lines.append(f"**{best.title}** {cite(best)}")
    lines.append(_first_sentences(best.text, 4))
    if best.dose:
        lines.append(f"\nDose: {best.dose}.")
    related = [h for h in hits[1:3] if h.kind in ("drill", "qa")]
    if related:
        lines.append("\nSee also: " + "; ".join(f"{h.title} {cite(h)}" for h in related))
    return _with_sources(state, lines)


def _with_sources(state: CoachState, lines: list[str]) -> tuple[str, list[str]]:
    text = "\n".join(lines)
    cited = list(dict.fromkeys(CITATION.findall(text)))
    hits = retrieved(state)
    if cited:
        lines.append("\n## Sources")
        for doc_id in cited:
            hit = hits.get(doc_id)
            if hit:
                lines.append(f"- [kb:{doc_id}] {hit.title}: {'; '.join(hit.sources[:2])}")
    return "\n".join(lines).strip() + "\n", cited
