"""The coach's typed tools: pydantic in, pydantic out, a one-line summary for the prompt.

Big arrays (poses, kinematics) stay in files in the work folder; a tool returns their
path and a summary. Every tool validates its arguments before use and resolves file
paths through the Workspace, so neither a model nor a message can point it elsewhere.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field

from ..kb import KnowledgeBase, SearchFilters, SearchResult
from ..kb.history import Recording, analysis_options, new_analysis_id, record_analysis
from ..kb.models import Dose, Kind, Level
from ..tools.data_files import write_atomically
from ..tools.errors import KnowledgeBaseError, SportsGPTError, StorageError
from ..tools.kismam import Assessment, assess_motion, check_motion, load_motion_spec
from ..tools.kismam.capture import capture_words
from ..tools.kismam.wording import (
    band_words,
    evidence_words,
    not_judged,
    score_words,
    unit_notes,
)
from ..tools.kismam.wording import quantity as quantity_words
from ..tools.motiondtw.align import AlignSettings, align
from ..tools.motiondtw.library import load_motion_references
from ..tools.pose_io import save_json
from ..tools.pose_sequence import PoseSequence, with_view
from ..tools.readers import VIDEO_SUFFIXES, read_motion, source_kind
from .workspace import Workspace

log = logging.getLogger(__name__)


Assessor = Callable[[Any, str, AlignSettings], Assessment]
"""pose, motion (or 'auto'), alignment settings -> Assessment."""


class PeopleFound(BaseModel):
    """A video's people when its athlete has to be pointed at (the app's thumbnails)."""

    video: Path
    people: list[Any] = Field(description="tools.pose.PersonFound, strongest first")


@dataclass
class ToolContext:
    workspace: Workspace
    kb: KnowledgeBase
    athlete: str = "athlete"
    assessor: Assessor = assess_motion
    """How a recording is diagnosed: alignment then KISMAM (evals swap in ablations)."""
    stop: threading.Event | None = None
    """Set by the app's Stop button: pose extraction ends at the next frame."""
    recordings: dict[str, Path] = field(default_factory=dict)
    """pose file -> the recording the user gave (what history keys an analysis by)."""
    people: PeopleFound | None = None
    """The people of the last video when it could not be told which is the athlete."""


# ---------------------------------------------------------------- pose
class ExtractPoseInput(BaseModel):
    """A video, keypoint or mocap file the user gave (inside the session's folders)."""

    path: str = Field(min_length=1)
    view: Literal["side", "front", "oblique"] | None = Field(
        default=None, description="the camera view the athlete stated (default: estimated)"
    )
    motion: str | None = Field(
        default=None, description="a video with several people: the athlete is the one who "
        "performs this motion (default: any motion we know)",
    )  # fmt: skip
    pick: tuple[float, float, float | None] | None = Field(
        default=None, description="a point on the athlete: x, y (pixels) and the time in "
        "seconds it is on them (None: the first frame it touches anyone)",
    )  # fmt: skip


class PoseSummary(BaseModel):
    pose_file: str
    frames: int
    frames_with_athlete: int
    detection_rate: float
    fps: float
    view: str
    source_kind: str = Field(description="video, keypoints or mocap")
    summary: str


def extract_pose_tool(ctx: ToolContext, args: ExtractPoseInput) -> PoseSummary:
    """Turn the user's file into the athlete's skeleton (video: pose estimation)."""
    path = ctx.workspace.resolve(args.path)
    if path.suffix.lower() in VIDEO_SUFFIXES:
        from ..tools.kismam import AUTO, motion_check
        from ..tools.pose import AthleteChoiceError, AthleteHint, PoseSettings, extract_pose

        pick = args.pick
        hint = None if pick is None else AthleteHint(point=(pick[0], pick[1]), time_s=pick[2])
        ctx.people = None
        try:
            pose = extract_pose(path, PoseSettings(athlete=hint), progress=False,
                                stop=ctx.stop, performs=motion_check(args.motion or AUTO)
                                ).pose  # fmt: skip
        except AthleteChoiceError as exc:  # the app shows them to choose from
            ctx.people = PeopleFound(video=path, people=exc.people)
            raise
    else:
        pose = read_motion(path)
    kind = source_kind(path, pose.dims)
    pose = with_view(pose, args.view)
    seen = int((pose.confidence.max(axis=1) > 0).sum())
    out = ctx.workspace.new_path(path.stem, ".pose.json")
    save_json(pose, out)
    ctx.recordings[str(out)] = path
    rate = seen / max(pose.n_frames, 1)
    return PoseSummary(
        pose_file=str(out), frames=pose.n_frames, frames_with_athlete=seen,
        detection_rate=round(rate, 3), fps=round(pose.fps, 2), view=pose.view or "unknown",
        source_kind=kind,
        summary=f"{kind}: {pose.n_frames} frames at {pose.fps:.0f} fps, athlete in {seen} "
        f"({100 * rate:.0f}%), {pose.view or 'unknown'} view",
    )  # fmt: skip


