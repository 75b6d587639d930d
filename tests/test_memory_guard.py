"""The memory guard counts what is really allocated, and fine grids stay small."""

import pytest

import computeatlas
from computeatlas.errors import ResourceError


def test_latency_field_counts_the_full_circle_rows(monkeypatch):
    # 0.01 deg over a 2 x 1 deg box across the antimeridian: 20,301 cells, but the reach
    # kernel spans 36,000 columns in each of its 101 rows and 2 thresholds (58 MB); the
    # old guard saw 1 MB. A box of consecutive columns runs the kernel on its own columns.
    monkeypatch.setenv("COMPUTEATLAS_MAX_MEMORY", str(20 * 2**20))
    across = (179, 45, -179, 46)
    with pytest.raises(ResourceError, match="latency_field"):
        computeatlas.latency_field([(45.5, 179.5)], resolution=0.01, bbox=across)
    ds = computeatlas.latency_field(["Milan"], resolution=0.01, bbox=(9, 45, 10, 46))
    assert ds.sizes["lat"] == 101
    monkeypatch.setenv("COMPUTEATLAS_MAX_MEMORY", str(200 * 2**20))
    ds = computeatlas.latency_field([(45.5, 179.5)], resolution=0.01, bbox=across)
    assert ds.sizes["lon"] == 201


def test_fine_rank_sites_rasterises_only_its_block(tmp_path, monkeypatch):
    # At 0.01 deg a global label raster would be 648 M cells (2.6 GB on disk); the window's
    # block is rasterised instead and nothing is cached on disk.
    monkeypatch.setenv("COMPUTEATLAS_DATA_DIR", str(tmp_path))
    r = computeatlas.rank_sites((9.0, 45.0, 9.3, 45.3), ["Milan"], resolution=0.01, max_rtt_ms=20)
    assert r.grid.sizes["lat"] == 31 and int(r.grid["eligible"].sum()) > 0
    assert (
        not list((tmp_path / "labels").glob("*0.01*")) if (tmp_path / "labels").exists() else True
    )


def test_band_estimate_counts_the_joined_result_and_the_local_bands():
    # Without a dask.distributed client the bands run on this process's threads: the
    # estimate is the joined result plus one band per core, each costed like a window.
    import os

    from computeatlas import ranking
    from computeatlas.grid import Window

    world = Window.from_bbox(None, 0.25)
    one = ranking.rank_memory_bytes(world.row_band(0, 60), 6204)
    at_once = min(-(-world.lat.size // 60), os.cpu_count() or 1)
    joined = 8.0 * world.size * ranking.BAND_RESULT_FLOATS_PER_CELL
    assert ranking.rank_memory_bytes(world, 6204, 60) == pytest.approx(joined + at_once * one)
    # a band covering the whole window is the in-memory path
    assert ranking.rank_memory_bytes(world, 6204, 10_000) == ranking.rank_memory_bytes(world, 6204)


def test_band_path_on_a_client_is_refused_only_when_a_band_exceeds_a_worker(monkeypatch):
    distributed = pytest.importorskip("distributed")
    from computeatlas import ranking
    from computeatlas.grid import Window

    world = Window.from_bbox(None, 0.25)
    monkeypatch.setenv("COMPUTEATLAS_MAX_MEMORY", str(2**40))
    with (
        distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=False,
            dashboard_address=None,
            memory_limit="120MiB",
        ) as cluster,
        distributed.Client(cluster),
    ):
        assert ranking.rank_memory_bytes(world.row_band(0, 400), 4) > 120 * 2**20
        with pytest.raises(ResourceError, match="band_rows=400"):
            ranking._check_rank_memory(world, 4, 400)
        assert ranking.rank_memory_bytes(world.row_band(0, 10), 4) < 120 * 2**20
        ranking._check_rank_memory(world, 4, 10)  # each band fits a worker: let through
        # the joined result must still fit in this process
        monkeypatch.setenv("COMPUTEATLAS_MAX_MEMORY", str(2**20))
        with pytest.raises(ResourceError, match="rank_sites"):
            ranking._check_rank_memory(world, 4, 10)


def test_latency_estimate_counts_the_kernel_arrays_once():
    # On the whole circle, and on any window of consecutive columns, the reach kernel's
    # arrays are the outputs (no copy): counted per cell only; a window across the
    # antimeridian also holds the kernel's full-circle rows (measured in
    # benchmarks/bench_ranking.py: within 30 % of the peak RSS increment).
    from computeatlas import ranking
    from computeatlas.grid import Window

    world = Window.from_bbox("world", 0.1)
    assert ranking.latency_memory_bytes(world) == 8.0 * world.size * 5
    box = Window.from_bbox((9, 45, 10, 46), 0.01)
    assert ranking.latency_memory_bytes(box) == 8.0 * box.size * 5
    across = Window.from_bbox((179, 45, -179, 46), 0.01)
    full_rows = 8.0 * 2 * across.lat.size * across.grid.nlon
    assert ranking.latency_memory_bytes(across) == 8.0 * across.size * 5 + full_rows
    # A geographic route (the default) holds two more float64 per cell.
    assert ranking.latency_memory_bytes(world, geographic=True) == 8.0 * world.size * 7


def test_rank_estimate_counts_the_climate_cache(monkeypatch):
    from computeatlas import ranking
    from computeatlas.grid import Window

    world = Window.from_bbox("world")
    monkeypatch.setenv("COMPUTEATLAS_CACHE", "0")
    off = ranking.rank_memory_bytes(world, 10)
    monkeypatch.setenv("COMPUTEATLAS_CACHE", "1")
    on = ranking.rank_memory_bytes(world, 10)
    assert on - off == 8.0 * ranking.CACHE_FLOATS_PER_CELL * world.size
    small = Window.from_bbox((95, 18, 150, 55))  # reads its own block: never cached
    assert ranking._cache_bytes(small) == 0.0
