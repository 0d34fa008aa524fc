"""Compiled DTW kernels (numba). Cost = sum of squared Euclidean distances along the path.

Steps are the classic symmetric set (i-1, j), (i, j-1), (i-1, j-1), each cell's cost
counted once - the convention of dtaidistance (which reports the square root).
``subsequence_end_costs`` keeps two columns only, so memory is linear in the query.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from numba import njit
from numba.core import config as numba_config

from ...settings import ConfigError, current_settings, default_cache_dir

log = logging.getLogger(__name__)


def _kernel_cache() -> bool:
    """Compiled kernels are cached in the user cache folder (settings ``cache_dir``), never
    beside the installed source: a read-only or system-wide install stays untouched and a
    reinstall leaves nothing behind. ``NUMBA_CACHE_DIR``, when the user set it, wins. With
    no writable cache folder the kernels compile on each run instead."""
    chosen = str(getattr(numba_config, "CACHE_DIR", ""))  # numba's NUMBA_CACHE_DIR
    if not chosen:
        try:
            chosen = str(current_settings().numba_cache_dir)
        except ConfigError:  # reported where the settings are loaded; cache anyway
            chosen = str(default_cache_dir() / "numba")
        setattr(numba_config, "CACHE_DIR", chosen)  # noqa: B010 (set at run time by numba)
    folder = Path(chosen)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        log.warning("no kernel cache (%s is not writable: %s); compiling each run", folder, exc)
        return False
    return True


CACHE = _kernel_cache()

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@njit(cache=CACHE, nogil=True)
def _sq(
    a: FloatArray,
    i: int,
    b: FloatArray,
    j: int,
    ra: FloatArray,
    rb: FloatArray,
    neutral: FloatArray,
) -> float:  # pragma: no cover - jitted
    """Squared distance of a[i] and b[j], each channel trusted by the product of the two
    frames' reliabilities; the untrusted share costs the channel's neutral value (a gap
    neither attracts nor repels the path)."""
    total = 0.0
    for c in range(a.shape[1]):
        d = a[i, c] - b[j, c]
        r = ra[i, c] * rb[j, c]
        total += r * d * d + (1.0 - r) * neutral[c]
    return total


class Trust(NamedTuple):
    """Per-frame, per-channel reliability (0..1) of a template and a query, and each
    channel's neutral cost for what is not trusted."""

    template: FloatArray
    query: FloatArray
    neutral: FloatArray

    def window(self, a: int, b: int) -> Trust:
        """The same trust for query frames a..b (inclusive)."""
        return self._replace(query=np.ascontiguousarray(self.query[a : b + 1]))


def full_trust(template: FloatArray, query: FloatArray) -> Trust:
    return Trust(
        np.ones_like(template), np.ones_like(query), np.zeros(template.shape[1], dtype=np.float64)
    )


def subsequence_end_costs(
    template: FloatArray, query: FloatArray, trust: Trust | None = None
) -> tuple[FloatArray, IntArray, IntArray]:
    """Open-begin/open-end DTW of ``template`` (M, C) against every end of ``query`` (N, C):
    see ``_subsequence_end_costs``."""
    ra, rb, neutral = trust or full_trust(template, query)
    return _subsequence_end_costs(template, query, ra, rb, neutral)


def accumulated_cost(
    template: FloatArray, query: FloatArray, open_begin: bool, trust: Trust | None = None
) -> FloatArray:
    """Full (M, N) accumulated cost: see ``_accumulated_cost``."""
    ra, rb, neutral = trust or full_trust(template, query)
    return _accumulated_cost(template, query, open_begin, ra, rb, neutral)


