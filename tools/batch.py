"""A folder of recordings analysed on Dask distributed: one task per recording.

``find_recordings`` lists what a folder holds (every input ``assess`` takes) and whose it
is; ``analyse_recording`` is the task a worker runs (read or pose-extract, then KISMAM)
and returns a typed result, never raises for a bad file; ``analyse_on_dask`` submits the
tasks to a local cluster bound to 127.0.0.1, or to an existing scheduler, and yields each
result as it completes. Scheduling, retries and a worker that dies are Dask's: a task that
raises is retried by Dask (``retries``) and a lost worker's tasks are rescheduled by its
scheduler. Storing the results is the history's (kb/batch.py).
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from ..settings import Settings, current_settings, settings_scope
from .errors import SportsGPTError
from .kismam import Assessment, assess_motion
from .motiondtw.align import AlignSettings
from .readers import MOTION_SUFFIXES, VIDEO_SUFFIXES, read_motion, source_kind

log = logging.getLogger(__name__)

ATHLETE_FROM_HELP = (
    "'folder': the first folder under DIR (files at its top: DIR's own name); 'filename': "
    "the name up to its first '_', '-', '.' or space; anything else: that one name for all"
)
MAX_ATHLETE_NAME = 80  # as the history keeps names (kb/history.athlete_name)
# settings a worker is not sent: it needs none of them, and they are secrets
_NOT_FOR_WORKERS = ("database_url", "llm_api_key")


class BatchItem(BaseModel):
    """One recording of the folder, and whose it is."""

    path: Path = Field(description="absolute: what a worker opens")
    name: str = Field(description="relative to the folder: what reports show")
    athlete: str = Field(min_length=1, max_length=MAX_ATHLETE_NAME)


class RecordingAnalysis(BaseModel):
    """What a worker sends back for one recording: the assessment, or the one-line error."""

    name: str
    kind: str | None = None
    frames: int | None = None
    fps: float | None = None
    view: str | None = None
    assessment: Assessment | None = None
    error: str | None = None
    worker_s: float = Field(default=0.0, description="seconds on the worker")


def athlete_of(relative: Path, folder: Path, athlete_from: str) -> str:
    """Whose recording ``relative`` (a path under ``folder``) is, by ``athlete_from``."""
    if athlete_from == "folder":
        return relative.parts[0] if len(relative.parts) > 1 else folder.resolve().name
    if athlete_from == "filename":
        return re.split(r"[_\-. ]", relative.name, maxsplit=1)[0] or relative.stem
    return athlete_from


def find_recordings(folder: Path, athlete_from: str = "folder") -> list[BatchItem]:
    """Every recording under ``folder`` (recursively, hidden files aside), by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SportsGPTError(f"{folder}: not a folder")
    items, ignored = [], 0
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        if path.suffix.lower() not in MOTION_SUFFIXES:
            ignored += 1
            continue
        athlete = " ".join(athlete_of(relative, folder, athlete_from).split())
        try:
            items.append(BatchItem(path=path.resolve(), name=relative.as_posix(),
                                   athlete=athlete))  # fmt: skip
        except ValidationError:
            raise SportsGPTError(f"{relative}: {athlete[:40]!r}... is no athlete's name (1 to "
                                 f"{MAX_ATHLETE_NAME} characters); rename the folder or "
                                 "give --athlete-from") from None  # fmt: skip
    log.info("%s: %d recording(s), %d other file(s) ignored", folder, len(items), ignored)
    return items


def worker_settings(settings: Settings | None = None) -> dict[str, Any]:
    """The settings a worker runs a task with (the driver's, secrets left out), so every
    worker analyses alike whatever its own environment holds."""
    return (settings or current_settings()).model_dump(exclude=set(_NOT_FOR_WORKERS))


def analyse_recording(path: str, name: str, motion: str, settings: dict[str, Any],
                      align: AlignSettings | None = None) -> RecordingAnalysis:  # fmt: skip
    """The Dask task: one recording read (a video through pose extraction first) and
    assessed. A file we cannot use is a result with its one-line error, not an exception,
    so Dask does not retry what cannot succeed."""
    started = time.perf_counter()
    source = Path(path)
    with settings_scope(Settings(**settings)):
        try:
            if source.suffix.lower() in VIDEO_SUFFIXES:
                from .pose import extract_pose  # the pose models: only for a video

                pose = extract_pose(source, progress=False).pose
            else:
                pose = read_motion(source)
            assessment = assess_motion(pose, motion, align)
        except SportsGPTError as exc:
            return RecordingAnalysis(name=name, error=str(exc),
                                     worker_s=time.perf_counter() - started)  # fmt: skip
    return RecordingAnalysis(name=name, kind=source_kind(source, pose.dims),
                             frames=pose.n_frames, fps=pose.fps, view=pose.view,
                             assessment=assessment,
                             worker_s=round(time.perf_counter() - started, 3))  # fmt: skip


@contextmanager
def dask_client(address: str | None = None, workers: int = 2) -> Iterator[Any]:
    """A client of the scheduler at ``address``, or of a local cluster of ``workers``
    single-threaded worker processes that listens on 127.0.0.1 only (no dashboard)."""
    from distributed import Client, LocalCluster

    if not log.isEnabledFor(logging.DEBUG):  # Dask's own INFO lines are for its debugging
        logging.getLogger("distributed").setLevel(logging.WARNING)
    if address:
        try:
            client = Client(address, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise SportsGPTError(f"no Dask scheduler at {address}: {exc}") from None
        try:
            client.wait_for_workers(1, timeout=60)
        except TimeoutError:
            client.close()
            raise SportsGPTError(f"the Dask scheduler at {address} has no worker") from None
        try:
            yield client
        finally:
            client.close()
        return
    import dask

    # Dask's default worker environment pins numerical libraries to one thread and sets
    # MALLOC_TRIM_THRESHOLD_, which also fixes glibc's mmap threshold: each decoded frame
    # (5 MB at 1768x994) is then mapped and unmapped afresh, in system time. A pose
    # model's inference uses more than one thread when the cores are free, so each worker
    # gets its share of the machine instead (docs/scaling.md: 0.73x -> 0.82x the bare
    # landmarker with one worker)
    share = str(max(1, (os.cpu_count() or 1) // workers))
    environ = {k: share for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None,
                               silence_logs=logging.ERROR)  # fmt: skip
    try:
        with Client(cluster) as client:
            yield client
    finally:
        cluster.close()


def analyse_on_dask(
    client: Any, items: list[BatchItem], motion: str, settings: dict[str, Any],
    retries: int = 1,
) -> Iterator[tuple[BatchItem, RecordingAnalysis]]:  # fmt: skip
    """Submit one task per item and yield each (item, result) as it completes; a task
    that still raises after Dask's retries is a failed result with its error."""
    from distributed import as_completed

    futures = {
        client.submit(analyse_recording, str(item.path), item.name, motion, settings,
                      key=f"analyse-{i}-{item.path.name}", retries=retries,
                      pure=False): item
        for i, item in enumerate(items)
    }  # fmt: skip
    for future in as_completed(futures):
        item = futures[future]
        try:
            result = future.result()
        except Exception as exc:  # the task's own error, re-raised by Dask after retries
            text = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
            result = RecordingAnalysis(name=item.name, error=f"{item.name}: the task failed "
                                       f"({text})")  # fmt: skip
        yield item, result