# ---------------------------------------------------------------- alignment
class AlignInput(BaseModel):
    pose_file: str
    motion: str = Field(description="a known motion id")
    radius_s: float = Field(default=0.3, gt=0, le=2.0, description="stage-2 window widening")


class AlignmentSummary(BaseModel):
    motion: str
    occurrences: int
    best_cost: float | None
    cost_threshold: float
    keyframes: list[dict[str, int]] = Field(description="of the first three occurrences")
    summary: str


def _load_pose(ctx: ToolContext, pose_file: str) -> Any:
    return read_motion(ctx.workspace.resolve(pose_file))


def align_motion_tool(ctx: ToolContext, args: AlignInput) -> AlignmentSummary:
    """Find every occurrence of the motion and its keyframes (MotionDTW)."""
    check_motion(args.motion)
    result = align(
        _load_pose(ctx, args.pose_file), load_motion_references(args.motion),
        AlignSettings(radius_s=args.radius_s),
    )  # fmt: skip
    best = min((o.cost for o in result.occurrences), default=None)
    return AlignmentSummary(
        motion=args.motion, occurrences=len(result.occurrences), best_cost=best,
        cost_threshold=result.cost_threshold,
        keyframes=[o.keyframes for o in result.occurrences[:3]],
        summary=f"{len(result.occurrences)} occurrence(s) of {args.motion}"
        + (f", best cost {best:.2f} (threshold {result.cost_threshold:.2f})" if best else ""),
    )  # fmt: skip


# ---------------------------------------------------------------- assessment
class AssessInput(BaseModel):
    pose_file: str
    motion: str = Field(description="a known motion id, or 'auto' to recognise it")
    radius_s: float = Field(default=0.3, gt=0, le=2.0)


class ProblemBrief(BaseModel):
    id: str
    label: str
    probability: float
    severity: str
    evidence: list[str] = Field(description="'Arm swing at take-off: 46° (elite ≥ 80°), frame 44'")
    metrics: list[str] = Field(default_factory=list, description="the metric ids measured")
    measured: list[float] = Field(default_factory=list, description="the values, as evidence")


class AssessmentSummary(BaseModel):
    analysis_id: str
    motion: str
    score: float | None = Field(description="None when nothing could be judged")
    occurrences: int
    best_cost: float | None
    problems: list[ProblemBrief]
    unmeasurable: dict[str, str]
    unit_notes: list[str] = Field(default_factory=list, description="units explained once")
    capture: list[str] = Field(
        default_factory=list, description="what the recording limits, and how to film better"
    )
    summary: str

    @property
    def not_judged(self) -> list[str]:
        """What could not be judged, in words, one line per reason."""
        return not_judged(self.motion, self.unmeasurable)


def assess_motion_tool(ctx: ToolContext, args: AssessInput) -> AssessmentSummary:
    """Alignment, then KISMAM: named problems with probability and evidence."""
    check_motion(args.motion, allow_auto=True)
    pose = _load_pose(ctx, args.pose_file)
    assessment = ctx.assessor(pose, args.motion, AlignSettings(radius_s=args.radius_s))
    analysis_id = store_analysis(ctx, assessment, args.pose_file)
    keep_in_history(ctx, assessment, pose, ctx.workspace.resolve(args.pose_file), analysis_id,
                    analysis_options(AlignSettings(radius_s=args.radius_s)))  # fmt: skip
    problems = [
        ProblemBrief(
            id=p.id, label=p.label, probability=p.probability, severity=p.severity,
            evidence=[evidence_words(e) for e in p.evidence[:4]],
            metrics=list(dict.fromkeys(e.metric for e in p.evidence)),
            measured=[e.measured for e in p.evidence[:4]],
        )
        for p in assessment.problems
    ]  # fmt: skip
    best = min((o.cost for o in assessment.occurrences), default=None)
    names = ", ".join(f"{p.label} ({p.severity})" for p in problems) or "no problem"
    return AssessmentSummary(
        analysis_id=analysis_id, motion=assessment.motion, score=assessment.score,
        occurrences=len(assessment.occurrences), best_cost=best, problems=problems,
        unmeasurable=assessment.unmeasurable,
        unit_notes=unit_notes(m.unit for o in assessment.occurrences for m in o.metrics),
        capture=capture_words(assessment.capture),
        summary=f"{assessment.motion.replace('_', ' ')}: {score_words(assessment.score)} over "
        f"{len(assessment.occurrences)} occurrence(s); {names}",
    )  # fmt: skip


