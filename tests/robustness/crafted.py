"""Small crafted motion files that once took the process down (issue 17), made on the fly:
each is a few hundred kilobytes at most and claims, or expands to, far more."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

POSE_META = {"format": "sportsgpt.pose", "version": 1, "joints": ["left_hip", "right_hip"],
             "fps": 30.0, "units": "m", "skeleton": "x", "source": "x", "view": None,
             "image_size": None}  # fmt: skip


def _npy_header(shape: tuple[int, ...]) -> bytes:
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        out, {"descr": "<f8", "fortran_order": False, "shape": shape}
    )
    return out.getvalue()


def _npy(value: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.save(out, value)
    return out.getvalue()


def npz_bomb(path: Path) -> None:
    """Compressed members that expand to 20 M frames (about 1.2 GB of zeros)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, shape in (("positions", (20_000_000, 2, 3)), ("confidence", (20_000_000, 2))):
            with z.open(f"{name}.npy", "w", force_zip64=True) as member:
                member.write(_npy_header(shape))
                left, block = int(np.prod(shape)) * 8, b"\0" * (1 << 20)
                while left > 0:
                    member.write(block[: min(left, len(block))])
                    left -= len(block)
        z.writestr("meta.npy", _npy(np.array(json.dumps(POSE_META))))


def npz_claim(path: Path) -> None:
    """Array headers claiming 3 * 10^11 values, with no data behind them."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("positions.npy", _npy_header((100_000_000_000, 1, 3)))
        z.writestr("confidence.npy", _npy_header((100_000_000_000, 1)))
        z.writestr("meta.npy", _npy(np.array(json.dumps(POSE_META))))


def bvh_joints(path: Path) -> None:
    """3,000 joints without channels and 3,000 frames (forward kinematics: joints x frames)."""
    lines = ["HIERARCHY", "ROOT Hips", "{", "OFFSET 0 0 0",
             "CHANNELS 3 Xposition Yposition Zposition"]  # fmt: skip
    for i in range(3000):
        lines += [f"JOINT j{i}", "{", "OFFSET 0 1 0", "End Site", "{", "OFFSET 0 1 0", "}", "}"]
    lines += ["}", "MOTION", "Frames: 3000", "Frame Time: 0.01", *(["0 0 0"] * 3000)]
    path.write_text("\n".join(lines))


def trc_markers(path: Path) -> None:
    """A header declaring 10,000 markers, then one cell per row."""
    names = "\t\t\t".join(f"M{i}" for i in range(10000))
    axes = "\t".join(f"X{i}\tY{i}\tZ{i}" for i in range(10000))
    head = ["PathFileType\t4\t(X/Y/Z)\tx.trc",
            "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\t"
            "OrigDataStartFrame\tOrigNumFrames", "100\t100\t5000\t10000\tmm\t100\t1\t5000",
            f"Frame#\tTime\t{names}", f"\t\t{axes}", ""]  # fmt: skip
    path.write_text("\n".join(head) + "\n".join("1" for _ in range(5000)))


def csv_fps(path: Path) -> None:
    """A wide CSV whose '# fps:' line says 100,000,000."""
    joints = ["left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
              "left_shoulder", "right_shoulder"]  # fmt: skip
    header = ",".join(["time"] + [f"{j}_{a}" for j in joints for a in "xy"])
    rng = np.random.default_rng(0)
    rows = [",".join([f"{i * 1e-8:.10f}"] + [f"{v:.3f}" for v in rng.normal(size=16) + 500])
            for i in range(1000)]  # fmt: skip
    path.write_text("\n".join(["# fps: 100000000", header, *rows]))


def json_deep(path: Path) -> None:
    """JSON nested 200,000 deep."""
    path.write_text("[" * 200_000 + "]" * 200_000)


def csv_wide_rows(path: Path) -> None:
    """20 MB of rows far wider than the header."""
    line = ",".join(["1.0"] * 200) + "\n"
    with path.open("w") as out:
        out.write("time,left_hip_x,left_hip_y\n")
        while out.tell() < 20_000_000:
            out.write(line)


def video_lying_header(path: Path) -> None:
    """A 20 s video whose header declares 10 frames (0.4 s): the length is found by
    decoding (the limit is set to 5 s for this case, ``CRAFTED_ENV``)."""
    import cv2

    out = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 25, (64, 48))
    for i in range(500):
        out.write(np.full((48, 64, 3), (i * 3) % 255, np.uint8))
    out.release()
    data = bytearray(path.read_bytes())
    for tag, offset in ((b"avih", 16), (b"strh", 32)):  # dwTotalFrames, dwLength
        at = data.find(tag) + 8 + offset
        data[at : at + 4] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))


CRAFTED_ENV: dict[str, dict[str, str]] = {"video_header": {"SPORTSGPT_INPUT_MAX_VIDEO_S": "5"}}
"""Settings a case runs under (the defaults otherwise)."""

CRAFTED: dict[str, tuple[str, Callable[[Path], None]]] = {
    "npz_bomb": ("bomb.npz", npz_bomb),
    "npz_claim": ("claim.npz", npz_claim),
    "bvh_joints": ("joints.bvh", bvh_joints),
    "trc_markers": ("markers.trc", trc_markers),
    "csv_fps": ("fps.csv", csv_fps),
    "json_deep": ("deep.json", json_deep),
    "csv_wide_rows": ("wide.csv", csv_wide_rows),
    "video_header": ("lying.avi", video_lying_header),
}
