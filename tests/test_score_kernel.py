"""The fused scoring kernel (models.energy.site_scores) equals the NumPy composition it replaces."""

import numpy as np
import pytest

from computeatlas.errors import InputError
from computeatlas.models import energy
from computeatlas.presets import token_energy

pytestmark = pytest.mark.kernel


def _numpy_composition(price, pue, credit, carbon, land, carbon_price, preset, step):
    """The NumPy passes the pipeline and the ranking used before the fused kernel."""
    cost = energy.cost_usd_per_mwh_it(price, pue, credit)
    score = energy.cost_usd_per_mwh_it(
        price, pue, credit, carbon_price_usd_per_t=carbon_price, carbon_kg_per_mwh=carbon
    )
    score = np.where(land, score, np.nan)
    return {
        "cost_usd_per_mwh_it": cost,
        "cost_usd_per_mtoken": energy.cost_usd_per_mtoken(cost, preset),
        "carbon_kg_per_mwh_it": carbon * pue,
        "score_usd_per_mwh_it": score,
        "tie_key": np.round(score / step),
    }


def _layers(shape, seed=3):
    rng = np.random.default_rng(seed)
    price = rng.uniform(0.0, 300.0, shape)
    pue = rng.uniform(1.0, 1.8, shape)
    credit = rng.uniform(-2.0, 20.0, shape)
    carbon = rng.uniform(0.0, 1100.0, shape)
    land = rng.random(shape) < 0.7
    for a in (price, pue, credit, carbon):  # missing data in every input
        a[rng.random(shape) < 0.05] = np.nan
    return price, pue, credit, carbon, land


@pytest.mark.parametrize("carbon_price", [0.0, 85.0])
@pytest.mark.parametrize("shape", [(37, 53), (41,), (3, 4, 5)])
def test_fused_equals_numpy_composition(shape, carbon_price):
    price, pue, credit, carbon, land = _layers(shape)
    out = energy.site_scores(
        price,
        pue,
        credit,
        carbon_kg_per_mwh=carbon,
        land=land,
        carbon_price_usd_per_t=carbon_price,
        energy_per_token="h100_8b_batch64",
        tie_step_usd_per_mwh=0.01,
    )
    ref = _numpy_composition(
        price, pue, credit, carbon, land, carbon_price, "h100_8b_batch64", 0.01
    )
    for name, want in ref.items():
        got = out.tie_key if name == "tie_key" else out.values[name]
        assert got.shape == shape, name
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, equal_nan=True, err_msg=name)
    assert np.isnan(out.values["score_usd_per_mwh_it"][~land]).all()
    assert out.overflow == ()


def test_worked_example_by_hand():
    # 50 USD/MWh x PUE 1.2 = 60, less a 3 USD/MWh_IT heat credit: 57 USD/MWh_IT;
    # 100 USD/t x 400 kg/MWh / 1000 x 1.2 = 48 USD/MWh_IT of carbon: score 105.
    out = energy.site_scores(
        50.0, 1.2, 3.0, carbon_kg_per_mwh=400.0, carbon_price_usd_per_t=100.0, energy_per_token=0.5
    )
    assert out.values["cost_usd_per_mwh_it"] == pytest.approx(57.0, rel=1e-14)
    assert out.values["score_usd_per_mwh_it"] == pytest.approx(105.0, rel=1e-14)
    assert out.values["cost_usd_per_mtoken"] == pytest.approx(28.5, rel=1e-14)
    assert out.values["carbon_kg_per_mwh_it"] == pytest.approx(480.0, rel=1e-14)
    assert out.tie_key == 10500.0
    # ties: two costs closer than half a cent share the key, a cent apart they do not
    keys = energy.site_scores([57.001, 57.004, 57.011], 1.0, 0.0, carbon_kg_per_mwh=np.nan).tie_key
    assert keys[0] == keys[1] != keys[2]


def test_token_energy_preset_is_used():
    e = token_energy("h100_8b_batch64").mwh_per_mtoken
    out = energy.site_scores(80.0, 1.25, 0.0, carbon_kg_per_mwh=np.nan)
    assert out.values["cost_usd_per_mtoken"] == pytest.approx(100.0 * e, rel=1e-14)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"price_usd_per_mwh": -1.0}, "prices must not be negative"),
        ({"pue": 0.9}, "PUE must be >= 1"),
        ({"carbon_price_usd_per_t": -5.0}, "carbon_price_usd_per_t"),
        ({"tie_step_usd_per_mwh": 0.0}, "tie_step_usd_per_mwh"),
    ],
)
def test_bad_inputs_raise(kwargs, match):
    args = {"price_usd_per_mwh": 50.0, "pue": 1.2, "heat_credit_usd_per_mwh_it": 0.0}
    args.update({k: v for k, v in kwargs.items() if k in args})
    opts = {k: v for k, v in kwargs.items() if k not in args}
    with pytest.raises(InputError, match=match):
        energy.site_scores(
            args["price_usd_per_mwh"],
            args["pue"],
            args["heat_credit_usd_per_mwh_it"],
            carbon_kg_per_mwh=300.0,
            **opts,
        )


def test_overflow_is_reported_not_raised():
    out = energy.site_scores([50.0, 50.0], 1.2, [1e308, 0.0], carbon_kg_per_mwh=300.0)
    assert out.overflow == ("heat_credit_usd_per_mwh_it", "score_usd_per_mwh_it")
    # 1.5e308 USD/MWh_IT is above half the float maximum (8.99e307); off land it is not scored
    out = energy.site_scores(1e308, 1.5, 0.0, carbon_kg_per_mwh=300.0, land=[True, False])
    assert out.overflow == ("score_usd_per_mwh_it",)
    assert np.isnan(out.values["score_usd_per_mwh_it"][1])
    out = energy.site_scores(1e308, 1.5, 0.0, carbon_kg_per_mwh=300.0, energy_per_token=1.0)
    assert out.overflow == ("score_usd_per_mwh_it", "cost_usd_per_mtoken")
    assert energy.site_scores(1e300, 1.5, 0.0, carbon_kg_per_mwh=300.0).overflow == ()