def keep_in_history(
    ctx: ToolContext, assessment: Assessment, pose: PoseSequence, pose_file: Path,
    analysis_id: str, options: dict[str, Any],
) -> None:  # fmt: skip
    """The analysis into the athlete's history in PostgreSQL (kb/history.py), keyed by the
    recording the user gave (its content hash); a database that is down costs the history
    entry only, with a warning, never the analysis."""
    source = Path(pose.source)
    recording = ctx.recordings.get(str(pose_file)) or (source if source.is_file() else pose_file)
    try:
        entry = Recording.of(recording, pose)
        with ctx.kb.connection() as conn:
            record_analysis(conn, entry, assessment, ctx.athlete, options=options,
                            analysis_id=analysis_id)  # fmt: skip
    except (KnowledgeBaseError, OSError) as exc:
        log.warning("analysis %s not kept in the athlete's history: %s", analysis_id, exc)


def store_analysis(ctx: ToolContext, assessment: Assessment, pose_file: str) -> str:
    """Keep the whole Assessment per athlete, so a later turn can compare with it. A disk
    that is full keeps the earlier analyses and this one is only not kept (a warning):
    the athlete still gets it now."""
    folder = ctx.workspace.work_dir / "analyses" / ctx.athlete
    analysis_id = new_analysis_id()
    doc = {"id": analysis_id, "pose_file": pose_file, "assessment": assessment.model_dump()}
    try:
        write_atomically(folder / f"{analysis_id}.json", json.dumps(doc, indent=1))
    except OSError as exc:
        log.warning("analysis %s not kept for later comparison: %s", analysis_id,
                    exc.strerror or exc)  # fmt: skip
    return analysis_id


