"""Our ankle angle (from FootNet's tibia/foot segment positions) vs FootNet's own.

    .venv/bin/python benchmarks/footnet_ankle.py
Prints correlation and RMS error after removing each stride's constant offset (the two
conventions differ by a fixed angle), with and without our default low-pass filter.
"""

from __future__ import annotations

import numpy as np

from sportsgpt.tools.kinematics.validation import footnet_ankle_agreement
from sportsgpt.tools.readers.footnet import read_footnet
from sportsgpt.tools.shared_data import shared_dir


def main() -> None:
    strides = read_footnet(shared_dir() / "data/footnet/Data_example.mat")
    print(f"{len(strides)} strides (27 right + 27 left), 200 Hz\n")
    print("| filter | mean r | min r | mean RMS (deg) | max RMS (deg) | offset mean +/- SD (deg) |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, cutoff in (("none", None), ("8 Hz (default)", 8.0)):
        agreement = footnet_ankle_agreement(strides, cutoff)
        r, rms, off = agreement.r, agreement.rms_deg, agreement.offset_deg
        print(
            f"| {label} | {np.mean(r):.4f} | {np.min(r):.4f} | {np.mean(rms):.2f} | "
            f"{np.max(rms):.2f} | {np.mean(off):.1f} +/- {np.std(off):.1f} |"
        )


if __name__ == "__main__":
    main()
