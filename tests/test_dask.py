"""Dask-backed climate inputs run block-wise and match the in-memory result."""

import distributed
import numpy as np

import computeatlas
from computeatlas import datasets, inputs
from computeatlas.models import cooling

BBOX = (5, 45, 30, 70)
METROS = ["Stockholm", "Berlin"]


def test_annual_cooling_dask_matches_numpy():
    clim = datasets.climate().isel(lat=slice(500, 560), lon=slice(700, 800))
    hum = inputs.humidity().isel(lat=slice(500, 560), lon=slice(700, 800))
    elev = datasets.elevation().isel(lat=slice(500, 560), lon=slice(700, 800))
    eager = cooling.annual_cooling(clim, hum, elev)
    lazy = cooling.annual_cooling(clim.chunk({"lat": 20, "lon": 50}), hum, elev)
    assert lazy["pue"].chunks is not None
    np.testing.assert_array_equal(eager["pue"].values, lazy["pue"].values)


def test_rank_sites_on_local_cluster():
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        lazy_climate = datasets.climate().chunk({"lat": 100, "lon": 240})
        on_cluster = computeatlas.rank_sites(BBOX, METROS, max_rtt_ms=20, climate=lazy_climate)
        in_memory = computeatlas.rank_sites(BBOX, METROS, max_rtt_ms=20)
    np.testing.assert_array_equal(on_cluster.grid["rank"].values, in_memory.grid["rank"].values)
    np.testing.assert_allclose(
        on_cluster.grid["score_usd_per_mwh_it"].values,
        in_memory.grid["score_usd_per_mwh_it"].values,
        equal_nan=True,
    )
    # The user-climate path (annual_cooling) carries every cooling output, as the
    # shipped-climatology path does.
    for var in ("free_cooling_days", "hours_adiabatic", "hours_full_mechanical"):
        np.testing.assert_allclose(
            on_cluster.grid[var].values, in_memory.grid[var].values, equal_nan=True, err_msg=var
        )


def test_rank_sites_in_row_bands_on_a_two_worker_cluster():
    # The whole pipeline block-wise: every step is per cell or per row, so bands joined on
    # a 2-worker (2-process) LocalCluster give exactly the in-memory answer.
    box, metros = (95, 18, 150, 55), ["Beijing", "Shanghai", "Seoul", "Tokyo"]
    options = dict(max_rtt_ms=50, technology="direct_liquid_warm_water", heat_price="sold")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        banded = computeatlas.rank_sites(box, metros, band_rows=37, **options)
    whole = computeatlas.rank_sites(box, metros, **options)
    for name in whole.grid.data_vars:
        np.testing.assert_array_equal(banded.grid[name].values, whole.grid[name].values, name)
    assert banded.sites.drop(columns="geometry").equals(whole.sites.drop(columns="geometry"))


def test_bands_are_joined_batch_by_batch_into_the_in_memory_answer():
    from computeatlas.grid import Window
    from computeatlas.pipeline import evaluate, evaluate_bands
    from computeatlas.scenario import Scenario

    window = Window.from_bbox(BBOX, None)
    sc = Scenario.build()
    whole = evaluate(window, sc)
    bands = evaluate_bands(window, sc, band_rows=9)  # 100 rows: 12 bands, several batches
    for name, values in whole.values.items():
        np.testing.assert_array_equal(bands.values[name], values, err_msg=name)
    np.testing.assert_array_equal(bands.layers.regions.admin1, whole.layers.regions.admin1)
    assert bands.layers.t_monthly.size == 0  # dropped once the bands used it
    kept = evaluate_bands(window, sc, band_rows=9, keep_climate=True)
    np.testing.assert_array_equal(kept.layers.t_monthly, whole.layers.t_monthly)
