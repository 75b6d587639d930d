"""Every public parameter of rank_sites, site_report and latency_field against bad values.

For each parameter the table gives values of each kind (wrong type, out of
range, NaN, inf, NumPy scalar, string number, None) and the expected outcome:
``ERR`` (an :class:`~computeatlas.errors.InputError` whose message names the
parameter) or ``OK`` (accepted; a NumPy scalar must give exactly the answer of
the same Python number). A tiny bbox and one metro keep it fast.
"""

from __future__ import annotations

import inspect
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import computeatlas
from computeatlas import latency_field, presets, rank_sites, site_report
from computeatlas.errors import InputError

BOX = (100, 30, 101, 31)
METROS = ["Chengdu"]
POINTS = [(30.5, 100.5)]
NAN, INF = float("nan"), float("inf")
OK, ERR = "ok", "err"

# (kind, value, expectation[, the Python value a NumPy scalar must equal])
NUMBER_KINDS: dict[str, list[tuple[Any, ...]]] = {
    "max_rtt_ms": [
        ("wrong type", [50], ERR),
        ("zero", 0, ERR),
        ("negative", -5, ERR),
        ("nan", NAN, ERR),
        ("inf", INF, ERR),
        ("bool", True, ERR),
        ("numpy scalar", np.float32(40), OK, 40.0),
        ("string number", "50", ERR),
        ("none", None, ERR),
    ],
    "heat_pump": [
        ("wrong type", 1, ERR),
        ("unknown name", "water", ERR),
        ("other case", "INDUSTRIAL", ERR),
        ("none", None, ERR),
        ("staffell ground", "ground", OK),
    ],
    "mode": [
        ("wrong type", 1, ERR),
        ("unknown name", "any", ERR),
        ("other case", "ALL", ERR),
        ("none", None, ERR),
        ("share", "share", OK),
    ],
    "min_share": [
        ("wrong type", object(), ERR),
        ("zero", 0, ERR),
        ("above one", 1.5, ERR),
        ("nan", NAN, ERR),
        ("inf", INF, ERR),
        ("numpy scalar", np.float64(0.5), OK, 0.5),
        ("string number", "0.5", ERR),
        ("none", None, ERR),
    ],
    "top": [
        ("wrong type", [3], ERR),
        ("zero", 0, ERR),
        ("fraction", 2.5, ERR),
        ("nan", NAN, ERR),
        ("inf", INF, ERR),
        ("bool", True, ERR),
        ("numpy scalar", np.int64(3), OK, 3),
        ("string number", "3", ERR),
        ("none", None, ERR),
    ],
    "carbon_price_usd_per_t": [
        ("wrong type", {"x": 1}, ERR),
        ("negative", -1, ERR),
        ("nan", NAN, ERR),
        ("inf", INF, ERR),
        ("numpy scalar", np.float32(80), OK, 80.0),
        ("string number", "80", ERR),
        ("none", None, ERR),
    ],
    "band_rows": [
        ("wrong type", [10], ERR),
        ("zero", 0, ERR),
        ("fraction", 2.5, ERR),
        ("nan", NAN, ERR),
        ("inf", INF, ERR),
        ("bool", True, ERR),
        ("numpy scalar", np.int64(3), OK, 3),
        ("string number", "3", ERR),
        ("none (one block)", None, OK),
    ],
    "it_mw": [
        ("wrong type", [100], ERR),
        ("zero", 0, ERR),
        ("negative", -5, ERR),
        ("nan", NAN, ERR),
        ("inf", INF, ERR),
        ("numpy scalar", np.int64(50), OK, 50.0),
        ("string number", "100", ERR),
        ("none", None, ERR),
    ],
    "heat_price": [
        ("wrong type", [20], ERR),
        ("negative", -1, ERR),
        ("nan", NAN, ERR),
        ("inf", INF, ERR),
        ("unknown name", "free", ERR),
        ("numpy scalar", np.float32(20), OK, 20.0),
        ("string number", "20", ERR),
        ("none", None, ERR),
        ("preset object", presets.heat_price("sold"), OK),
    ],
    "energy_per_token": [
        ("wrong type", [1e-4], ERR),
        ("zero", 0, ERR),
        ("negative", -1e-4, ERR),
        ("nan", NAN, ERR),
        ("inf", INF, ERR),
        ("numpy scalar", np.float64(2e-4), OK, 2e-4),
        ("string number", "1e-4", ERR),
        ("none", None, ERR),
    ],
    "technology": [
        ("wrong type", 5, ERR),
        ("unknown name", "immersion", ERR),
        ("none", None, ERR),
        ("preset object", presets.cooling("air_cooled_chiller"), OK),
    ],
    "ashrae_class": [
        ("wrong type", 1, ERR),
        ("unknown name", "A9", ERR),
        ("none", None, ERR),
        ("preset object", presets.ashrae_class("A2"), OK),
    ],
    "route": [
        ("wrong type", 1.3, ERR),
        ("unknown name", "carrier_pigeon", ERR),
        ("none", None, ERR),
        ("preset object", presets.route("public_internet"), OK),
        ("geographic preset", "geographic", OK),
    ],
    "resolution": [
        ("wrong type", [0.5], ERR),
        ("zero", 0, ERR),
        ("negative", -0.5, ERR),
        ("not dividing 90", 0.7, ERR),
        ("nan", NAN, ERR),
        ("inf", INF, ERR),
        ("bool", True, ERR),
        ("numpy scalar", np.float32(0.5), OK, 0.5),
        ("string number", "0.5", ERR),
        ("none (default grid)", None, OK),
    ],
    "bbox": [
        ("wrong type", 5, ERR),
        ("three numbers", (100, 30, 101), ERR),
        ("latitude out of range", (100, 30, 101, 95), ERR),
        ("inverted", (100, 31, 101, 30), ERR),
        ("nan", (100, NAN, 101, 31), ERR),
        ("inf", (100, 30, INF, 31), ERR),
        ("bool", (True, 30, 101, 31), ERR),
        ("numpy scalars", tuple(np.float32(v) for v in BOX), OK, BOX),
        ("string numbers", tuple(str(v) for v in BOX), ERR),
        ("empty string", "", ERR),
    ],
    "demand_metros": [
        ("wrong type", 5, ERR),
        ("dict", {"Chengdu": 1.0}, ERR),
        ("empty", [], ERR),
        ("unknown name", ["Atlantis"], ERR),
        ("latitude out of range", [(95.0, 100.0)], ERR),
        ("nan", [(NAN, 100.0)], ERR),
        ("inf weight", [(30.6, 104.1, INF)], ERR),
        ("nan weight", [(30.6, 104.1, NAN)], ERR),
        ("word weight", [(30.6, 104.1, "heavy")], ERR),
        ("numpy scalars", [(np.float32(30.5), np.float64(104.0))], OK, [(30.5, 104.0)]),
        ("string numbers", [("30.6", "104.1")], ERR),
        ("none", None, ERR),
    ],
    "weight": [
        ("wrong type", 3, ERR),
        ("empty string", "", ERR),
        ("none", None, ERR),
        ("column of a list", "users", ERR),
        ("callable negative", lambda m: -m["lat"], ERR),
        ("callable wrong length", lambda m: [1.0, 2.0], ERR),
        ("callable nan", lambda m: [NAN], ERR),
        ("callable raising", lambda m: m["no_such_column"], ERR),
        ("callable all zero", lambda m: [0.0], ERR),
        ("equal", "equal", OK),
        ("callable", lambda m: np.ones(len(m)), OK),
    ],
    "thresholds_ms": [
        ("scalar", 30, ERR),
        ("empty", [], ERR),
        ("negative", [-5], ERR),
        ("nan", [30, NAN], ERR),
        ("inf", [INF], ERR),
        ("alike when printed", [30, 30.0000001], ERR),
        ("numpy array", np.array([30.0, 50.0]), OK, (30.0, 50.0)),
        ("string number", ["30"], ERR),
        ("none", None, ERR),
    ],
    "draws": [
        ("wrong type", [4], ERR),
        ("negative", -1, ERR),
        ("fraction", 2.5, ERR),
        ("too many", 10**6, ERR),
        ("nan", NAN, ERR),
        ("inf", INF, ERR),
        ("bool", True, ERR),
        ("numpy scalar", np.int64(4), OK, 4),
        ("string number", "4", ERR),
        ("none", None, ERR),
    ],
    "seed": [
        ("wrong type", [1], ERR),
        ("negative", -1, ERR),
        ("fraction", 0.5, ERR),
        ("nan", NAN, ERR),
        ("bool", False, ERR),
        ("numpy scalar", np.int32(7), OK, 7),
        ("string number", "7", ERR),
        ("none", None, ERR),
    ],
    "points": [
        ("wrong type", 5, ERR),
        ("empty", [], ERR),
        ("ragged", [(30.0, 100.0), (31.0,)], ERR),
        ("latitude out of range", [(95.0, 100.0)], ERR),
        ("nan", [(NAN, 100.0)], ERR),
        ("inf", [(30.0, INF)], ERR),
        ("bool", [(True, 100.0)], ERR),
        ("numpy scalars", [(np.float32(30.5), np.int64(100))], OK, [(30.5, 100.0)]),
        ("string numbers", [("30.5", "100.5")], ERR),
        ("none", None, ERR),
    ],
}

