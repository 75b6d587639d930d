"""Fetchers: checksum logic offline; real downloads only with -m network."""

import json

import pytest

from computeatlas.datasets import fetch as f
from computeatlas.errors import DataError, InputError


def test_verify_pinned_hash(tmp_path):
    path = tmp_path / "a.bin"
    path.write_bytes(b"hello")
    # SHA-256 of b"hello", as printed by `printf hello | sha256sum`.
    digest = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    assert f._verify(path, "a.bin", digest, tmp_path / "hashes.json") == digest
    with pytest.raises(DataError, match="does not match"):
        f._verify(path, "a.bin", "0" * 64, tmp_path / "hashes.json")
    assert not path.exists()  # a corrupt download is removed


def test_verify_trust_on_first_use(tmp_path, capsys):
    store = tmp_path / "hashes.json"
    path = tmp_path / "b.bin"
    path.write_bytes(b"first")
    first = f._verify(path, "b.bin", None, store)
    assert json.loads(store.read_text()) == {"b.bin": first}
    assert "recorded SHA-256" in capsys.readouterr().out
    path.write_bytes(b"tampered")
    with pytest.raises(DataError):
        f._verify(path, "b.bin", None, store)


def test_unknown_remote_file():
    with pytest.raises(InputError, match="unknown remote file"):
        f.fetch("nope.zip")


def test_geoboundaries_code_checked():
    with pytest.raises(InputError, match="alpha-3"):
        f.fetch_geoboundaries_adm1("NO")


def test_cache_dir_env(monkeypatch, tmp_path):
    monkeypatch.setenv("COMPUTEATLAS_DATA_DIR", str(tmp_path))
    assert f.cache_dir() == tmp_path


def test_era5_request_validation(tmp_path):
    with pytest.raises(InputError, match="south < north"):
        f.fetch_era5_hourly((0, 10, 1, 5), 2020, tmp_path / "x.nc")
    with pytest.raises(InputError, match="year"):
        f.fetch_era5_hourly((0, 5, 1, 10), 1800, tmp_path / "x.nc")
    with pytest.raises(InputError, match="output folder does not exist"):
        f.fetch_era5_hourly((0, 5, 1, 10), 2020, tmp_path / "missing" / "x.nc")


@pytest.mark.network
def test_fetch_geoboundaries_real(tmp_path, monkeypatch):
    from computeatlas.datasets import read_regions

    monkeypatch.setenv("COMPUTEATLAS_DATA_DIR", str(tmp_path))
    regions = read_regions(f.fetch_geoboundaries_adm1("ISL"))
    assert len(regions) >= 5
