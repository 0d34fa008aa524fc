"""Pose extraction: a video in, the athlete's 2D skeleton (a PoseSequence) out.

``extract_pose`` streams the video, runs a backend (MediaPipe PoseLandmarker by default,
rtmlib when its ONNX files are on disk), tracks everyone and keeps the athlete.
"""

from .extract import PoseExtraction, PoseReport, PoseSettings, create_backend, extract_pose
from .tracking import AthleteChoiceError, AthleteHint, MotionCheck, PersonFound, TrackerSettings
from .video import FrameWindow, VideoInfo, probe_video

__all__ = [
    "AthleteChoiceError",
    "AthleteHint",
    "FrameWindow",
    "MotionCheck",
    "PersonFound",
    "PoseExtraction",
    "PoseReport",
    "PoseSettings",
    "TrackerSettings",
    "VideoInfo",
    "create_backend",
    "extract_pose",
    "probe_video",
]