_CN = pd.DataFrame({"region_code": ["CN"], "price_usd_per_mwh": [80.0]})
TABLE_KINDS: dict[str, list[tuple[Any, ...]]] = {
    "prices_mode": [
        ("wrong type", 5, ERR),
        ("unknown name", "merge", ERR),
        ("none", None, ERR),
        ("overlay (default)", "overlay", OK),
        ("replace", "replace", OK),
    ],
    "prices": [
        ("wrong type", [1, 2], ERR),
        ("bytes path", b"prices.csv", ERR),
        ("empty path", "", ERR),
        ("missing file", "/nonexistent/prices.csv", ERR),
        ("infinite price", _CN.assign(price_usd_per_mwh=[INF]), ERR),
        ("nan price", _CN.assign(price_usd_per_mwh=[NAN]), ERR),
        ("matching no region", _CN.assign(region_code=["ZZ"]), ERR),
        ("table", _CN, OK),
        ("none (shipped table)", None, OK),
    ],
    "climate": [
        ("wrong type", 5, ERR),
        ("data array", xr.DataArray(np.zeros((12, 2, 2)), dims=("month", "lat", "lon")), ERR),
        ("no t2m", xr.Dataset({"x": ("lat", [1.0])}, coords={"lat": [0.0]}), ERR),
        ("none (shipped climatology)", None, OK),
    ],
}

