"""Frames per second of the whole pose pipeline vs the bare MediaPipe PoseLandmarker.

    .venv/bin/python benchmarks/pose_speed.py [--models lite full heavy] [--max-frames N]

For each model and clip (the Sports2D demo at 1768x994, and a 640x480 clip cut from it),
the *bare* landmarker runs on frames decoded beforehand (inference only), then the
whole pipeline (decode on a thread + inference + tracking + athlete selection) runs on
the file, both in this process, one after the other. Prints a table with the ratio and
the detection rate (frames with the athlete / all frames).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from sportsgpt.tools.pose import FrameWindow, PoseSettings, extract_pose
from sportsgpt.tools.pose.mediapipe_backend import MediaPipeBackend
from sportsgpt.tools.pose.models import resolve_mediapipe_model
from sportsgpt.tools.pose.video import probe_video
from sportsgpt.tools.shared_data import shared_dir


def make_640x480(source: Path, target: Path) -> Path:
    """Centre 4:3 crop of ``source`` scaled to 640x480, MPEG-4 encoded."""
    cap = cv2.VideoCapture(str(source))
    fps = cap.get(cv2.CAP_PROP_FPS)
    writer = cv2.VideoWriter(str(target), cv2.VideoWriter.fourcc(*"mp4v"), fps, (640, 480))
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        h, w = frame.shape[:2]
        cw = int(h * 4 / 3)
        x0 = (w - cw) // 2
        writer.write(cv2.resize(frame[:, x0 : x0 + cw], (640, 480), interpolation=cv2.INTER_AREA))
    cap.release()
    writer.release()
    return target


def decoded_bgr(video: Path, max_frames: int | None) -> tuple[list[np.ndarray], list[int]]:
    cap = cv2.VideoCapture(str(video))
    frames, stamps = [], []
    while max_frames is None or len(frames) < max_frames:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
        stamps.append(round(cap.get(cv2.CAP_PROP_POS_MSEC)))
    cap.release()
    return frames, stamps


def bare_fps(model: Path, frames: list[np.ndarray], stamps: list[int]) -> float:
    """PoseLandmarker.detect_for_video alone, on mp.Images built before the timing."""
    backend = MediaPipeBackend(model, num_poses=2)
    try:
        images = [backend.prepare(f) for f in frames]
        backend.detect(images[0], 0)  # warm-up outside the timing
        started = time.perf_counter()
        for i, (image, ms) in enumerate(zip(images, stamps, strict=True)):
            backend.detect(image, max(ms, i) + 1)
        return len(frames) / (time.perf_counter() - started)
    finally:
        backend.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["lite", "full", "heavy"])
    parser.add_argument("--max-frames", type=int, help="limit frames per clip")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; medians shown (3)")
    args = parser.parse_args()
    demo = shared_dir() / "media" / "sports2d_demo.mp4"
    with tempfile.TemporaryDirectory() as tmp:
        small = make_640x480(demo, Path(tmp) / "demo_640x480.mp4")
        print("| clip | model | frames | bare landmarker fps | pipeline fps | ratio | "
              "detection rate | people tracked |")  # fmt: skip
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for clip in (demo, small):
            info = probe_video(clip)
            frames, stamps = decoded_bgr(clip, args.max_frames)
            end = None if args.max_frames is None else (len(frames) - 0.5) / info.fps
            for name in args.models:
                model = resolve_mediapipe_model(name)
                settings = PoseSettings(model=name, window=FrameWindow(end_s=end, max_side=1920))
                bare_runs, pipeline_runs = [], []
                for _ in range(args.repeat):  # interleaved, so drifts hit both alike
                    bare_runs.append(bare_fps(model, frames, stamps))
                    result = extract_pose(clip, settings, progress=False)
                    pipeline_runs.append(result.report.processing_fps)
                bare, pipeline = float(np.median(bare_runs)), float(np.median(pipeline_runs))
                report = result.report
                print(
                    f"| {info.width}x{info.height} | {name} | {report.frames} | {bare:.1f} | "
                    f"{pipeline:.1f} | {pipeline / bare:.2f} | "
                    f"{report.detection_rate:.2f} ({report.frames_with_athlete}/{report.frames})"
                    f" | {len(report.selection.tracks)} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
