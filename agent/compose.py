"""The deterministic coach: composes grounded guidance from the tools' results, and the
verifier every answer (offline or from a language model) must pass.

Every drill, dose and fact in an answer comes from a retrieved knowledge-base item and
is cited as ``[kb:<id>]``; every problem named comes with its measurements.
"""

from __future__ import annotations

from ..tools.kismam.wording import score_words, unit_notes
from . import answers
from .answers import NOTHING_FLAGGED, measurement_lines, session_fit_lines
from .grounding import (
    CITATION,
    COULD_NOT,
    OFFLINE_NOTE,
    cite,
    first_sentences,
    no_evidence,
    retrieved,
)
from .safety import SafetyConcern, loads_area, referral
from .state import CoachState
from .tools import KBHit
from .training_plan import plan_drills


def _plan_lines(state: CoachState, hits: list[KBHit]) -> list[str]:
    lines = []
    for i, hit in enumerate(hits, 1):
        dose = hit.dose or "see the item"
        lines.append(f"{i}. **{hit.title}** {cite(hit)}: {dose}.")
        lines.append(f"   {first_sentences(hit.text, 2)}")
    if state.days_per_week:
        lines.append(
            f"\nWith {state.days_per_week} training day(s) a week: do the first "
            f"{min(len(hits), 2 * state.days_per_week)} items, at most "
            f"{state.days_per_week} session(s) each per week, the higher priority first."
        )
    return lines


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
            lines.append(f"   {first_sentences(guide.text, 2)} {cite(guide)}")
    units = [*a.unit_notes]
    if state.measurements:  # what the athlete asked to see along with the analysis
        lines.append("\n## What you asked about")
        for m in state.measurements:
            lines += measurement_lines(m)
        units += unit_notes(m.unit for m in state.measurements)
    lines += [f"\n_{note}_" for note in dict.fromkeys(units)]
    drills = plan_drills(state)
    lines.append("\n## Plan, in priority order")
    if drills:
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
    lines.append(first_sentences(best.text, 4))
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