# Which entry point takes which parameter (checked against the signatures below).
ENTRY = {
    "rank_sites": (rank_sites, ("bbox", "demand_metros")),
    "site_report": (site_report, ("points",)),
    "latency_field": (latency_field, ("demand_metros",)),
}
DEFAULTS = {"bbox": BOX, "demand_metros": METROS, "points": POINTS}


# Where one entry point's rule differs from the table (site_report's metros are optional).
OVERRIDE = {("site_report", "demand_metros", "none"): OK}


def _call(entry: str, param: str, value: Any) -> Any:
    func, positional = ENTRY[entry]
    kwargs: dict[str, Any] = {}
    if entry == "latency_field":
        kwargs["bbox"] = BOX
    if entry == "rank_sites":
        kwargs["max_rtt_ms"] = 60.0
    if param == "min_share":
        kwargs["mode"] = "share"
    if param == "weight" and entry == "site_report":
        kwargs["demand_metros"] = METROS  # weights apply to the demand metros
    kwargs[param] = value
    args = [kwargs.pop(p, DEFAULTS[p]) for p in positional]
    return func(*args, **kwargs)


def _digest(result: Any) -> Any:
    """What must not change between a NumPy scalar and the same Python number."""
    if isinstance(result, computeatlas.SiteRanking):
        g = result.grid
        return (g["rank"].values.tolist(), np.round(g["score_usd_per_mwh_it"].values, 9).tolist())
    if isinstance(result, xr.Dataset):
        return {k: np.round(v.values, 9).tolist() for k, v in result.data_vars.items()}
    return np.round(result.select_dtypes("number").to_numpy(float), 9).tolist()


@cache
def _baseline(entry: str, param: str, key: str) -> Any:
    return _digest(_call(entry, param, _PYTHON_VALUES[key]))


_PYTHON_VALUES: dict[str, Any] = {}


