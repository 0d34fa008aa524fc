"""The compiled DTW kernels equal a plain implementation and dtaidistance (to 1e-9)."""

from __future__ import annotations

import numpy as np
import pytest
from dtaidistance import dtw_ndim

from sportsgpt.tools.motiondtw.kernels import (
    Trust,
    accumulated_cost,
    backtrack,
    path_spans,
    subsequence_end_costs,
)


def plain_dtw(a: np.ndarray, b: np.ndarray, open_begin: bool) -> np.ndarray:
    """Textbook accumulated cost (squared Euclidean), written for clarity, not speed."""
    m, n = len(a), len(b)
    acc = np.full((m + 1, n + 1), np.inf)
    acc[0, 0] = 0.0
    if open_begin:
        acc[0, :] = 0.0
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            cost = float(np.sum((a[i - 1] - b[j - 1]) ** 2))
            acc[i, j] = cost + min(acc[i - 1, j], acc[i, j - 1], acc[i - 1, j - 1])
    return acc[1:, 1:]


@pytest.mark.parametrize(("m", "n", "c", "seed"), [(5, 40, 1, 0), (12, 90, 3, 1), (30, 31, 12, 2)])
def test_subsequence_costs_match_plain_and_dtaidistance(m: int, n: int, c: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    template, query = rng.normal(size=(m, c)), rng.normal(size=(n, c))
    end_cost, start, steps = subsequence_end_costs(template, query)
    reference = plain_dtw(template, query, open_begin=True)[-1]
    np.testing.assert_allclose(end_cost, reference, rtol=0, atol=1e-9)
    _, paths = dtw_ndim.warping_paths(
        template, query, penalty=0, psi=[0, 0, n, n], psi_neg=False, keep_int_repr=True
    )
    np.testing.assert_allclose(end_cost, paths[-1, 1:], rtol=0, atol=1e-9)
    acc = accumulated_cost(template, query, True)
    np.testing.assert_allclose(acc[-1], end_cost, rtol=0, atol=1e-9)
    # the start pointer is where the optimal path begins
    for end in (int(np.argmin(end_cost)), n - 1):
        path = backtrack(acc, end, True)
        assert path[0, 0] == 0 and path[0, 1] == start[end] and len(path) == steps[end]
        assert tuple(path[-1]) == (m - 1, end)


@pytest.mark.parametrize("seed", [3, 4])
def test_global_dtw_matches_dtaidistance_squared(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(17, 4)), rng.normal(size=(23, 4))
    acc = accumulated_cost(a, b, False)
    assert abs(acc[-1, -1] - dtw_ndim.distance(a, b) ** 2) < 1e-9
    np.testing.assert_allclose(acc, plain_dtw(a, b, open_begin=False), rtol=0, atol=1e-9)
    path = backtrack(acc, len(b) - 1, False)
    assert tuple(path[0]) == (0, 0) and tuple(path[-1]) == (16, 22)
    steps = np.diff(path, axis=0)
    assert ((steps >= 0) & (steps <= 1)).all() and (steps.sum(axis=1) >= 1).all()
    cost = sum(float(np.sum((a[i] - b[j]) ** 2)) for i, j in path)
    assert abs(cost - acc[-1, -1]) < 1e-9  # the path realises the optimal cost


def test_memory_is_linear_in_the_query() -> None:
    rng = np.random.default_rng(5)
    template = rng.normal(size=(120, 12))
    query = rng.normal(size=(200_000, 12))  # a full matrix would be 190 MB
    end_cost, start, steps = subsequence_end_costs(template, query)
    assert end_cost.shape == start.shape == steps.shape == (200_000,)


def test_path_spans_agree_with_backtrack() -> None:
    rng = np.random.default_rng(5)
    template, query = rng.normal(size=(9, 3)), rng.normal(size=(40, 3))
    acc = accumulated_cost(template, query, True)
    first, steps = path_spans(acc, True)
    for end in range(len(query)):
        path = backtrack(acc, end, True)
        assert first[end] == path[0, 1] and steps[end] == len(path)


def test_untrusted_cells_cost_the_neutral_value() -> None:
    """A query frame that was filled over a gap costs each channel its neutral value,
    whatever the filled numbers are; full trust is the plain squared distance."""
    rng = np.random.default_rng(6)
    template, query = rng.normal(size=(6, 2)), rng.normal(size=(30, 2))
    plain = accumulated_cost(template, query, True)
    ones = Trust(np.ones_like(template), np.ones_like(query), np.full(2, 0.7))
    np.testing.assert_allclose(accumulated_cost(template, query, True, ones), plain, atol=1e-12)
    gap = np.ones_like(query)
    gap[10:20] = 0.0
    trust = Trust(np.ones_like(template), gap, np.array([0.5, 0.25]))
    wild = query.copy()
    wild[10:20] = 1e6  # what a bad fill might hold: it must not matter
    acc = accumulated_cost(template, wild, True, trust)
    assert np.isfinite(acc).all()
    np.testing.assert_allclose(
        acc[0, 10:20], 0.75, atol=1e-12
    )  # first template row, open begin: one cell each
    end_cost, _, _ = subsequence_end_costs(template, wild, trust)
    np.testing.assert_allclose(end_cost, acc[-1], atol=1e-9)
