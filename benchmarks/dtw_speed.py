"""MotionDTW two-stage search vs dtaidistance's C subsequence alignment, same inputs.

    .venv/bin/python benchmarks/dtw_speed.py [--minutes 0.5 5 20]

Query: 60 fps, 12 channels: a 2 s motion (the template) repeated at random places with
random tempo (0.7x-1.4x) and noise, on a drifting random background. dtaidistance
(``subsequence_alignment(..., use_c=True)`` + ``best_match``) computes the full-rate
matching function - the equivalent of our stage 1 - with a full (N+1) x (M+1) matrix;
we run stage 1 at 15 fps with two columns of memory, then stage 2 at 60 fps in every
found window. dtaidistance's best match must be one of our occurrences. Prints times, the ratio, and
the peak memory each needs for its cost matrices.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from dtaidistance.subsequence.subsequencealignment import subsequence_alignment

from sportsgpt.tools.motiondtw.align import AlignSettings, PreparedPair, find_occurrences
from sportsgpt.tools.motiondtw.kernels import subsequence_end_costs

FPS = 60.0
CHANNELS = 12
REPEAT = 5  # medians of 5 runs each


def motion_template(rng: np.random.Generator, seconds: float = 2.0) -> np.ndarray:
    t = np.arange(0, seconds, 1 / FPS)
    freqs = rng.uniform(0.5, 2.0, CHANNELS)
    phases = rng.uniform(0, 2 * np.pi, CHANNELS)
    return np.stack(
        [np.sin(2 * np.pi * f * t + p) for f, p in zip(freqs, phases, strict=True)], axis=1
    )


def query_with_occurrences(
    rng: np.random.Generator, template: np.ndarray, minutes: float
) -> tuple[np.ndarray, list[int]]:
    n = int(minutes * 60 * FPS)
    background = np.cumsum(rng.normal(0, 0.05, (n, CHANNELS)), axis=0)
    background -= np.convolve(background[:, 0], np.ones(1), "same")[:, None] * 0  # keep drift
    query = background * 0.3 + rng.normal(0, 0.2, (n, CHANNELS))
    starts = []
    pos = int(rng.integers(60, 600))
    while pos < n - 3 * len(template):
        warp = rng.uniform(0.7, 1.4)
        length = int(len(template) * warp)
        src = np.linspace(0, len(template) - 1, length)
        piece = np.stack(
            [np.interp(src, np.arange(len(template)), template[:, c]) for c in range(CHANNELS)],
            axis=1,
        )
        query[pos : pos + length] = piece + rng.normal(0, 0.1, piece.shape)
        starts.append(pos)
        pos += length + int(rng.integers(120, 1200))
    return np.ascontiguousarray(query), starts


def ours(template: np.ndarray, query: np.ndarray) -> tuple[float, list[tuple[int, int, float]]]:
    prep = PreparedPair(
        template=template, template_mirror=template, query=query,
        template_abs=template, template_abs_mirror=template, query_abs=query,
        keyframes={"start": 0, "end": len(template) - 1}, segment=(0, len(template) - 1),
        channels=[f"c{i}" for i in range(CHANNELS)], weight_sum=float(CHANNELS),
    )  # fmt: skip
    settings = AlignSettings(mirror=False)
    started = time.perf_counter()
    found = find_occurrences(prep, threshold=0.5, settings=settings, fps=FPS, name="bench")
    elapsed = time.perf_counter() - started
    return elapsed, sorted((o.start, o.end, o.cost) for o in found)


def theirs(template: np.ndarray, query: np.ndarray) -> tuple[float, tuple[int, int]]:
    started = time.perf_counter()
    sa = subsequence_alignment(template, query, penalty=0.0, use_c=True)
    match = sa.best_match()
    elapsed = time.perf_counter() - started
    return elapsed, (int(match.segment[0]), int(match.segment[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[0.5, 5.0, 20.0])
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    template = np.ascontiguousarray(motion_template(rng))
    # compile the kernels outside the timings
    subsequence_end_costs(template[:10], template)
    ours(template, np.ascontiguousarray(np.tile(template, (3, 1))))
    print(
        "| query | frames | occurrences planted | found | dtaidistance (s) | "
        "MotionDTW 2-stage (s) | ratio (theirs/ours) | its best match among ours | "
        "matrix memory theirs / ours |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|---|")
    m = len(template)
    for minutes in args.minutes:
        query, planted = query_with_occurrences(rng, template, minutes)
        runs_ours = [ours(template, query) for _ in range(REPEAT)]
        runs_theirs = [theirs(template, query) for _ in range(REPEAT)]
        t_ours, found = float(np.median([r[0] for r in runs_ours])), runs_ours[0][1]
        t_theirs, best = float(np.median([r[0] for r in runs_theirs])), runs_theirs[0][1]
        # dtaidistance ranks by cost per template frame, we by cost per path cell; the
        # answer agrees when its best match is one of our occurrences (same bounds +/- 3)
        hit = [f for f in found if abs(f[0] - best[0]) <= 3 and abs(f[1] - best[1]) <= 3]
        ours_best = hit[0] if hit else (-1, -1, 0.0)
        same = bool(hit)
        n = len(query)
        mem_theirs = (n + 1) * (m + 1) * 8 / 1e6
        coarse = m / 4
        mem_ours = (2 * coarse + n / 4) * 8 * 2 / 1e6 + max(
            (f[1] - f[0] + 2 * 18) * m * 8 / 1e6 for f in found
        ) if found else 0.0  # fmt: skip
        print(
            f"| {minutes:g} min | {n} | {len(planted)} | {len(found)} | {t_theirs:.3f} | "
            f"{t_ours:.3f} | {t_theirs / t_ours:.1f}x | {'yes' if same else 'NO'} "
            f"({best[0]}-{best[1]} vs {ours_best[0]}-{ours_best[1]}) | "
            f"{mem_theirs:.0f} MB / {mem_ours:.1f} MB |",
            flush=True,
        )


if __name__ == "__main__":
    main()
