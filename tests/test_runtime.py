"""Runtime environment: numba's cache on a read-only install, threads under ``workqueue``.

Both run in a fresh interpreter (numba reads its cache folder and threading
layer once per process).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"


def _run(code: str, env: dict[str, str], timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _base_env(pythonpath: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env["PYTHONPATH"] = str(pythonpath)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def test_read_only_install_and_home_falls_back_to_a_writable_cache(tmp_path):
    """No writable __pycache__ beside the kernels and no writable ~/.cache: cache in tempdir.

    Root can write anywhere, so "not writable" is made with regular files where
    numba needs folders (it then cannot create them, as on a read-only mount).
    """
    pkg = tmp_path / "site"
    shutil.copytree(
        SRC / "computeatlas",
        pkg / "computeatlas",
        ignore=shutil.ignore_patterns("__pycache__", "data"),
    )
    (pkg / "computeatlas" / "data").symlink_to(SRC / "computeatlas" / "data")
    (pkg / "computeatlas" / "_kernels" / "__pycache__").write_text("not a folder")
    (tmp_path / "home").write_text("not a folder")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = _base_env(pkg)
    env.update(HOME=str(tmp_path / "home"), XDG_CACHE_HOME=str(tmp_path / "home" / "c"))
    env["TMPDIR"] = str(tmp)
    code = """
        import warnings
        warnings.simplefilter("always")
        import computeatlas
        from computeatlas.models import great_circle_km
        assert computeatlas.__file__.startswith(PKG), computeatlas.__file__
        print(round(float(great_circle_km(0.0, 0.0, 0.0, 1.0)), 3))
    """.replace("PKG", repr(str(pkg)))
    res = _run(code, env)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.split()[-1] == "111.195"  # 1 deg of a 6371.0088 km sphere
    assert "cached in" in res.stderr and "NUMBA_CACHE_DIR" in res.stderr
    cache = tmp / f"computeatlas-numba-{os.getuid()}"
    assert any(cache.rglob("*.nbi")), "the fallback folder holds no numba index"


def test_user_numba_cache_dir_is_left_alone(tmp_path):
    """A user's NUMBA_CACHE_DIR wins and no warning is printed."""
    env = _base_env(SRC)
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "mine")
    res = _run(
        """
        import warnings
        warnings.simplefilter("error")
        from computeatlas._kernels import cache_fallback
        from numba.core import config
        assert cache_fallback() is None
        print(config.CACHE_DIR)
        """,
        env,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.strip() == str(tmp_path / "mine")


@pytest.mark.parametrize("layer", ["workqueue"])
def test_concurrent_calls_under_workqueue_layer(layer):
    """Four threads ranking at once under numba's non-thread-safe layer: no abort, same answers.

    Without :func:`computeatlas.models.serialised_kernels` this child dies with SIGABRT.
    """
    env = _base_env(SRC)
    env["NUMBA_THREADING_LAYER"] = layer
    env["NUMBA_NUM_THREADS"] = "2"
    code = """
        import threading
        import numpy as np
        import numba
        from computeatlas import latency_field, rank_sites

        box, metros = (100, 30, 101, 31), ["Shanghai", "Chengdu"]
        ref = rank_sites(box, metros, max_rtt_ms=60).grid["rank"].values
        ref_lf = latency_field(metros, bbox=box)["min_rtt_ms"].values
        out, errors = [], []
        start = threading.Barrier(4)

        def work(k):
            start.wait()  # all four enter the parallel kernels together
            try:
                for _ in range(2):
                    if k % 2:
                        r = rank_sites(box, metros, max_rtt_ms=60)
                        out.append(("r", r.grid["rank"].values))
                    else:
                        out.append(("l", latency_field(metros, bbox=box)["min_rtt_ms"].values))
            except Exception as err:  # reported below
                errors.append(repr(err))

        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        assert len(out) == 8
        for kind, v in out:
            assert np.array_equal(v, ref if kind == "r" else ref_lf, equal_nan=True)
        print(numba.threading_layer())
    """
    res = _run(code, env)
    assert res.returncode == 0, (res.returncode, res.stderr[-2000:])
    assert res.stdout.split()[-1] == layer
