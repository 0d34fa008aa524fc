"""Clips per minute and frames per second of a batch on Dask, beside the bare landmarker.

    .venv/bin/python benchmarks/batch_throughput.py [--clips 4]

The model is the batch's default (MediaPipe full). The clips are copies of the Sports2D
demo (1768x994, 230 frames, 30 fps), each made unique by a trailing byte.
In the same run, one after the other:

- **bare landmarker**: MediaPipe's PoseLandmarker alone (``detect_for_video``) on frames
  decoded and converted beforehand, one clip after another: inference only, the peer;
- **pipeline, in process**: ``extract_pose`` per clip (decoding on a thread, overlapped with
  inference, then tracking and athlete selection), no Dask;
- **Dask, 1 worker** and **Dask, 2 workers**: the batch's own task (``analyse_recording``:
  pose extraction, kinematics, MotionDTW, KISMAM) on a local cluster of single-threaded
  worker processes bound to 127.0.0.1, timed from submission to the last result (the
  cluster is started and every worker has imported the pose stack before the timing).

Each row is the median of ``--repeat`` interleaved runs. Prints a Markdown table:
clips/min, frames/s, the ratio to the bare landmarker, and for 2
workers the speed-up over 1 and per core (speed-up / cores used).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pose_speed import bare_fps, decoded_bgr

from sportsgpt.settings import current_settings
from sportsgpt.tools.batch import (
    BatchItem,
    analyse_on_dask,
    dask_client,
    worker_settings,
)
from sportsgpt.tools.pose import PoseSettings, extract_pose
from sportsgpt.tools.pose.models import resolve_mediapipe_model
from sportsgpt.tools.shared_data import shared_dir


def _warm() -> int:
    """Import the pose stack on a worker (once per worker process, before the timing)."""
    import sportsgpt.tools.pose  # noqa: F401

    return os.getpid()


def on_dask(clips: list[Path], workers: int, motion: str) -> tuple[float, int]:
    """Seconds from submission to the last result, and the frames analysed."""
    items = [BatchItem(path=c, name=c.name, athlete="bench") for c in clips]
    settings = worker_settings(current_settings())
    with dask_client(None, workers) as client:
        client.wait_for_workers(workers)
        pids = {client.submit(_warm, pure=False, key=f"warm-{i}").result() for i in range(8)}
        while len(pids) < workers:  # until every worker has warmed up
            pids |= set(client.run(_warm).values())
        started = time.perf_counter()
        results = [r for _, r in analyse_on_dask(client, items, motion, settings)]
        elapsed = time.perf_counter() - started
    failed = [r.error for r in results if r.error]
    if failed:
        raise SystemExit(f"a clip failed: {failed[0]}")
    return elapsed, sum(r.frames or 0 for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=4, help="clips per measurement (4)")
    parser.add_argument("--motion", default="walking_gait", help="what the clips show")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; medians (3)")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    demo = shared_dir() / "media" / "sports2d_demo.mp4"
    model_name = PoseSettings().model or "full"  # what a batch runs
    model = resolve_mediapipe_model(model_name)
    with tempfile.TemporaryDirectory() as tmp:
        clips = []
        for i in range(args.clips):
            clip = Path(tmp) / f"clip_{i}.mp4"
            shutil.copyfile(demo, clip)
            with clip.open("ab") as f:
                f.write(b"\0" * (i + 1))
            clips.append(clip)
        frames, stamps = decoded_bgr(demo, None)
        total = len(frames) * args.clips
        runs: dict[str, list[tuple[float, int]]] = {}
        for _ in range(args.repeat):  # interleaved, so drifts hit every row alike
            fps = bare_fps(model, frames, stamps)  # per clip, inference only
            runs.setdefault("bare landmarker (inference only)", []).append((total / fps, total))
            started = time.perf_counter()
            n = sum(extract_pose(c, PoseSettings(), progress=False).report.frames for c in clips)
            runs.setdefault("pipeline, in process (no Dask)", []).append(
                (time.perf_counter() - started, n)
            )
            for workers in (1, 2):
                name = f"Dask, {workers} worker{'s' * (workers > 1)} (whole analysis)"
                runs.setdefault(name, []).append(on_dask(clips, workers, args.motion))
    rows = [(name, float(np.median([t for t, _ in got])), got[0][1]) for name, got in runs.items()]
    bare = rows[0][2] / rows[0][1]
    one = rows[2][2] / rows[2][1]
    print(f"{args.clips} clips of 1768x994 x {len(frames)} frames, model {model_name}, "
          f"{cores} cores, medians of {args.repeat} runs\n")  # fmt: skip
    print("| run | seconds | clips/min | frames/s | vs bare landmarker | vs 1 worker |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, seconds, n in rows:
        rate = n / seconds
        over_one = f"{rate / one:.2f}" if name.startswith("Dask") else ""
        print(f"| {name} | {seconds:.1f} | {args.clips / seconds * 60:.1f} | {rate:.1f} | "
              f"{rate / bare:.2f} | {over_one} |")  # fmt: skip
    two = rows[3][2] / rows[3][1]
    used = min(2, cores)
    print(f"\nscaling 1 -> 2 workers: {two / one:.2f}x on {used} cores "
          f"({two / one / used:.2f} per core); per clip on 1 worker: "
          f"{rows[2][1] / args.clips:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