def _cases() -> list[Any]:
    cases = []
    kinds = {**NUMBER_KINDS, **TABLE_KINDS}
    for entry, (func, _) in ENTRY.items():
        for param in inspect.signature(func).parameters:
            for case in kinds[param]:
                kind, value, expect = case[:3]
                expect = OVERRIDE.get((entry, param, kind), expect)
                cases.append(
                    pytest.param(
                        entry,
                        param,
                        value,
                        expect,
                        case[3] if len(case) > 3 else None,
                        id=f"{entry}-{param}-{kind}",
                    )
                )
    return cases


def test_table_covers_every_public_parameter():
    for entry, (func, _) in ENTRY.items():
        params = set(inspect.signature(func).parameters)
        missing = params - set(NUMBER_KINDS) - set(TABLE_KINDS)
        assert not missing, (entry, missing)
        for param in params:
            kinds = {c[0] for c in {**NUMBER_KINDS, **TABLE_KINDS}[param]}
            assert any(k.startswith(("none", "wrong type", "scalar")) for k in kinds), param


@pytest.mark.parametrize(("entry", "param", "value", "expect", "python"), _cases())
def test_bad_input_matrix(entry, param, value, expect, python):
    if expect == ERR:
        with pytest.raises(InputError) as info:
            _call(entry, param, value)
        assert param in str(info.value), f"message does not name {param!r}: {info.value}"
        return
    result = _call(entry, param, value)
    if python is not None:  # a NumPy scalar gives exactly the Python number's answer
        key = f"{entry}:{param}:{python!r}"
        _PYTHON_VALUES[key] = python
        assert _digest(result) == _baseline(entry, param, key)


# --- SiteRanking.regions(level, name=): a user's region layer ---------------------------
def _zone_layer() -> Any:
    import geopandas as gpd
    from shapely.geometry import box

    return gpd.GeoDataFrame(
        {"zone": ["a", "b"]},
        geometry=[box(100.05, 30.05, 100.55, 30.95), box(100.55, 30.05, 100.95, 30.95)],
        crs="EPSG:4326",
    )


REGIONS_KINDS: dict[str, list[tuple[Any, ...]]] = {
    "level": [
        ("wrong type", 5, ERR),
        ("unknown name", "admin2", ERR),
        ("none", None, ERR),
        ("plain geometry list", [None], ERR),
        ("empty layer", "empty", ERR),
        ("no crs", "no_crs", ERR),
        ("admin0", "admin0", OK),
        ("user layer", "layer", OK),
    ],
    "name": [
        ("wrong type", 5, ERR),
        ("missing column", "nom", ERR),
        ("geometry column", "geometry", ERR),
        ("none (the 'name' column)", None, ERR),  # the layer has no 'name' column
        ("column", "zone", OK),
    ],
}


@cache
def _small_ranking() -> Any:
    return rank_sites(BOX, METROS, max_rtt_ms=60.0)


def _regions_call(param: str, value: Any) -> Any:
    layer = _zone_layer()
    named = {"empty": layer.iloc[:0], "no_crs": layer.set_crs(None, allow_override=True)}
    named["layer"] = layer
    kwargs: dict[str, Any] = {"level": layer, "name": "zone"}
    kwargs[param] = named.get(value, value) if isinstance(value, str) else value
    if param == "level" and isinstance(value, str) and value in ("admin0", "admin2"):
        kwargs["name"] = None
    return _small_ranking().regions(**kwargs)


def test_regions_table_covers_every_parameter():
    params = set(inspect.signature(computeatlas.SiteRanking.regions).parameters) - {"self"}
    assert params == set(REGIONS_KINDS)


@pytest.mark.parametrize(
    ("param", "value", "expect"),
    [
        pytest.param(p, case[1], case[2], id=f"regions-{p}-{case[0]}")
        for p, cases in REGIONS_KINDS.items()
        for case in cases
    ],
)
def test_regions_bad_input(param, value, expect):
    if expect == ERR:
        with pytest.raises(InputError) as info:
            _regions_call(param, value)
        assert param in str(info.value), f"message does not name {param!r}: {info.value}"
        return
    table = _regions_call(param, value)
    assert len(table) >= 1 and (table["eligible_area_km2"] > 0).all()
