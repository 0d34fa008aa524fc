"""The athlete's progress, told from their history in PostgreSQL (kb/history.py): the
technique score over their analyses of a motion, the metric they ask about (or each
problem's key metric) against its elite band, and what changed since the last one.
Every number comes from a stored analysis; nothing is estimated here."""

from __future__ import annotations

import logging

from ..kb.history import StoredAnalysis, analyses_of, date_form, key_metric
from ..tools.errors import KnowledgeBaseError
from ..tools.kismam import load_motion_spec
from ..tools.kismam.wording import band_words, quantity
from .slots import Slots, joint_in, keyframe_in, metric_in, problem_in
from .tools import ToolContext

log = logging.getLogger(__name__)

MAX_SHOWN = 8  # analyses spelled out in one answer; older ones are counted


def athlete_history(ctx: ToolContext, motion: str | None = None) -> list[StoredAnalysis]:
    """The athlete's stored analyses (of ``motion``), oldest first (KnowledgeBaseError
    when the database cannot be reached)."""
    with ctx.kb.connection() as conn:
        return analyses_of(conn, ctx.athlete, motion)


def _focus(question: str, slots: Slots, motion: str) -> list[str]:
    """The scored metrics the question is about: the one it names, or the key metric of
    the problem it names (its matrix's first term), or those at the keyframe or on the
    joint it names; none when it names nothing."""
    spec = load_motion_spec(motion)
    lowered = question.lower()
    metric = slots.metric if slots.metric in {m.id for m in spec.metrics} else None
    metric = metric or metric_in(lowered, motion, slots.joint, slots.keyframe)
    if metric:
        return [metric]
    problem = slots.problem or problem_in(lowered, None, motion)
    found = next((p for p in spec.problems if p.id == problem), None)
    if found and found.weights:
        return [next(iter(found.weights)).split(":")[0]]
    keyframe = slots.keyframe or keyframe_in(lowered, motion)[0]
    joint = slots.joint or joint_in(lowered)
    return [m.id for m in spec.metrics
            if (keyframe and keyframe in m.at) or (joint and joint in m.channel)]  # fmt: skip


def _metric_line(shown: list[StoredAnalysis], metric_id: str) -> str | None:
    values = [(a, a.metric(metric_id)) for a in shown]
    measured = [(a, m) for a, m in values if m is not None]
    if not measured:
        return None
    last = measured[-1][1]
    series = " -> ".join(quantity(m.median, last.unit) for _, m in measured)
    where = "inside" if last.in_band else "outside"
    band = band_words(*last.band, last.unit)
    line = f"- {last.label}: {series} (elite {band}); now {where} the elite band"
    if len(measured) < len(values):
        line += f" (not measured in {len(values) - len(measured)} of them)"
    return line + "."


def _score(a: StoredAnalysis) -> str:
    return f"{a.score:.0f}" if a.score is not None else "not scored"


def progress_report(ctx: ToolContext, question: str, slots: Slots, motion: str | None) -> str:
    """The answer to "how am I progressing on my arm swing?" from the stored history."""
    try:
        everything = athlete_history(ctx)
    except KnowledgeBaseError as exc:
        log.warning("the athlete's history is unavailable: %s", exc)
        return f"I cannot read your history right now ({exc}), so I cannot compare."
    if not everything:
        return (f"No analysis is kept in {ctx.athlete}'s history yet: send a recording, "
                "or analyse a folder with `sportsgpt batch`.")  # fmt: skip
    motion = motion or everything[-1].motion
    history = [a for a in everything if a.motion == motion]
    name = motion.replace("_", " ")
    form = date_form(history)

    def _when(a: StoredAnalysis) -> str:
        return f"{a.created_at:{form}}"

    if len(history) < 2:
        only = f" ({_when(history[0])}, score {_score(history[0])})" if history else ""
        return (f"Only {len(history)} analysis of your {name} is in your history{only}: "
                "nothing to compare yet.")  # fmt: skip
    shown = history[-MAX_SHOWN:]
    older = len(history) - len(shown)
    lines = [f"From your history: {len(history)} analyses of your {name}, "
             f"{_when(history[0])} to {_when(history[-1])}"
             + (f" (the last {len(shown)} shown)" if older else "") + ":"]  # fmt: skip
    lines.append("- Technique score: " + " -> ".join(
        f"{_score(a)} ({_when(a)}, {a.recording})" for a in shown) + ".")  # fmt: skip
    metrics = _focus(question, slots, motion) or list(dict.fromkeys(
        m["metric"] for a in shown[-2:] for p in a.problems if (m := key_metric(p))
    ))  # fmt: skip
    for metric_id in metrics:
        line = _metric_line(shown, metric_id)
        lines.append(line or f"- {metric_id.replace('_', ' ')}: not measured in these analyses.")
    old, new = shown[-2], shown[-1]
    before = {p["id"]: p for p in old.problems}
    after = {p["id"]: p for p in new.problems}
    for pid in sorted(set(before) - set(after)):
        lines.append(f"- Since {_when(old)}, resolved: {before[pid]['label']}.")
    for pid in sorted(set(after) - set(before)):
        lines.append(f"- Since {_when(old)}, new: {after[pid]['label']}.")
    for pid in sorted(set(before) & set(after)):
        p_old, p_new = before[pid]["probability"], after[pid]["probability"]
        lines.append(f"- Still present: {after[pid]['label']} (probability {p_old:.2f} -> "
                     f"{p_new:.2f}).")  # fmt: skip
    return "\n".join(lines)
