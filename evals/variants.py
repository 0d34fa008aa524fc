"""The system and its ablations (the paper's table), plus deliberately broken components
that prove the harness can fail. Each variant swaps one part of the coach through its
injection points (the ToolContext's assessor, the knowledge base); nothing else changes.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from ..agent.tools import Assessor
from ..kb import KnowledgeBase, SearchFilters, SearchResult
from ..tools.kismam import (
    Assessment,
    align_motion,
    assess_alignment,
    assess_motion,
    load_motion_spec,
)
from ..tools.kismam.models import MetricResult
from ..tools.motiondtw.align import AlignSettings
from ..tools.pose_sequence import PoseSequence

VariantName = Literal["full", "one_stage", "no_kismam", "no_retrieval", "keyframes_shifted"]


class Variant(BaseModel):
    name: VariantName
    label: str
    ablation: bool = True
    """In the paper's ablation table (False: the full system, or a sabotage check)."""


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant(name="full", label="SportsGPT (two-stage MotionDTW, KISMAM, SportsRAG)",
                ablation=False),
        Variant(name="one_stage", label="one-stage DTW instead of MotionDTW"),
        Variant(name="no_kismam", label="without KISMAM (raw keyframe angles to the composer)"),
        Variant(name="no_retrieval", label="without SportsRAG retrieval"),
        Variant(name="keyframes_shifted", label="sabotage: keyframes 10 frames late",
                ablation=False),
    )
}  # fmt: skip
ABLATIONS = ["full", "one_stage", "no_kismam", "no_retrieval"]
SHIFT_FRAMES = 10


def _one_stage(pose: PoseSequence, motion: str, settings: AlignSettings) -> Assessment:
    return assess_motion(pose, motion, settings.model_copy(update={"method": "one_stage"}))


def _raw_angles(pose: PoseSequence, motion: str, settings: AlignSettings) -> Assessment:
    """Keyframes and the angles measured at them, without bands or problems: what a
    composer gets when KISMAM does not interpret the numbers."""
    full = assess_motion(pose, motion, settings)
    occurrences = [
        occ.model_copy(update={"metrics": [_unbanded(m) for m in occ.metrics]})
        for occ in full.occurrences
    ]
    return full.model_copy(update={
        "score": None, "problems": [], "occurrences": occurrences,
        "unmeasurable": {**full.unmeasurable,
                         "diagnosis": "ablation: no KISMAM, raw keyframe angles only"},
    })  # fmt: skip


def _unbanded(metric: MetricResult) -> MetricResult:
    return metric.model_copy(update={"band": (None, None), "insufficient": 0.0, "excessive": 0.0})


def _shifted(pose: PoseSequence, motion: str, settings: AlignSettings) -> Assessment:
    """Alignment whose keyframes all land SHIFT_FRAMES late (a broken MotionDTW)."""
    found, series, alignment = align_motion(pose, motion, settings)
    last = pose.n_frames - 1
    late = alignment.model_copy(update={"occurrences": [
        o.model_copy(update={"keyframes": {k: min(last, f + SHIFT_FRAMES)
                                           for k, f in o.keyframes.items()}})
        for o in alignment.occurrences
    ]})  # fmt: skip
    return assess_alignment(pose, load_motion_spec(found), series, late)


ASSESSORS: dict[str, Assessor] = {
    "full": assess_motion,
    "one_stage": _one_stage,
    "no_kismam": _raw_angles,
    "no_retrieval": assess_motion,
    "keyframes_shifted": _shifted,
}


class RetrievalDisabled(KnowledgeBase):
    """The knowledge base with retrieval switched off: every search finds nothing."""

    def __init__(self, kb: KnowledgeBase) -> None:
        super().__init__(kb.settings, kb._embedder)

    def search(
        self, query: str, filters: SearchFilters | None = None, limit: int = 5,
        mode: Any = "hybrid",
    ) -> list[SearchResult]:  # fmt: skip
        return []

    def get(self, doc_id: str) -> dict[str, Any] | None:
        return None


def knowledge_for(variant: str, kb: KnowledgeBase) -> KnowledgeBase:
    return RetrievalDisabled(kb) if variant == "no_retrieval" else kb
