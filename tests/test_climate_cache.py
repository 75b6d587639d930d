"""The pipeline's fused scoring and its bounded cache of climate-only intermediates."""

import numpy as np
import pytest

from computeatlas import _cache, inputs, pipeline
from computeatlas.grid import Window
from computeatlas.models import cooling, energy
from computeatlas.scenario import Scenario


def test_evaluate_scores_equal_the_numpy_composition():
    """The pipeline's fused scores equal the NumPy passes on its own layers and models."""
    window = Window.from_bbox((5, 45, 15, 55), 0.5)
    scenario = Scenario.build(carbon_price_usd_per_t=60.0, energy_per_token=0.002)
    ev = pipeline.evaluate(window, scenario)
    v, reg = ev.values, ev.layers.regions
    price, pue, credit = v["price_usd_per_mwh"], v["pue"], v["heat_credit_usd_per_mwh_it"]
    cost = energy.cost_usd_per_mwh_it(price, pue, credit)
    score = energy.cost_usd_per_mwh_it(
        price, pue, credit, carbon_price_usd_per_t=60.0, carbon_kg_per_mwh=reg.carbon_kg_per_mwh
    )
    score = np.where(ev.layers.land, score, np.nan)
    assert np.isfinite(score).sum() > 100
    for name, want in {
        "cost_usd_per_mwh_it": cost,
        "cost_usd_per_mtoken": cost * 0.002,
        "carbon_kg_per_mwh_it": reg.carbon_kg_per_mwh * pue,
        "score_usd_per_mwh_it": score,
    }.items():
        np.testing.assert_allclose(v[name], want, rtol=1e-12, atol=1e-12, equal_nan=True)
    np.testing.assert_array_equal(ev.tie_key, np.round(score / 0.01))


@pytest.fixture
def global_path(monkeypatch):
    """A small world window that reads the whole shipped layers, as a large one does."""
    monkeypatch.setattr(inputs, "_GLOBAL_DERIVE_CELLS", 1000)
    monkeypatch.delenv("COMPUTEATLAS_CACHE", raising=False)
    calls = []
    real = cooling.climatology_cooling

    def counted(*args, **kwargs):
        calls.append(kwargs.get("technology"))
        return real(*args, **kwargs)

    monkeypatch.setattr(cooling, "climatology_cooling", counted)
    _cache.clear()
    yield calls
    _cache.clear()


def test_repeated_evaluation_reuses_the_climate_only_results(global_path, monkeypatch):
    window = Window.from_bbox("world", 2.0)
    first = pipeline.evaluate(window, Scenario.build())
    assert len(global_path) == 1 and _cache.nbytes() > 0
    first.values["pue"][:] = 99.0  # a caller's changes never reach the cache
    second = pipeline.evaluate(window, Scenario.build(heat_price=40.0))
    assert len(global_path) == 1  # cooling reused: it does not depend on the heat price
    fresh = Window.from_bbox("world", 2.0)
    _cache.clear()
    ref = pipeline.evaluate(fresh, Scenario.build(heat_price=40.0))
    for name in ("pue", "water_l_per_kwh_it", "heat_season_share", "score_usd_per_mwh_it"):
        np.testing.assert_array_equal(second.values[name], ref.values[name], err_msg=name)
    assert len(global_path) == 2
    pipeline.evaluate(window, Scenario.build(technology="water_side_economiser"))
    pipeline.evaluate(window, Scenario.build(ashrae_class="A3"))
    assert len(global_path) == 4  # another preset or class is another entry
    monkeypatch.setenv("COMPUTEATLAS_CACHE", "0")
    pipeline.evaluate(window, Scenario.build())
    assert len(global_path) == 5


def test_cache_is_bounded(global_path, monkeypatch):
    monkeypatch.setattr(_cache, "MAX_ENTRIES", 2)
    window = Window.from_bbox("world", 2.0)
    for tech in ("air_side_fleet", "water_side_economiser", "air_cooled_chiller"):
        pipeline.evaluate(window, Scenario.build(technology=tech))
    assert len(_cache._ENTRIES) == 2
    monkeypatch.setattr(_cache, "MAX_BYTES", 1000)
    src = (object(),)
    _cache.put(src, ("big",), {"a": np.zeros(200)})  # 1600 bytes: not stored
    assert _cache.get(src, ("big",)) is None
    _cache.put(src, ("small",), {"a": np.arange(100.0)})  # 800 bytes: evicts the rest
    assert _cache.nbytes() == 800 and len(_cache._ENTRIES) == 1
    np.testing.assert_array_equal(_cache.get(src, ("small",))["a"], np.arange(100.0))
    assert _cache.get((object(),), ("small",)) is None  # other sources: a miss


def test_small_windows_and_points_are_not_cached(monkeypatch):
    _cache.clear()
    pipeline.evaluate(Window.from_bbox((5, 45, 15, 55), 0.5), Scenario.build())
    pipeline.evaluate(Window.at_points(np.array([50.0]), np.array([8.0])), Scenario.build())
    assert _cache.nbytes() == 0


def test_bands_and_cache_false_neither_read_nor_fill_the_cache(global_path):
    window = Window.from_bbox("world", 2.0)
    bands = -(-window.lat.size // 30)
    pipeline.evaluate_bands(window, Scenario.build(), band_rows=30)  # bands of 5,400 cells
    pipeline.evaluate(window, Scenario.build(), cache=False)
    assert _cache.nbytes() == 0 and len(global_path) == bands + 1
    pipeline.evaluate(window, Scenario.build())
    pipeline.evaluate(window, Scenario.build(), cache=False)
    assert len(global_path) == bands + 3  # the last call computed although an entry exists
