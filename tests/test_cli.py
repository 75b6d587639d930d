import re
import subprocess
import sys

import pytest

from computeatlas.cli import main


def test_summary(capsys):
    assert main(["summary"]) == 0
    out = capsys.readouterr().out
    assert "climate" in out and "prices" in out and "metros" in out


def test_info_lists_every_layer(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    for layer in (
        "climate",
        "humidity",
        "elevation",
        "countries",
        "admin1",
        "metros",
        "carbon",
        "tables",
    ):
        assert f"{layer}:" in out
    assert "sha256" in out


def test_metros_search(capsys):
    assert main(["metros", "--search", "Seoul"]) == 0
    assert "Seoul, KR" in capsys.readouterr().out


def test_unknown_metro_exits_2_with_one_line():
    proc = subprocess.run(
        [sys.executable, "-m", "computeatlas.cli", "metros", "--search", "Tokio"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "did you mean: Tokyo, JP" in proc.stderr


def _no_ranking(*args, **kwargs):
    raise AssertionError("rank_sites ran although --out was invalid")


@pytest.mark.parametrize(
    ("out", "match"),
    [
        ("x.shp", "unsupported suffix '.shp'; supported: .geojson, .json, .gpkg"),
        ("sites", "no file suffix"),
        ("/nonexistent-folder/x.geojson", "output folder does not exist"),
        ("", "--out is empty"),
    ],
)
def test_rank_checks_out_before_ranking(out, match, monkeypatch, capsys):
    import computeatlas.ranking

    monkeypatch.setattr(computeatlas.ranking, "rank_sites", _no_ranking)
    assert main(["rank", "--metros", "Tokyo", "--out", out, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert re.search(match, err), err


def test_every_export_format_has_a_ranking_writer():
    from computeatlas import cli, export

    assert set(cli.RANKING_WRITERS) == set(export.WRITERS)
