"""The default ranking path reads attribute tables only: no geometry library, same numbers."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from computeatlas import datasets
from computeatlas.datasets import prices
from computeatlas.errors import InputError


@pytest.mark.parametrize("level", ["admin0", "admin1"])
def test_attribute_tables_equal_the_layers_without_geometry(level):
    layer = datasets.countries() if level == "admin0" else datasets.admin1()
    want = pd.DataFrame(layer.drop(columns="geometry"))
    pd.testing.assert_frame_equal(datasets.region_attributes(level), want)
    by_layer = datasets.resolve_prices(level=level)
    pd.testing.assert_frame_equal(
        prices.resolve_price_columns(level=level), pd.DataFrame(by_layer.drop(columns="geometry"))
    )


def test_carbon_values_equal_the_carbon_layer():
    np.testing.assert_array_equal(
        prices.carbon_values(), datasets.resolve_carbon()["carbon_kg_per_mwh"].to_numpy(float)
    )


def test_bad_level_names_the_parameter():
    with pytest.raises(InputError, match="level"):
        datasets.region_attributes("admin2")
    with pytest.raises(InputError, match="level"):
        prices.resolve_price_columns(level="country")


def test_first_ranking_imports_no_geometry_library():
    code = (
        "import sys, computeatlas as ca;"
        "ca.rank_sites((100, 30, 101, 31), ['Chengdu'], max_rtt_ms=20);"
        "print(sorted(m for m in ('geopandas', 'pyproj') if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.split("\n")[-2] == "[]", run.stdout


@pytest.mark.parametrize("mode", ["overlay", "replace"])
@pytest.mark.parametrize("level", ["admin0", "admin1"])
def test_user_price_columns_equal_the_layers_without_geometry(mode, level):
    user = pd.DataFrame(
        {"region_code": ["CN-LN", "CN-JL", "JP"], "price_usd_per_mwh": [61.0, 62.0, 140.0]}
    )
    table = datasets.price_table(user, mode)
    want = pd.DataFrame(datasets.resolve_prices(table, level=level).drop(columns="geometry"))
    got = prices.resolve_price_columns(table, level=level)
    pd.testing.assert_frame_equal(got, want)
    assert "geometry" not in got.columns
