"""The tabular recipes rebuild byte-identical files from grids/sources.

The raster and vector recipes need the pinned source wheels (hundreds of MB);
they are checked with ``python grids/build.py --check`` (see grids/README.md).
"""

import hashlib
import json
import sys
from pathlib import Path

import pytest

GRIDS = Path(__file__).resolve().parents[1] / "grids"


@pytest.fixture
def recipes(monkeypatch):
    if not GRIDS.exists():
        pytest.fail("tests must run from a source checkout that has grids/")
    monkeypatch.syspath_prepend(str(GRIDS))
    import build_tables

    yield build_tables
    for name in ("build_tables", "_common", "_writers"):
        sys.modules.pop(name, None)


def test_tables_rebuild_reproducibly(tmp_path, recipes):
    from computeatlas.datasets import data_path

    recipes.build(tmp_path)
    manifest = json.loads(data_path("manifest.json").read_text())
    for name, meta in manifest["layers"]["tables"]["files"].items():
        digest = hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
        assert digest == meta["sha256"], name


def test_every_raw_price_row_is_cited(recipes):
    import pandas as pd

    raw = pd.read_csv(GRIDS / "sources" / "electricity_prices_raw.csv")
    assert raw["source_url"].str.startswith("http").all()
    assert raw["source_detail"].str.len().gt(10).all()
    fx = pd.read_csv(GRIDS / "sources" / "fx_rates.csv")
    assert fx["source_url"].str.startswith("http").all()