@njit(cache=CACHE, nogil=True)
def _subsequence_end_costs(
    template: FloatArray, query: FloatArray, ra: FloatArray, rb: FloatArray, neutral: FloatArray
) -> tuple[FloatArray, IntArray, IntArray]:  # pragma: no cover - jitted
    """Open-begin/open-end DTW of ``template`` (M, C) against every end of ``query`` (N, C).

    Returns, for each query frame j, the cost of the best alignment of the whole template
    ending at j, the query frame where that alignment starts, and its path length (cells),
    so costs can be compared across tempos. O(M) working memory.
    """
    m, n = template.shape[0], query.shape[0]
    prev = np.empty(m)
    cur = np.empty(m)
    prev_start = np.empty(m, dtype=np.int64)
    cur_start = np.empty(m, dtype=np.int64)
    prev_len = np.empty(m, dtype=np.int64)
    cur_len = np.empty(m, dtype=np.int64)
    end_cost = np.empty(n)
    start = np.empty(n, dtype=np.int64)
    length = np.empty(n, dtype=np.int64)
    for j in range(n):
        # open begin: a match may start anywhere
        cur[0] = _sq(template, 0, query, j, ra, rb, neutral)
        cur_start[0] = j
        cur_len[0] = 1
        for i in range(1, m):
            best = cur[i - 1]
            s = cur_start[i - 1]
            steps = cur_len[i - 1]
            if j > 0:
                if prev[i - 1] < best:
                    best = prev[i - 1]
                    s = prev_start[i - 1]
                    steps = prev_len[i - 1]
                if prev[i] < best:
                    best = prev[i]
                    s = prev_start[i]
                    steps = prev_len[i]
            cur[i] = _sq(template, i, query, j, ra, rb, neutral) + best
            cur_start[i] = s
            cur_len[i] = steps + 1
        end_cost[j] = cur[m - 1]
        start[j] = cur_start[m - 1]
        length[j] = cur_len[m - 1]
        prev, cur = cur, prev
        prev_start, cur_start = cur_start, prev_start
        prev_len, cur_len = cur_len, prev_len
    return end_cost, start, length


@njit(cache=CACHE, nogil=True)
def _accumulated_cost(
    template: FloatArray,
    query: FloatArray,
    open_begin: bool,
    ra: FloatArray,
    rb: FloatArray,
    neutral: FloatArray,
) -> FloatArray:  # pragma: no cover - jitted
    """Full (M, N) accumulated cost; open_begin lets the template start at any query frame."""
    m, n = template.shape[0], query.shape[0]
    acc = np.empty((m, n))
    for j in range(n):
        for i in range(m):
            c = _sq(template, i, query, j, ra, rb, neutral)
            if i == 0 and j == 0:
                acc[i, j] = c
            elif i == 0:
                acc[i, j] = c if open_begin else c + acc[0, j - 1]
            elif j == 0:
                acc[i, j] = c + acc[i - 1, 0]
            else:
                best = acc[i - 1, j - 1]
                if acc[i - 1, j] < best:
                    best = acc[i - 1, j]
                if acc[i, j - 1] < best:
                    best = acc[i, j - 1]
                acc[i, j] = c + best
    return acc


@njit(cache=CACHE, nogil=True)
def path_spans(
    acc: FloatArray, open_begin: bool
) -> tuple[IntArray, IntArray]:  # pragma: no cover - jitted
    """For every end (last template row) of ``accumulated_cost``: the query frame where its
    warping path starts and the path's length in cells, following the same steps as
    ``backtrack`` (so ends can be compared per cell: a fair cost across tempos)."""
    m, n = acc.shape
    start = np.empty((2, n), dtype=np.int64)
    steps = np.empty((2, n), dtype=np.int64)
    for i in range(m):
        cur, prev = i % 2, (i - 1) % 2
        for j in range(n):
            if i == 0:
                if open_begin or j == 0:
                    start[cur, j], steps[cur, j] = j, 1
                else:
                    start[cur, j], steps[cur, j] = start[cur, j - 1], steps[cur, j - 1] + 1
            elif j == 0:
                start[cur, j], steps[cur, j] = start[prev, 0], steps[prev, 0] + 1
            else:
                diag, up, left = acc[i - 1, j - 1], acc[i - 1, j], acc[i, j - 1]
                if diag <= up and diag <= left:
                    pi, pj = prev, j - 1
                elif up <= left:
                    pi, pj = prev, j
                else:
                    pi, pj = cur, j - 1
                start[cur, j], steps[cur, j] = start[pi, pj], steps[pi, pj] + 1
    last = (m - 1) % 2
    return start[last].copy(), steps[last].copy()


@njit(cache=CACHE, nogil=True)
def backtrack(acc: FloatArray, end: int, open_begin: bool) -> IntArray:  # pragma: no cover
    """The warping path ending at (M-1, end) as (K, 2) [template index, query index]."""
    m = acc.shape[0]
    i, j = m - 1, end
    path = np.empty((acc.shape[0] + acc.shape[1], 2), dtype=np.int64)
    k = 0
    while True:
        path[k, 0] = i
        path[k, 1] = j
        k += 1
        if i == 0 and (open_begin or j == 0):
            break
        if i == 0:
            j -= 1
        elif j == 0:
            i -= 1
        else:
            diag = acc[i - 1, j - 1]
            up = acc[i - 1, j]
            left = acc[i, j - 1]
            if diag <= up and diag <= left:
                i -= 1
                j -= 1
            elif up <= left:
                i -= 1
            else:
                j -= 1
    return path[:k][::-1].copy()
