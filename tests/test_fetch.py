"""Fetchers: checksum logic offline; real downloads only with -m network."""

import json
import sys

import pytest

from computeatlas import _io
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


# ----------------------------------------------------------------------------- atomic downloads

HELLO_SHA = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"


@pytest.mark.parametrize("text", ["{not json", '["a list"]', '{"a.bin": 3}', "\udcff"])
def test_corrupt_hash_store_is_a_data_error(tmp_path, text):
    store = tmp_path / "hashes.json"
    store.write_bytes(text.encode("utf-8", "surrogateescape"))
    path = tmp_path / "a.bin"
    path.write_bytes(b"hello")
    with pytest.raises(DataError, match="hash store .* delete it"):
        f._verify(path, "a.bin", None, store)
    assert path.exists()  # the download itself is not blamed


def _fake_download(payload: bytes, fail: bool = False):
    calls = []

    def download(url, output, *, progress=False):
        calls.append(url)
        with open(output, "wb") as fh:
            fh.write(payload[: len(payload) // 2] if fail else payload)
        if fail:
            raise ConnectionError("connection reset")

    return download, calls


def test_fetch_writes_atomically_and_records_hash(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COMPUTEATLAS_DATA_DIR", str(tmp_path))
    download, calls = _fake_download(b"hello")
    monkeypatch.setattr(f, "_download", download)
    path = f.fetch("wc2.1_10m_tavg.zip", progress=False)
    assert path == tmp_path / "wc2.1_10m_tavg.zip" and path.read_bytes() == b"hello"
    assert json.loads((tmp_path / "hashes.json").read_text()) == {path.name: HELLO_SHA}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hashes.json", path.name]
    assert f.fetch("wc2.1_10m_tavg.zip", progress=False) == path  # cached: no second download
    assert len(calls) == 1


def test_failed_download_leaves_no_partial_file(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPUTEATLAS_DATA_DIR", str(tmp_path))
    download, _ = _fake_download(b"0123456789", fail=True)
    monkeypatch.setattr(f, "_download", download)
    with pytest.raises(ConnectionError):
        f.fetch("wc2.1_10m_tavg.zip", progress=False)
    with pytest.raises(ConnectionError):
        f.fetch_geoboundaries_adm1("ISL")
    assert list(tmp_path.iterdir()) == []


def test_mismatching_download_never_enters_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPUTEATLAS_DATA_DIR", str(tmp_path))
    name = "geoBoundaries-ISL-ADM1.geojson"
    (tmp_path / "hashes.json").write_text(json.dumps({name: "0" * 64}))
    download, _ = _fake_download(b"tampered")
    monkeypatch.setattr(f, "_download", download)
    with pytest.raises(DataError, match="does not match"):
        f.fetch_geoboundaries_adm1("ISL")
    assert [p.name for p in tmp_path.iterdir()] == ["hashes.json"]


def test_hash_store_update_is_atomic(tmp_path, monkeypatch):
    store = tmp_path / "hashes.json"
    store.write_text('{"old.bin": "' + "1" * 64 + '"}')
    before = store.read_bytes()
    path = tmp_path / "a.bin"
    path.write_bytes(b"hello")

    def denied(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(_io.os, "replace", denied)
    with pytest.raises(PermissionError):
        f._verify(path, "a.bin", None, store)
    assert store.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bin", "hashes.json"]


class _FakeCDS:
    """Stands in for the cdsapi module: Client().retrieve writes ``target``."""

    def __init__(self, fail: bool):
        self.fail = fail

    def Client(self):
        return self

    def retrieve(self, dataset, request, target):
        with open(target, "wb") as fh:
            fh.write(b"CDF\x01 partial" if self.fail else b"CDF\x01 complete")
        if self.fail:
            raise RuntimeError("CDS request failed")


@pytest.mark.parametrize("fail", [False, True])
def test_era5_download_is_atomic(tmp_path, monkeypatch, fail):
    monkeypatch.setitem(sys.modules, "cdsapi", _FakeCDS(fail))
    target = tmp_path / "era5.nc"
    target.write_bytes(b"previous")
    if fail:
        with pytest.raises(RuntimeError, match="CDS"):
            f.fetch_era5_hourly((0, 5, 1, 10), 2020, target)
        assert target.read_bytes() == b"previous"
    else:
        assert f.fetch_era5_hourly((0, 5, 1, 10), 2020, target) == target
        assert target.read_bytes() == b"CDF\x01 complete"
    assert [p.name for p in tmp_path.iterdir()] == ["era5.nc"]  # no era5.nc.part
