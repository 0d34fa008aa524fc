"""Athlete history in the knowledge base's PostgreSQL (migration 0003): athletes, their
training sessions, recordings (by content hash) and every analysis of them.

An analysis is written in one transaction and is idempotent by (recording hash, motion,
settings version): analysing the same file again with the same software, references and
spec returns the stored analysis instead of a second row, and links the recording to the
athlete and session named this time. The settings version changes whenever anything that
could change the result does (``analysis_versions``).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from pydantic import BaseModel, Field

from .. import __version__
from ..tools.batch import MAX_ATHLETE_NAME
from ..tools.errors import SportsGPTError
from ..tools.kismam import Assessment
from ..tools.kismam.wording import band_words, name_of, quantity
from ..tools.motiondtw.align import AlignSettings
from ..tools.motiondtw.library import REFERENCES_DIR
from ..tools.pose_sequence import PoseSequence
from ..tools.readers import source_kind
from .store import migrate

HASH_CHUNK = 1 << 20


DEFAULT_ATHLETE = "athlete"


def athlete_name(text: str | None, default: str = DEFAULT_ATHLETE) -> str:
    """An athlete's name as the history keeps it (spaces collapsed; empty: ``default``)."""
    name = " ".join((text or "").split())
    if not name:
        return default
    if len(name) > MAX_ATHLETE_NAME or not name.isprintable():
        raise SportsGPTError(f"an athlete's name is 1 to {MAX_ATHLETE_NAME} printable "
                             "characters")  # fmt: skip
    return name


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MB pieces (a recording is its content)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while piece := f.read(HASH_CHUNK):
            digest.update(piece)
    return digest.hexdigest()


