"""The kernels give the same numbers with and without numba's JIT."""

import json
import os
import subprocess
import sys

import numpy as np

SCRIPT = r"""
import json, numpy as np
from computeatlas._kernels import cooling as k
from computeatlas._kernels.geo import haversine_km
from computeatlas._kernels.psychro import wet_bulb
from computeatlas.models.cooling import pack_parameters
rng = np.random.default_rng(5)
t = rng.uniform(-20, 42, (3, 50)); td = t - rng.uniform(0, 15, t.shape)
p = np.array([101.325, 95.0, 85.0])
out = {}
for tech in ["air_side_fleet", "water_side_economiser", "air_cooled_chiller",
             "direct_liquid_warm_water", "direct_evaporative_wide_envelope"]:
    P = pack_parameters(tech)
    out[tech + "_hourly"] = np.concatenate(
        [np.ravel(a) for a in k.annual_from_hourly(t, td, p, P)]).tolist()
    tm = rng.uniform(-10, 30, (3, 12)); dq = -np.sort(-rng.uniform(-20, 24, (3, 5)), axis=1)
    out[tech + "_monthly"] = np.concatenate([np.ravel(a) for a in k.annual_from_monthly(
        tm, dq, np.array([1.0, 10.0, 50.0, 90.0, 99.0]), np.full(3, 10.0), np.full(3, 3.0), p, P)]
    ).tolist()
out["wb"] = [wet_bulb(a, b, 101.325) for a, b in zip(t[0], td[0])]
out["hav"] = [float(haversine_km(a, b, c, d)) for a, b, c, d in rng.uniform(-80, 80, (20, 4))]
print(json.dumps(out))
"""


def _run(disable: bool) -> dict:
    env = dict(os.environ)
    env["NUMBA_DISABLE_JIT"] = "1" if disable else "0"
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(proc.stdout)


def test_kernels_identical_without_jit():
    jit, py = _run(False), _run(True)
    assert jit.keys() == py.keys()
    for key in jit:
        np.testing.assert_allclose(
            np.array(jit[key], dtype=float),
            np.array(py[key], dtype=float),
            rtol=1e-12,
            atol=1e-12,
            err_msg=key,
        )
