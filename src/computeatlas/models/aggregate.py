"""Area-weighted statistics of a gridded variable by region (cell-to-region aggregation)."""

from __future__ import annotations

import numpy as np

__all__ = ["group_stats"]


def group_stats(
    label: np.ndarray, values: np.ndarray, weights: np.ndarray, n_groups: int
) -> dict[str, np.ndarray]:
    """One-pass group statistics of ``values`` by ``label`` (ignoring NaN and label -1).

    Parameters
    ----------
    label : numpy.ndarray of int
        Group index of each cell, -1 for none.
    values : numpy.ndarray
        Values [any unit], same shape.
    weights : numpy.ndarray
        Weights of each cell (e.g. area [km^2]), same shape.
    n_groups : int
        Number of groups.

    Returns
    -------
    dict of numpy.ndarray
        ``min``, ``argmin`` (flat index of the first minimum), ``mean``
        (weighted) and ``weight`` (sum of weights) per group; ``inf``/NaN for
        empty groups.
    """
    from computeatlas._kernels.groups import group_min_mean

    mn, am, mean, wsum = group_min_mean(
        np.ascontiguousarray(label).ravel().astype(np.int64),
        np.ascontiguousarray(values).ravel().astype(np.float64),
        np.ascontiguousarray(weights).ravel().astype(np.float64),
        int(n_groups),
    )
    return {"min": mn, "argmin": am, "mean": mean, "weight": wsum}
