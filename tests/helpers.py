"""Small builders shared by tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import psycopg

from sportsgpt.kb import KnowledgeBase
from sportsgpt.kb.database import embedded_uri
from sportsgpt.tools.pose_sequence import PoseSequence


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(command: list[str], cwd: Path, env: dict[str, str], port: int,
            log: Path) -> Iterator[str]:  # fmt: skip
    """``command`` running (its output in ``log``) until its page answers at
    127.0.0.1:port, then the page's HTML; the process group is stopped afterwards."""
    import pytest

    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"{' '.join(command)} exited with {proc.returncode}: "
                            f"{log.read_text()[-2000:]}")  # fmt: skip
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                    html = str(page.read().decode())
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"{' '.join(command)} did not serve / within 120 s: "
                                f"{log.read_text()[-2000:]}")  # fmt: skip
                time.sleep(0.5)
        yield html
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)


def make_pose(
    t: int = 20,
    joints: tuple[str, ...] = ("left_hip", "left_knee"),
    dims: int = 2,
    units: str = "px",
    seed: int = 0,
    **meta: object,
) -> PoseSequence:
    rng = np.random.default_rng(seed)
    pos = rng.normal(100, 20, size=(t, len(joints), dims))
    conf = rng.uniform(0.5, 1.0, size=(t, len(joints)))
    return PoseSequence(
        joints=joints,
        positions=pos,
        confidence=conf,
        fps=30.0,
        units=units,
        skeleton="test",
        source="synthetic",
        **meta,
    )


def write_video(
    path: Path,
    n_frames: int = 30,
    fps: float = 25.0,
    size: tuple[int, int] = (160, 120),
    codec: str = "MJPG",
) -> Path:
    """A small real video file whose frame i is a flat grey of brightness 5 * i."""
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*codec), fps, size)
    assert writer.isOpened(), f"cannot write {path}"
    for i in range(n_frames):
        writer.write(np.full((size[1], size[0], 3), (5 * i) % 256, np.uint8))
    writer.release()
    return path


def tiny_rtmo_onnx(path: Path, people: list[tuple[float, float, float]]) -> Path:
    """An RTMO-shaped ONNX model (input 1x3x640x640 -> dets 1xNx5, keypoints 1xNx17x3)
    whose outputs are fixed people: (x, y, score) puts a 17-keypoint body around x, y
    (model-input pixels) with every keypoint at that score."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    dets, kpts = [], []
    for x, y, score in people:
        offsets = np.stack([np.linspace(-20, 20, 17), np.linspace(-60, 60, 17)], axis=1)
        kp = np.concatenate([offsets + np.array([x, y]), np.full((17, 1), score)], axis=1)
        kpts.append(kp)
        dets.append([x - 25, y - 65, x + 25, y + 65, score])
    dets_arr = np.asarray([dets], dtype=np.float32)
    kpts_arr = np.asarray([kpts], dtype=np.float32)
    nodes = [
        helper.make_node("ReduceMean", ["input"], ["mean"], keepdims=0),
        helper.make_node("Mul", ["mean", "zero"], ["nil"]),
        helper.make_node("Add", ["dets_const", "nil"], ["dets"]),
        helper.make_node("Add", ["kpts_const", "nil"], ["keypoints"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny_rtmo",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 640, 640])],
        [
            helper.make_tensor_value_info("dets", TensorProto.FLOAT, list(dets_arr.shape)),
            helper.make_tensor_value_info("keypoints", TensorProto.FLOAT, list(kpts_arr.shape)),
        ],
        initializer=[
            numpy_helper.from_array(np.array(0.0, dtype=np.float32), "zero"),
            numpy_helper.from_array(dets_arr, "dets_const"),
            numpy_helper.from_array(kpts_arr, "kpts_const"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def set_mp4_rotation_90(source: Path, target: Path) -> Path:
    """Copy an MP4 with its track header's display matrix set to a 90-degree rotation,
    the way phones store portrait video."""
    import struct

    data = bytearray(source.read_bytes())
    at = data.find(b"tkhd")
    assert at > 0, "no track header"
    version = data[at + 4]
    times = 8 + 8 + 4 + 4 + 8 if version == 1 else 4 + 4 + 4 + 4 + 4
    matrix = at + 4 + 4 + times + 8 + 2 + 2 + 2 + 2
    rotation = (0, 0x00010000, 0, (-0x00010000) & 0xFFFFFFFF, 0, 0, 0, 0, 0x40000000)
    data[matrix : matrix + 36] = struct.pack(">9I", *rotation)
    target.write_bytes(bytes(data))
    return target


def other_database(kb: KnowledgeBase, name: str) -> str:
    """A fresh, empty database on the same embedded server (an 'external' server)."""
    uri = embedded_uri(kb.settings.data_dir)
    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return uri.replace("/postgres?", f"/{name}?")


class ScriptedChatModel:
    """A chat model that answers from a script (AIMessages), with ``bind_tools``: enough of
    the LangChain interface for the coach's graph, with no HTTP at all."""

    def __init__(self, script: list[object]) -> None:
        self.script = list(script)
        self.seen: list[list[object]] = []
        self.tools: list[dict[str, object]] = []

    def bind_tools(self, tools: list[dict[str, object]]) -> ScriptedChatModel:
        self.tools = tools
        return self

    def invoke(self, messages: list[object], **options: object) -> object:
        from langchain_core.messages import AIMessage

        self.seen.append(list(messages))
        return self.script.pop(0) if self.script else AIMessage(content="DONE")

    def stream(self, messages: list[object], **options: object) -> list[object]:
        return [self.invoke(messages)]


def side_by_side(left: Path, right: Path, out: Path, right_filter: str = "null") -> Path:
    """Two real clips next to each other (``right_filter`` first fits the right one to
    540 px high): 4.5 s at 30 fps, made with the ffmpeg the project ships with."""
    from sportsgpt.tools.render.video import ffmpeg_exe

    graph = (f"[0:v]fps=30,setpts=PTS-STARTPTS[a];[1:v]fps=30,{right_filter},"
             "setpts=PTS-STARTPTS[b];[a][b]hstack=inputs=2,format=yuv420p")  # fmt: skip
    subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-y", "-i", str(left), "-i", str(right),
                    "-filter_complex", graph, "-t", "4.5", "-c:v", "libx264", "-preset",
                    "veryfast", str(out)], check=True, timeout=120)  # fmt: skip
    return out


def two_walkers(shared: Path, folder: Path) -> Path:
    """A real walker beside their mirror image (960x540 each): two people doing the same
    thing for as long, in opposite directions."""
    walk = shared / "data" / "video" / "walking_slouch_side.mp4"
    return side_by_side(walk, walk, folder / "two_walks.mp4", "hflip")
