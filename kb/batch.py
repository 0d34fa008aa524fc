"""A squad's folder of recordings into the athletes' history: what to skip (already
analysed, by content hash), the Dask run (tools/batch.py), and each result written in its
own transaction as it arrives, so a run that is killed keeps everything finished before
it and the next run resumes where it stopped."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Literal

import psycopg
from pydantic import BaseModel, Field
from tqdm import tqdm

from ..settings import mask_secrets
from ..tools.batch import (
    BatchItem,
    RecordingAnalysis,
    analyse_on_dask,
    dask_client,
    find_recordings,
    worker_settings,
)
from ..tools.data_files import first_error_line
from ..tools.errors import KnowledgeBaseError
from ..tools.kismam import AUTO
from ..tools.kismam.wording import score_words
from . import KnowledgeBase
from .history import (
    Recording,
    analysed,
    analysis_options,
    file_hash,
    link_recording,
    record_analysis,
)

log = logging.getLogger(__name__)

Status = Literal["analysed", "skipped", "failed"]


class BatchRequest(BaseModel):
    folder: Path
    athlete_from: str = Field(default="folder", min_length=1,
                              description="folder, filename, or one athlete's name")  # fmt: skip
    motion: str = AUTO
    address: str | None = Field(default=None, description="tcp://HOST:PORT of a scheduler")
    workers: int = Field(default=2, ge=1, le=256, description="local cluster only")
    session: str | None = Field(default=None, description="training session label (today)")


class BatchRow(BaseModel):
    """One recording's line of a batch report (``--json`` prints a list of them)."""

    recording: str
    athlete: str
    motion: str | None
    status: Status
    score: float | None = None
    analysis_id: str | None = None
    error: str | None = None


def _row(item: BatchItem, status: Status, **fields: object) -> BatchRow:
    return BatchRow.model_validate({"recording": item.name, "athlete": item.athlete,
                                    "motion": None, "status": status, **fields})  # fmt: skip


def run_batch(kb: KnowledgeBase, request: BatchRequest, progress: bool = True) -> list[BatchRow]:
    """Analyse every recording of the folder not yet in the history, link every one to
    its athlete and the session, and return one row per recording (folder order)."""
    session = request.session or date.today().isoformat()
    motion = None if request.motion == AUTO else request.motion
    options = analysis_options()
    items = find_recordings(request.folder, request.athlete_from)
    rows: dict[str, BatchRow] = {}
    todo: dict[str, list[BatchItem]] = {}  # by content hash: a copy is analysed once
    with kb.connection() as conn:
        for item in items:
            try:
                digest = file_hash(item.path)
            except OSError as exc:
                rows[item.name] = _row(item, "failed", error=f"{item.name}: {exc.strerror}")
                continue
            if digest in todo:
                todo[digest].append(item)
                continue
            known = analysed(conn, digest, motion, options)
            if known is None:
                todo[digest] = [item]
                continue
            link_recording(conn, digest, item.athlete, session)
            rows[item.name] = _row(item, "skipped", motion=known.motion, score=known.score,
                                   analysis_id=known.id)  # fmt: skip
        skipped = len(rows)
        log.info("%d recording(s): %d already analysed or unreadable, %d to analyse",
                 len(items), skipped, sum(map(len, todo.values())))  # fmt: skip
        if todo:
            firsts = [group[0] for group in todo.values()]
            hashes = {group[0].name: digest for digest, group in todo.items()}
            bar = tqdm(total=len(firsts), desc="batch", unit="recording", disable=not progress)
            with bar, dask_client(request.address, request.workers) as client:
                stream = analyse_on_dask(client, firsts, request.motion, worker_settings())
                for item, result in stream:
                    digest = hashes[item.name]
                    for n, same in enumerate(todo[digest]):
                        rows[same.name] = _store(conn, same, digest, result, session, options,
                                                 n > 0)  # fmt: skip
                    bar.update(1)
    return [rows[item.name] for item in items if item.name in rows]


def _store(conn: psycopg.Connection, item: BatchItem, digest: str, result: RecordingAnalysis,
           session: str, options: dict[str, object], copy: bool) -> BatchRow:  # fmt: skip
    """One result into the history, in its own transaction (record_analysis)."""
    if result.assessment is None:
        log.warning("%s: failed: %s", item.name, result.error)
        return _row(item, "failed", error=result.error or "no result")
    assert result.frames is not None and result.fps is not None and result.kind is not None
    recording = Recording(hash=digest, original_name=item.path.name, kind=result.kind,
                          frames=result.frames, fps=result.fps, view=result.view)  # fmt: skip
    try:
        analysis_id, new = record_analysis(conn, recording, result.assessment, item.athlete,
                                           session, options)  # fmt: skip
    except psycopg.Error as exc:  # a server gone mid-batch: one line, the rest kept
        problem = mask_secrets(first_error_line(exc))
        raise KnowledgeBaseError(f"the batch stopped at {item.name}: the database failed "
                                 f"({problem}); what finished is kept, run it again to "
                                 "resume") from None  # fmt: skip
    a = result.assessment
    log.info("%s: %s, %s (%s, %.1f s on a worker)", item.name, a.motion,
             score_words(a.score),
             "new" if new else "already stored", result.worker_s)  # fmt: skip
    status: Status = "analysed" if new and not copy else "skipped"
    return _row(item, status, motion=a.motion, score=a.score, analysis_id=analysis_id)