def _files_hash(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for f in sorted(files):
        digest.update(f.name.encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()[:16]


def analysis_versions(motion: str) -> dict[str, str]:
    """What an analysis of ``motion`` was made with: the software, the motion's elite
    references (their files' hash) and its assessment spec (its file's hash)."""
    folder = REFERENCES_DIR / motion
    return {
        "software": __version__,
        "references": _files_hash(list((folder / "templates").glob("*.json"))),
        "spec": _files_hash([p for p in [folder / "assessment.json"] if p.is_file()]),
    }


def settings_version(versions: dict[str, str], options: dict[str, Any] | None = None) -> str:
    """One string for the versions and the options that change a result."""
    blob = json.dumps({"versions": versions, "options": options or {}}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def analysis_options(settings: AlignSettings | None = None) -> dict[str, Any]:
    """The options of an analysis that change its result (part of its settings version):
    the same for the coach's tool and a batch, so each finds what the other stored."""
    return {"radius_s": (settings or AlignSettings()).radius_s}


def new_analysis_id() -> str:
    """Time order to the microsecond, and unique even for two writers in the same instant."""
    return f"{datetime.now().strftime('%Y%m%d-%H%M%S-%f')}-{uuid.uuid4().hex[:6]}"


class Recording(BaseModel):
    hash: str = Field(min_length=64, max_length=64)
    original_name: str
    kind: str = Field(description="video, keypoints or mocap")
    frames: int = Field(ge=0)
    fps: float = Field(gt=0)
    view: str | None = None

    @property
    def duration_s(self) -> float:
        return self.frames / self.fps

    @classmethod
    def of(cls, path: Path, pose: PoseSequence) -> Recording:
        """The recording ``path`` as ``pose`` read it (hashed here)."""
        return cls(hash=file_hash(path), original_name=path.name,
                   kind=source_kind(path, pose.dims), frames=pose.n_frames, fps=pose.fps,
                   view=pose.view)  # fmt: skip


class StoredAnalysis(BaseModel):
    """One analysis as history holds it."""

    id: str
    athlete: str
    session: str | None
    recording: str = Field(description="the recording's original name")
    recording_hash: str
    motion: str
    score: float | None = Field(description="None when nothing could be judged")
    problems: list[dict[str, Any]]
    keyframes: dict[str, int]
    versions: dict[str, str]
    created_at: datetime = Field(
        description="when it was made for this athlete (not when another athlete first had "
        "the same recording analysed)"
    )
    assessment: dict[str, Any]

    def problem_metric(self, problem: dict[str, Any]) -> MetricSummary | None:
        """A stored problem's key metric (``key_metric``) as this analysis measured it."""
        found = key_metric(problem)
        return self.metric(found["metric"]) if found else None

    def metric(self, metric_id: str) -> MetricSummary | None:
        """The metric as this analysis measured it: the median over its occurrences."""
        found = [m for o in self.assessment.get("occurrences", [])
                 for m in o.get("metrics", []) if m.get("id") == metric_id]  # fmt: skip
        if not found:
            return None
        values = sorted(float(m["measured"]) for m in found)
        mid = len(values) // 2
        median = values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
        first = found[0]
        low, high = first["band"]
        label = first.get("short") or name_of(self.motion, metric_id)[0]
        return MetricSummary(id=metric_id, label=label, unit=first["unit"],
                             keyframe=first["keyframe"], median=round(median, 1),
                             band=(low, high), occurrences=len(found))  # fmt: skip


def date_form(rows: list[StoredAnalysis], between: str = " ") -> str:
    """How analyses are dated where they are listed together: the day, and the time too
    (after ``between``) when two share a day."""
    days = [f"{r.created_at:%Y-%m-%d}" for r in rows]
    return f"%Y-%m-%d{between}%H:%M" if len(set(days)) < len(days) else "%Y-%m-%d"


def key_metric(problem: dict[str, Any]) -> dict[str, Any] | None:
    """A stored problem's key metric: its first (largest) piece of evidence."""
    evidence = problem.get("evidence") or []
    return evidence[0] if evidence else None


class MetricSummary(BaseModel):
    """One metric of one stored analysis, over its occurrences."""

    id: str
    label: str
    unit: str
    keyframe: str
    median: float
    band: tuple[float | None, float | None]
    occurrences: int

    @property
    def in_band(self) -> bool:
        low, high = self.band
        return (low is None or self.median >= low) and (high is None or self.median <= high)

    def words(self) -> str:
        """'Trunk lean at contact: 19° (median of 4; elite -8° to 9°)'."""
        over = f"median of {self.occurrences}; " if self.occurrences > 1 else ""
        band = band_words(*self.band, self.unit)
        return f"{self.label}: {quantity(self.median, self.unit)} ({over}elite {band})"


def _athlete_id(conn: psycopg.Connection, name: str) -> int:
    row = conn.execute(
        "INSERT INTO athletes (name) VALUES (%s) ON CONFLICT (name) DO UPDATE "
        "SET name = EXCLUDED.name RETURNING id", (name,),
    ).fetchone()  # fmt: skip
    assert row is not None
    return int(row[0])


def _session_id(conn: psycopg.Connection, athlete_id: int, label: str | None) -> int | None:
    if label is None:
        return None
    row = conn.execute(
        "INSERT INTO training_sessions (athlete_id, label) VALUES (%s, %s) ON CONFLICT "
        "(athlete_id, label) DO UPDATE SET label = EXCLUDED.label RETURNING id",
        (athlete_id, label),
    ).fetchone()  # fmt: skip
    assert row is not None
    return int(row[0])


def link_recording(conn: psycopg.Connection, recording: Recording | str, athlete: str,
                   session: str | None = None) -> None:  # fmt: skip
    """Store the recording (once) and link it to the athlete and session; a recording
    already stored may be named by its hash alone."""
    migrate(conn)
    with conn.transaction():
        _link(conn, recording, athlete, session)


def _link(conn: psycopg.Connection, recording: Recording | str, athlete: str,
          session: str | None) -> tuple[int, int | None]:  # fmt: skip
    athlete_id = _athlete_id(conn, athlete)
    session_id = _session_id(conn, athlete_id, session)
    if isinstance(recording, Recording):
        conn.execute(
            "INSERT INTO recordings (hash, original_name, kind, frames, fps, duration_s, view) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (hash) DO NOTHING",
            (recording.hash, recording.original_name, recording.kind, recording.frames,
             recording.fps, recording.duration_s, recording.view),
        )  # fmt: skip
    digest = recording.hash if isinstance(recording, Recording) else recording
    conn.execute(
        "INSERT INTO recording_links (recording_hash, athlete_id, session_id) "
        "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
        (digest, athlete_id, session_id),
    )  # fmt: skip
    return athlete_id, session_id


def _find(conn: psycopg.Connection, recording_hash: str, motion: str,
          version: str) -> str | None:  # fmt: skip
    """The id of the stored analysis of this recording, motion and settings version."""
    row = conn.execute(
        "SELECT id FROM analyses WHERE recording_hash = %s AND motion = %s "
        "AND settings_version = %s", (recording_hash, motion, version),
    ).fetchone()  # fmt: skip
    return str(row[0]) if row else None


class KnownAnalysis(BaseModel):
    """An analysis already stored for a recording with today's versions and options."""

    id: str
    motion: str
    score: float | None


def analysed(conn: psycopg.Connection, recording_hash: str, motion: str | None,
             options: dict[str, Any] | None = None) -> KnownAnalysis | None:  # fmt: skip
    """The stored analysis of this recording that analysing it again would return: of
    ``motion`` (of any motion with None, what ``auto`` would recognise), made with the
    current software, references, spec and these options."""
    migrate(conn)
    rows = conn.execute(
        "SELECT id, motion, score, settings_version FROM analyses WHERE recording_hash = %s "
        "AND (%s::text IS NULL OR motion = %s) ORDER BY created_at DESC",
        (recording_hash, motion, motion),
    ).fetchall()  # fmt: skip
    for analysis_id, found, score, version in rows:
        if version == settings_version(analysis_versions(found), options):
            return KnownAnalysis(id=analysis_id, motion=found, score=score)
    return None


def record_analysis(
    conn: psycopg.Connection, recording: Recording, assessment: Assessment, athlete: str,
    session: str | None = None, options: dict[str, Any] | None = None,
    analysis_id: str | None = None,
) -> tuple[str, bool]:  # fmt: skip
    """Write the analysis in one transaction: (its id, whether it is new). The same
    recording, motion and settings version again returns the stored id, linked to the
    athlete and session named now. ``analysis_id``: the id to give a new one."""
    migrate(conn)
    versions = analysis_versions(assessment.motion)
    version = settings_version(versions, options)
    best = min(assessment.occurrences, key=lambda o: o.cost, default=None)
    problems = [
        {"id": p.id, "label": p.label, "severity": p.severity, "probability": p.probability,
         "evidence": [e.model_dump() for e in p.evidence]}
        for p in assessment.problems
    ]  # fmt: skip
    new_id = analysis_id or new_analysis_id()
    with conn.transaction():
        athlete_id, session_id = _link(conn, recording, athlete, session)
        row = conn.execute(
            "INSERT INTO analyses (id, recording_hash, athlete_id, session_id, motion, "
            "settings_version, score, problems, keyframes, versions, assessment) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (recording_hash, motion, settings_version) DO NOTHING RETURNING id",
            (new_id, recording.hash, athlete_id, session_id, assessment.motion, version,
             assessment.score, json.dumps(problems),
             json.dumps(best.keyframes if best else {}), json.dumps(versions),
             assessment.model_dump_json()),
        ).fetchone()  # fmt: skip
        if row is not None:
            return str(row[0]), True
    found = _find(conn, recording.hash, assessment.motion, version)  # migrated above
    assert found is not None
    return found, False


def analyses_of(conn: psycopg.Connection, athlete: str | None = None,
                motion: str | None = None) -> list[StoredAnalysis]:  # fmt: skip
    """An athlete's analyses (every athlete's with None), oldest first: the analyses of
    every recording linked to them, so a recording analysed before, in another run or
    for another name, is in their history too (once per athlete, with the first session
    it was linked to them in). Each is dated by when it was made for that athlete: the
    later of the analysis and the recording's first link to them, never by when another
    athlete first had the same file analysed."""
    migrate(conn)
    rows = conn.execute(
        "SELECT a.id, t.name, s.label, r.original_name, a.recording_hash, a.motion, a.score, "
        "a.problems, a.keyframes, a.versions, GREATEST(a.created_at, l.linked_at) AS dated, "
        "a.assessment FROM analyses a "
        "JOIN LATERAL (SELECT DISTINCT ON (k.athlete_id) k.athlete_id, k.session_id, "
        "k.linked_at FROM recording_links k WHERE k.recording_hash = a.recording_hash "
        "ORDER BY k.athlete_id, k.linked_at) l ON true "
        "JOIN athletes t ON t.id = l.athlete_id JOIN recordings r ON r.hash = a.recording_hash "
        "LEFT JOIN training_sessions s ON s.id = l.session_id "
        "WHERE (%(athlete)s::text IS NULL OR t.name = %(athlete)s) "
        "AND (%(motion)s::text IS NULL OR a.motion = %(motion)s) "
        "ORDER BY dated, a.id, t.name",
        {"athlete": athlete, "motion": motion},
    ).fetchall()  # fmt: skip
    keys = ("id", "athlete", "session", "recording", "recording_hash", "motion", "score",
            "problems", "keyframes", "versions", "created_at", "assessment")  # fmt: skip
    return [StoredAnalysis.model_validate(dict(zip(keys, r, strict=True))) for r in rows]


def history_counts(conn: psycopg.Connection) -> dict[str, int]:
    """Rows per history table (what a resumed batch is checked by)."""
    migrate(conn)
    tables = ("athletes", "training_sessions", "recordings", "recording_links", "analyses")
    out = {}
    for table in tables:
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        (n,) = conn.execute(query).fetchone() or (0,)
        out[table] = int(n)
    return out