def stored_analyses(ctx: ToolContext) -> list[dict[str, Any]]:
    """The athlete's analyses, oldest first; one that cannot be read (a file cut short by
    another tool, edited by hand) is skipped with a warning, never fatal to the others."""
    folder = ctx.workspace.work_dir / "analyses" / ctx.athlete
    out = []
    for path in sorted(folder.glob("*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            log.warning("skipping an unreadable stored analysis: %s", path.name)
            continue
        if isinstance(doc, dict) and isinstance(doc.get("assessment"), dict):
            out.append(doc)
        else:
            log.warning("skipping a stored analysis of another shape: %s", path.name)
    return out


# ---------------------------------------------------------------- knowledge
class SearchInput(BaseModel):
    query: str = Field(min_length=2)
    problem: str | None = Field(default=None, description="a KISMAM problem id")
    motion: str | None = Field(default=None, description="only items for this motion")
    kinds: list[Kind] | None = None
    missing_equipment: list[str] = Field(default_factory=list)
    level: Level | None = None
    limit: int = Field(default=4, ge=1, le=10)


class KBHit(BaseModel):
    id: str
    title: str
    kind: str
    text: str
    dose: str | None = Field(description="the dose in words, when the item has one")
    sources: list[str]
    problems: list[str] = Field(default_factory=list)
    equipment: list[str] = Field(default_factory=list)
    contraindications: list[str] = Field(default_factory=list)
    dose_detail: Dose | None = Field(default=None, description="sets, rest, progression ...")
    motions: list[str] = Field(default_factory=list, description="the motions it is for; [] = any")

    def for_motion(self, motion: str | None) -> bool:
        """Whether it may be offered to an athlete analysed in ``motion`` (a drill of
        another motion is not: bounding is no drill for a walker)."""
        return motion is None or self.kind != "drill" or not self.motions or motion in self.motions


class KnowledgeHits(BaseModel):
    hits: list[KBHit]
    summary: str


def kb_hit(result: SearchResult) -> KBHit:
    return KBHit(
        id=result.id, title=result.title, kind=result.kind, text=result.text[:600],
        dose=result.dose.summary() if result.dose else None, dose_detail=result.dose,
        sources=[s.citation for s in result.source], problems=result.problems,
        equipment=result.equipment, contraindications=result.contraindications,
        motions=result.motions,
    )  # fmt: skip


def search_knowledge_tool(ctx: ToolContext, args: SearchInput) -> KnowledgeHits:
    """Hybrid search of the training knowledge base (drills with doses, guides, Q&A)."""
    filters = SearchFilters(
        problem=args.problem, motion=args.motion, kinds=args.kinds,
        without_equipment=args.missing_equipment, level=args.level,
    )  # fmt: skip
    hits = [kb_hit(r) for r in ctx.kb.search(args.query, filters, limit=args.limit)]
    return KnowledgeHits(
        hits=hits,
        summary=f"{len(hits)} item(s): " + ", ".join(h.id for h in hits)
        if hits else "no evidence found in the knowledge base",
    )  # fmt: skip


class ExplainInput(BaseModel):
    problem: str = Field(min_length=2, description="a KISMAM problem id, e.g. overstriding")


class Explanation(BaseModel):
    guide: KBHit | None
    drills: list[KBHit]
    summary: str


def _document(ctx: ToolContext, doc_id: str) -> KBHit | None:
    doc = ctx.kb.get(doc_id)
    if doc is None:
        return None
    detail = Dose.model_validate(doc["dose"]) if doc.get("dose") else None
    return KBHit(
        id=doc["id"], title=doc["title"], kind=doc["kind"], text=doc["body"],
        dose=detail.summary() if detail else None, dose_detail=detail,
        sources=[s["citation"] for s in doc["sources"]], problems=list(doc["problems"]),
        equipment=list(doc["equipment"]), contraindications=list(doc["contraindications"]),
    )  # fmt: skip


def explain_problem_tool(ctx: ToolContext, args: ExplainInput) -> Explanation:
    """What a named problem is, why it matters, and the drills that address it."""
    guide = _document(ctx, f"problem.{args.problem}")
    drills = search_knowledge_tool(
        ctx, SearchInput(query=args.problem.replace("_", " "), problem=args.problem,
                         kinds=["drill"], limit=4)
    ).hits  # fmt: skip
    return Explanation(
        guide=guide, drills=drills,
        summary=(guide.title if guide else f"no guide for {args.problem}")
        + f"; {len(drills)} drill(s)",
    )  # fmt: skip


class GetDrillInput(BaseModel):
    drill_id: str = Field(min_length=3, description="a KB id such as drill.a_skip")


class DrillDetail(BaseModel):
    drill: KBHit | None
    summary: str


def get_drill_tool(ctx: ToolContext, args: GetDrillInput) -> DrillDetail:
    """One knowledge-base item in full (cues, dose, progression, sources)."""
    doc_id = args.drill_id if "." in args.drill_id else f"drill.{args.drill_id}"
    drill = _document(ctx, doc_id)
    return DrillDetail(drill=drill, summary=drill.title if drill else f"no item {doc_id}")


class AdaptInput(BaseModel):
    drill_ids: list[str] = Field(min_length=1)
    missing_equipment: list[str] = Field(default_factory=list)
    level: Level | None = None
    days_per_week: int | None = Field(default=None, ge=1, le=7)


class PlanItem(BaseModel):
    id: str
    title: str
    dose: str | None
    note: str | None = None


class AdaptedPlan(BaseModel):
    items: list[PlanItem]
    summary: str


def adapt_plan_tool(ctx: ToolContext, args: AdaptInput) -> AdaptedPlan:
    """Fit drills to the athlete: swap those needing missing kit for a KB alternative
    addressing the same problems, and fit the weekly frequency to their training days."""
    items: list[PlanItem] = []
    seen: set[str] = set()
    for drill_id in args.drill_ids:
        drill = _document(ctx, drill_id)
        if drill is None:
            continue
        note = None
        lacking = sorted(set(drill.equipment) & set(args.missing_equipment))
        if lacking:
            problem = drill.problems[0] if drill.problems else None
            alternatives = search_knowledge_tool(
                ctx, SearchInput(query=drill.title, problem=problem, kinds=["drill"],
                                 missing_equipment=args.missing_equipment, limit=4)
            ).hits  # fmt: skip
            replacement = next((a for a in alternatives if a.id not in seen), None)
            if replacement is None:
                continue
            note = f"replaces {drill.title} (needs {', '.join(lacking)})"
            drill = replacement
        if drill.id in seen:
            continue
        seen.add(drill.id)
        if args.days_per_week is not None and drill.dose:
            note = (note + "; " if note else "") + (
                f"fit into your {args.days_per_week} training day(s) a week"
            )
        items.append(PlanItem(id=drill.id, title=drill.title, dose=drill.dose, note=note))
    return AdaptedPlan(items=items, summary=f"{len(items)} drill(s) after adapting")


# ---------------------------------------------------------------- measurements
class MeasurementsInput(BaseModel):
    quantity: str = Field(min_length=3, description="a joint channel (knee_flexion, trunk_lean) "
                          "or a scored metric id (take_off_angle)")  # fmt: skip
    keyframe: str | None = Field(default=None, description="a keyframe id; None: every one")
    side: Literal["left", "right"] | None = Field(default=None, description="None: the primary")
    occurrence: int | None = Field(default=None, ge=1, description="1-based; None: all")


class MeasuredValue(BaseModel):
    occurrence: int
    keyframe: str
    frame: int
    value: float
    at: str = Field(default="", description="the keyframe's name in words")


class Measurements(BaseModel):
    quantity: str
    label: str
    name: str = Field(default="", description="a coach's name for it, e.g. 'Arm swing at take-off'")
    unit: str
    side: str | None
    keyframes: list[str]
    values: list[MeasuredValue]
    median: float | None
    band: tuple[float | None, float | None] | None = Field(description="elite band, if scored")
    band_source: str | None
    metric: str | None = Field(description="the scored metric these values are")
    summary: str


def _latest_assessment(ctx: ToolContext) -> tuple[Assessment, str]:
    done = stored_analyses(ctx)
    if not done:
        raise SportsGPTError("no analysis yet: send a recording first")
    return Assessment.model_validate(done[-1]["assessment"]), str(done[-1]["pose_file"])


def get_measurements_tool(ctx: ToolContext, args: MeasurementsInput) -> Measurements:
    """The athlete's own values from the stored analysis: a scored metric (with its elite
    band and source) or any joint angle at any keyframe, per occurrence, with the median."""
    assessment, pose_file = _latest_assessment(ctx)
    spec = load_motion_spec(assessment.motion)
    chosen = [o for i, o in enumerate(assessment.occurrences, 1)
              if args.occurrence in (None, i)]  # fmt: skip
    if not chosen:
        raise SportsGPTError(f"occurrence {args.occurrence} not found: the analysis has "
                             f"{len(assessment.occurrences)}")  # fmt: skip
    numbers = [i for i in range(1, len(assessment.occurrences) + 1) if args.occurrence in (None, i)]
    metric = next((m for m in spec.metrics if m.id == args.quantity), None)
    if metric is not None:
        values = [MeasuredValue(occurrence=n, keyframe=r.keyframe, frame=r.frame, value=r.measured,
                                at=spec.keyframe_label(r.keyframe))
                  for n, o in zip(numbers, chosen, strict=True) for r in o.metrics
                  if r.id == metric.id and args.keyframe in (None, r.keyframe)]  # fmt: skip
        result = next((r for o in chosen for r in o.metrics if r.id == metric.id), None)
        return _measurements(args.quantity, metric.label, metric.unit, None, values,
                             result.band if result else None, result.source if result else None,
                             metric.id, metric.name)  # fmt: skip
    from ..tools.kinematics import compute_kinematics

    series = compute_kinematics(_load_pose(ctx, pose_file))
    side = args.side or series.primary_side
    channel = args.quantity if args.quantity in series.channels else f"{side}_{args.quantity}"
    if channel not in series.channels:
        why = series.unmeasurable.get(channel) if hasattr(series, "unmeasurable") else None
        raise SportsGPTError(f"{args.quantity} is not measured in this recording"
                             + (f" ({why})" if why else ""))  # fmt: skip
    keys = [args.keyframe] if args.keyframe else list(spec.keyframes)
    data = series.channels[channel]
    values = []
    for n, occ in zip(numbers, chosen, strict=True):
        for key in keys:
            frame = occ.keyframes.get(key)
            if frame is not None and 0 <= frame < len(data) and np.isfinite(data[frame]):
                values.append(MeasuredValue(occurrence=n, keyframe=key, frame=frame,
                                            value=round(float(data[frame]), 2),
                                            at=spec.keyframe_label(key)))  # fmt: skip
    scored = next((m for m in spec.metrics if args.quantity in m.channel
                   and (args.keyframe is None or args.keyframe in m.at)), None)  # fmt: skip
    label = channel.replace("_", " ")
    unit = str(series.units.get(channel, ""))
    side_out = side if channel != args.quantity else None
    return _measurements(args.quantity, label, unit, side_out, values, None, None,
                         scored.id if scored else None, label[:1].upper() + label[1:])  # fmt: skip


def _measurements(
    quantity: str, label: str, unit: str, side: str | None, values: list[MeasuredValue],
    band: tuple[float | None, float | None] | None, source: str | None, metric: str | None,
    name: str,
) -> Measurements:  # fmt: skip
    if band is not None and band[0] is None and band[1] is None:
        band = None  # nothing judged against (an assessment without KISMAM's bands)
    median = float(np.median([v.value for v in values])) if values else None
    keys = list(dict.fromkeys(v.keyframe for v in values))
    where = ", ".join(dict.fromkeys(v.at or v.keyframe for v in values)) or "-"
    shown = "none measured" if median is None else f"median {quantity_words(median, unit)}"
    return Measurements(
        quantity=quantity, label=label, name=name, unit=unit, side=side, keyframes=keys,
        values=values, median=None if median is None else round(median, 2), band=band,
        band_source=source, metric=metric,
        summary=f"{name} at {where}: {shown} over {len(values)} value(s)"
        + (f"; elite band {band_words(*band, unit)}" if band else ""),
    )  # fmt: skip


# ---------------------------------------------------------------- registry
@dataclass(frozen=True)
class ToolSpec:
    name: str
    input: type[BaseModel]
    output: type[BaseModel]
    run: Callable[[ToolContext, Any], BaseModel]
    description: str


TOOLS: dict[str, ToolSpec] = {
    spec.name: spec
    for spec in (
        ToolSpec("extract_pose", ExtractPoseInput, PoseSummary, extract_pose_tool,
                 "Turn the user's video, keypoint or mocap file into the athlete's skeleton. "
                 "Use first whenever the user gives a file."),
        ToolSpec("align_motion", AlignInput, AlignmentSummary, align_motion_tool,
                 "Find the occurrences and keyframes of a motion in a pose file. Use to check "
                 "a recording shows the motion, or again with a wider radius_s."),
        ToolSpec("assess_motion", AssessInput, AssessmentSummary, assess_motion_tool,
                 "Diagnose technique: named problems with probability, severity and measured "
                 "evidence. Use after extract_pose; motion 'auto' recognises the motion."),
        ToolSpec("search_knowledge", SearchInput, KnowledgeHits, search_knowledge_tool,
                 "Search the training knowledge base for drills (with doses), problem guides "
                 "and coach Q&A. Use for every problem you report and for questions."),
        ToolSpec("explain_problem", ExplainInput, Explanation, explain_problem_tool,
                 "Explain a named technical problem and list its drills."),
        ToolSpec("get_drill", GetDrillInput, DrillDetail, get_drill_tool,
                 "Get one drill or knowledge item in full by id (e.g. drill.a_skip)."),
        ToolSpec("adapt_plan", AdaptInput, AdaptedPlan, adapt_plan_tool,
                 "Adapt a list of drills to missing equipment, level or days per week."),
        ToolSpec("get_measurements", MeasurementsInput, Measurements, get_measurements_tool,
                 "The athlete's own measured values from the stored analysis: a scored "
                 "metric with its elite band, or any joint angle at any keyframe."),
    )
}  # fmt: skip


class ToolCallError(SportsGPTError):
    """A tool call the agent could not make: unknown tool or invalid arguments."""


def run_tool(ctx: ToolContext, name: str, arguments: dict[str, Any]) -> BaseModel:
    """Validate and run one tool call (the one door through which tools are called)."""
    spec = TOOLS.get(name)
    if spec is None:
        raise ToolCallError(f"unknown tool {name!r}; tools: {', '.join(TOOLS)}")
    try:
        args = spec.input.model_validate(arguments)
    except Exception as exc:  # pydantic's ValidationError, made one line
        first = str(exc).splitlines()
        raise ToolCallError(f"invalid arguments for {name}: {' '.join(first[:3])}") from None
    try:
        return spec.run(ctx, args)
    except OSError as exc:  # a full disk, a folder gone: one line, what was there stays
        raise StorageError(f"{name} could not write its files ({exc.strerror or exc}); "
                           "free some space and try again") from None  # fmt: skip


def resolve_upload(ctx: ToolContext, path: str | Path) -> Path:
    """A file the user hands over: it (not its folder) becomes readable for this session."""
    resolved = Path(path).expanduser().resolve()
    if not resolved.is_file():
        raise SportsGPTError(f"{path}: no such file")
    ctx.workspace.allow_file(resolved)
    return resolved
