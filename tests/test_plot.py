"""Maps with context and the supply curve (matplotlib Agg backend; artists, not pixels)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from computeatlas import rank_sites
from computeatlas.errors import InputError
from computeatlas.plot import LAND_GREY, plot_supply_curve, supply_curve
from computeatlas.ranking import SiteRanking

METROS = ["Berlin", "Hamburg"]


@pytest.fixture(scope="module")
def ranking():
    return rank_sites((6, 47, 16, 56), METROS, max_rtt_ms=12, resolution=0.5, top=20)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _scatter(ax, label):
    (coll,) = [c for c in ax.collections if c.get_label() == label]
    return coll.get_offsets()


def _meshes(ax):
    from matplotlib.collections import QuadMesh

    return [c for c in ax.collections if isinstance(c, QuadMesh)]


def test_map_has_title_metros_sites_and_boundary(ranking):
    ax = ranking.plot("cost_usd_per_mwh_it")
    title = ax.get_title()
    assert ranking.grid["cost_usd_per_mwh_it"].attrs["long_name"] in title
    assert "[USD" in title and "air_side_fleet" in title and "within 12 ms" in title
    metros = _scatter(ax, "demand metro")
    assert len(metros) == len(ranking.metros) == 2
    np.testing.assert_allclose(np.sort(metros[:, 1]), np.sort(ranking.metros["lat"]))
    n_eligible = int(ranking.grid["eligible"].sum())
    assert 10 < n_eligible < ranking.grid["eligible"].size  # the box holds both kinds
    assert len(_scatter(ax, "best 10 sites")) == 10
    legend = _legend(ax)
    assert {"ineligible land", "max-RTT boundary", "demand metro", "best 10 sites"} <= set(legend)
    from matplotlib.collections import LineCollection

    circles = [
        c
        for c in ax.collections
        if isinstance(c, LineCollection) and c.get_linestyle()[0][1] is not None
    ]
    assert sum(len(c.get_segments()) for c in circles) == 2  # one dashed circle per metro


def test_variable_only_over_eligible_cells_and_land_grey(ranking):
    ax = ranking.plot("pue")
    grey, field = _meshes(ax)
    land = np.isfinite(ranking.grid["pue"].values)
    eligible = ranking.grid["eligible"].values
    assert int((~np.ma.getmaskarray(field.get_array())).sum()) == int(eligible.sum())
    assert int((~np.ma.getmaskarray(grey.get_array())).sum()) == int((land & ~eligible).sum())
    assert matplotlib.colors.to_hex(grey.cmap(0.5)) == matplotlib.colors.to_hex(LAND_GREY)
    # where="land": all land in colour, nothing grey
    ax = ranking.plot("pue", where="land")
    (field,) = _meshes(ax)
    assert int((~np.ma.getmaskarray(field.get_array())).sum()) == int(land.sum())


def test_categorical_variables_draw_classes_with_a_legend(ranking):
    ax = ranking.plot("eligible")
    assert "eligible" in _legend(ax)
    assert len(ax.figure.axes) == 1  # classes: a legend, no colour bar
    ax = ranking.plot("rank")
    legend = _legend(ax)
    assert "rank 1-10" in legend and "rank 11-100" in legend
    assert len(ax.figure.axes) == 1
    ax = ranking.plot("priced_by")
    assert any(t.startswith("priced_by: admin") for t in _legend(ax))
    # a continuous variable has a colour bar
    assert len(ranking.plot("pue").figure.axes) == 2


def test_every_grid_variable_draws_or_says_how(ranking):
    grid = ranking.grid
    for name in grid.data_vars:
        if name in ("admin0_index", "admin1_index"):
            with pytest.raises(InputError, match=r"regions\('admin"):
                ranking.plot(name)
        elif name == "rtt_ms":
            with pytest.raises(InputError, match="metro="):
                ranking.plot(name)
            ax = ranking.plot(name, metro="Hamburg")
            assert "Hamburg" in ax.get_title() and "[ms]" in ax.get_title()
            ranking.plot(name, metro=0)
        else:
            assert ranking.plot(name).get_title()
        plt.close("all")
    with pytest.raises(InputError, match="metro="):
        ranking.plot("rtt_ms", metro="Tokyo")
    with pytest.raises(InputError, match="unknown variable"):
        ranking.plot("nope")
    with pytest.raises(InputError, match="where"):
        ranking.plot("pue", where="sea")


def test_antimeridian_window_draws_metros_on_the_shifted_axis():
    # Anadyr, Chukotka (Fiji has no price row, so it is not ranked)
    ranking = rank_sites((177.0, 62.0, -179.0, 68.0), [(64.73, 177.5)], max_rtt_ms=40)
    ax = ranking.plot("rank")
    assert ax.get_xlim() == pytest.approx((177.0 - 0.125, 181.0 + 0.125), abs=0.2)
    sites = _scatter(ax, f"best {min(10, len(ranking.sites))} sites")
    assert (sites[:, 0] >= 176.9).all() and (sites[:, 0] <= 181.2).all()
    assert (ranking.sites["lon"] < 0).any()  # some best cells lie east of 180


def _tiny():
    """Two eligible cells at the equator and two at 60N, 1 deg; one more ineligible."""
    lat, lon = np.array([0.0, 60.0]), np.array([10.0, 11.0])
    cost = np.array([[50.0, 45.0], [40.0, 40.0]])
    eligible = np.array([[True, False], [True, True]])
    rank = np.array([[3, 0], [1, 2]], dtype=np.int32)
    grid = xr.Dataset(
        {
            "cost_usd_per_mwh_it": (("lat", "lon"), cost),
            "eligible": (("lat", "lon"), eligible),
            "rank": (("lat", "lon"), rank),
        },
        coords={"lat": lat, "lon": lon},
        attrs={"resolution_deg": 1.0},
    )
    return SiteRanking(grid=grid, metros=pd.DataFrame())


def test_supply_curve_by_hand():
    # Cell area on the 6371.0088 km sphere: R^2 dlon (sin(phi_n) - sin(phi_s)).
    r2 = 6371.0088**2 * np.deg2rad(1.0)
    equator = r2 * 2 * np.sin(np.deg2rad(0.5))
    sixty = r2 * (np.sin(np.deg2rad(60.5)) - np.sin(np.deg2rad(59.5)))
    assert equator == pytest.approx(12364, abs=1)  # the familiar 1 deg x 1 deg at the equator
    curve = supply_curve(_tiny(), mw_per_km2=0.05)
    assert list(curve["cost_usd_per_mwh_it"]) == [40.0, 40.0, 50.0]  # the ineligible 45 is out
    assert list(curve["rank"]) == [1, 2, 3]  # ties in ranking order
    np.testing.assert_allclose(curve["area_km2"], [sixty, sixty, equator], rtol=1e-12)
    np.testing.assert_allclose(
        curve["cumulative_area_km2"], [sixty, 2 * sixty, 2 * sixty + equator]
    )
    np.testing.assert_allclose(curve["capacity_mw"], 0.05 * curve["area_km2"])
    np.testing.assert_allclose(
        curve["cumulative_capacity_mw"].iloc[-1], 0.05 * (2 * sixty + equator)
    )


def test_supply_curve_from_a_capacity_table():
    table = np.array([[100.0, 7.0], [np.nan, 250.0]])
    curve = supply_curve(_tiny(), capacity_mw=table)
    assert list(curve["capacity_mw"]) == [0.0, 250.0, 100.0]
    assert list(curve["cumulative_capacity_mw"]) == [0.0, 250.0, 350.0]
    with pytest.raises(InputError, match="capacity_mw"):
        supply_curve(_tiny(), capacity_mw=np.ones((3, 2)))
    with pytest.raises(InputError, match="not both"):
        supply_curve(_tiny(), capacity_mw=table, mw_per_km2=1.0)
    with pytest.raises(InputError, match="mw_per_km2"):
        supply_curve(_tiny(), mw_per_km2=-1.0)


def test_plot_supply_curve_steps():
    curve = supply_curve(_tiny(), mw_per_km2=0.05)
    ax = plot_supply_curve(curve)
    (line,) = ax.lines
    x, _ = line.get_data()
    assert x[0] == 0.0 and x[-1] == pytest.approx(curve["cumulative_capacity_mw"].iloc[-1])
    assert "[MW]" in ax.get_xlabel() and "USD/MWh_IT" in ax.get_ylabel()
    ax = plot_supply_curve(curve, x="area")
    assert "km^2" in ax.get_xlabel()


def test_ranking_supply_curve_covers_the_eligible_area(ranking):
    from computeatlas.grid import cell_area_km2

    curve = ranking.supply_curve()
    grid = ranking.grid
    area = cell_area_km2(grid["lat"].values, 0.5)[:, None] * grid["eligible"].values
    assert curve["cumulative_area_km2"].iloc[-1] == pytest.approx(area.sum())
    assert curve["cost_usd_per_mwh_it"].is_monotonic_increasing
