"""A property-based fuzzer over every motion reader (hypothesis): real files of each format,
cut down, then mutated (bytes flipped, cut, repeated, numbers swapped for huge, negative or
not-a-number ones) or replaced by random bytes. The property: ``read_motion`` either reads
the file or refuses it with one ``SportsGPTError`` line naming it; nothing else escapes, and
no example takes more than ``PER_FILE_S``.

Run one format per process under memory and CPU caps (tests/robustness/test_fuzz_readers.py
does): ``python tests/robustness/fuzz_readers.py FORMAT EXAMPLES``; it prints a JSON summary.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PER_FILE_S = 20.0
NUMBERS = [b"1e308", b"-1", b"0", b"nan", b"inf", b"99999999999", b"-1e-320", b"1.5", b""]


def _lines(path: Path, n: int) -> bytes:
    with path.open("rb") as f:
        return b"".join(line for _, line in zip(range(n), f, strict=False))


def _pose_file(suffix: str) -> bytes:
    from sportsgpt.tools.pose_io import save_json, save_npz
    from sportsgpt.tools.readers import read_motion

    seq = read_motion(REPO / "samples" / "standing_long_jump_side.csv")
    seq = seq.select_frames(0, 15)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"seed{suffix}"
        (save_npz if suffix == ".npz" else save_json)(seq, out)
        return out.read_bytes()


def _bvh(shared: Path) -> bytes:
    text = (shared / "data" / "tennis" / "adorozco_Servicio.bvh").read_text()
    head, motion = text.split("MOTION", 1)
    lines = motion.strip().splitlines()
    frame_time = next(ln for ln in lines if ln.startswith("Frame Time"))
    rows = [ln for ln in lines if ln and ln[0] in "-0123456789"][:20]
    return "\n".join([head + "MOTION", "Frames: 20", frame_time, *rows, ""]).encode()


def _coco(shared: Path) -> bytes:
    doc = json.loads((shared / "data" / "skijump" / "jump11.coco.json").read_text())
    images = doc["images"][:10]
    keep = {i["id"] for i in images}
    doc["images"] = images
    doc["annotations"] = [a for a in doc["annotations"] if a["image_id"] in keep]
    return json.dumps(doc).encode()


def _deepmimic(shared: Path) -> bytes:
    doc = json.loads((shared / "data" / "deepmimic" / "motions" / "humanoid3d_jog.txt").read_text())
    doc["Frames"] = doc["Frames"][:8]
    return json.dumps(doc).encode()


SEEDS: dict[str, tuple[str, Callable[[Path], bytes]]] = {
    "csv": (".csv", lambda s: _lines(REPO / "samples" / "standing_long_jump_side.csv", 25)),
    "pose_json": (".json", lambda s: _pose_file(".json")),
    "npz": (".npz", lambda s: _pose_file(".npz")),
    "coco": (".json", _coco),
    "deepmimic": (".txt", _deepmimic),
    "bvh": (".bvh", _bvh),
    "trc": (".trc", lambda s: _lines(s / "data" / "lab" / "opencap" / "walking2.trc", 30)),
    "mot_ik": (".mot", lambda s: _lines(s / "data" / "lab" / "opencap" / "DJ1_ik.mot", 30)),
    "mot_grf": (".mot", lambda s: _lines(s / "data" / "lab" / "opencap" / "DJ1_grf.mot", 40)),
    "c3d": (
        ".c3d",
        lambda s: (s / "data" / "lab" / "kineticstoolkit" / "tennis_serve.c3d").read_bytes(),
    ),
}


def mutated(seed: bytes):  # type: ignore[no-untyped-def]
    from hypothesis import strategies as st

    @st.composite
    def draw_one(draw):  # type: ignore[no-untyped-def]
        if draw(st.integers(0, 9)) == 0:  # now and then: noise of the right name
            return draw(st.binary(max_size=4096))
        data = bytearray(seed)
        for _ in range(draw(st.integers(1, 6))):
            op = draw(st.sampled_from(["flip", "cut", "repeat", "number", "insert"]))
            at = draw(st.integers(0, max(len(data) - 1, 0)))
            if op == "flip" and data:
                data[at] ^= 1 << draw(st.integers(0, 7))
            elif op == "cut":
                del data[at : at + draw(st.integers(1, max(len(data) // 2, 1)))]
            elif op == "repeat":
                piece = data[at : at + draw(st.integers(1, 256))]
                data[at:at] = piece * draw(st.integers(1, 50))
            elif op == "number":
                found = list(re.finditer(rb"-?\d+(\.\d+)?(e-?\d+)?", bytes(data)))
                if found:
                    m = found[draw(st.integers(0, len(found) - 1))]
                    data[m.start() : m.end()] = draw(st.sampled_from(NUMBERS))
            else:
                data[at:at] = draw(st.binary(min_size=1, max_size=64))
        return bytes(data)

    return draw_one()


def _read(path: Path) -> object:
    """What a user's command does with the file: ``read_motion``; for OpenSim tables the
    table and what is made of it (IK angles, or the plates' contacts)."""
    from sportsgpt.tools.readers import read_motion
    from sportsgpt.tools.readers.mot import ik_angles, plate_contacts, read_mot

    if path.suffix == ".mot":
        table = read_mot(path)
        return ik_angles(table), plate_contacts(table)
    return read_motion(path)


def fuzz(name: str, examples: int) -> dict[str, object]:
    from hypothesis import HealthCheck, given, settings

    from sportsgpt.tools.errors import SportsGPTError
    from sportsgpt.tools.shared_data import shared_dir

    suffix, make = SEEDS[name]
    seed = make(shared_dir())
    tally = {"read": 0, "refused": 0}
    slowest = [0.0]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzzed{suffix}"

        @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(mutated(seed))
        def reads_or_refuses(data: bytes) -> None:
            path.write_bytes(data)
            started = time.perf_counter()
            try:
                _read(path)
                tally["read"] += 1
            except SportsGPTError as exc:
                message = str(exc)
                assert "\n" not in message.strip() and path.name in message, message
                tally["refused"] += 1
            took = time.perf_counter() - started
            slowest[0] = max(slowest[0], took)
            assert took < PER_FILE_S, f"{took:.1f} s"

        reads_or_refuses()
    return {"format": name, "examples": examples, **tally, "slowest_s": round(slowest[0], 3)}


if __name__ == "__main__":
    import logging

    logging.disable(logging.WARNING)  # the readers' warnings about odd files: not the point
    print(json.dumps(fuzz(sys.argv[1], int(sys.argv[2]))))
