"""The memory guard counts what is really allocated, and fine grids stay small."""

import pytest

import computeatlas
from computeatlas.errors import ResourceError


def test_latency_field_counts_the_full_circle_rows(monkeypatch):
    # 0.01 deg over a 1 x 1 deg box: 10,201 cells, but the reach kernel spans 36,000
    # columns in each of its 101 rows and 2 thresholds (58 MB); the old guard saw 0.5 MB.
    monkeypatch.setenv("COMPUTEATLAS_MAX_MEMORY", str(20 * 2**20))
    with pytest.raises(ResourceError, match="latency_field"):
        computeatlas.latency_field(["Milan"], resolution=0.01, bbox=(9, 45, 10, 46))
    monkeypatch.setenv("COMPUTEATLAS_MAX_MEMORY", str(200 * 2**20))
    ds = computeatlas.latency_field(["Milan"], resolution=0.01, bbox=(9, 45, 10, 46))
    assert ds.sizes["lat"] == 101


def test_fine_rank_sites_rasterises_only_its_block(tmp_path, monkeypatch):
    # At 0.01 deg a global label raster would be 648 M cells (2.6 GB on disk); the window's
    # block is rasterised instead and nothing is cached on disk.
    monkeypatch.setenv("COMPUTEATLAS_DATA_DIR", str(tmp_path))
    r = computeatlas.rank_sites((9.0, 45.0, 9.3, 45.3), ["Milan"], resolution=0.01, max_rtt_ms=20)
    assert r.grid.sizes["lat"] == 31 and int(r.grid["eligible"].sum()) > 0
    assert (
        not list((tmp_path / "labels").glob("*0.01*")) if (tmp_path / "labels").exists() else True
    )
