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


class _FakeRanking:
    """What ``computeatlas rank`` reads from a ranking (no physics run)."""

    def __init__(self):
        import pandas as pd
        import xarray as xr

        self.grid = xr.Dataset({"eligible": (("lat", "lon"), [[True, False]])})
        self.sites = pd.DataFrame(
            {
                "rank": [1],
                "lat": [40.0],
                "lon": [-3.5],
                "country": ["Spain"],
                "admin1": ["Madrid"],
                "pue": [1.1],
                "price_usd_per_mwh": [80.0],
                "cost_usd_per_mwh_it": [88.0],
            }
        )


def _capture_rank(monkeypatch):
    import computeatlas.ranking

    seen = {}

    def fake(bbox, metros, **kwargs):
        seen.update(bbox=bbox, metros=metros, **kwargs)
        return _FakeRanking()

    monkeypatch.setattr(computeatlas.ranking, "rank_sites", fake)
    return seen


def test_rank_bbox_west_of_greenwich_typed_the_obvious_way(monkeypatch, capsys):
    seen = _capture_rank(monkeypatch)
    assert main(["rank", "--bbox", "-10,35,5,45", "--metros", "Madrid", "--quiet"]) == 0
    assert seen["bbox"] == (-10.0, 35.0, 5.0, 45.0)
    assert "Madrid" in capsys.readouterr().out


def test_rank_passes_every_api_option(monkeypatch, tmp_path, capsys):
    seen = _capture_rank(monkeypatch)
    prices = tmp_path / "p.csv"
    prices.write_text("region_code,price_usd_per_mwh\nES,70\n")
    argv = ["rank", "--metros", "Madrid", "--quiet", "--carbon-price", "40"]
    argv += ["--resolution", "0.5", "--energy-per-token", "2e-4", "--it-mw", "250"]
    argv += ["--heat-price", "-5", "--prices", str(prices)]
    assert main(argv) == 0
    assert seen["carbon_price_usd_per_t"] == 40.0
    assert seen["resolution"] == 0.5
    assert seen["energy_per_token"] == 2e-4
    assert seen["it_mw"] == 250.0
    assert seen["heat_price"] == -5.0  # a signed number is taken as a value, then validated
    assert list(seen["prices"]["region_code"]) == ["ES"]
    assert seen["prices"]["price_usd_per_mwh"].iloc[0] == 70.0


def test_rank_preset_names_pass_through(monkeypatch):
    seen = _capture_rank(monkeypatch)
    argv = ["rank", "--metros", "Madrid", "--quiet", "--energy-per-token", "h100_8b_batch64"]
    assert main(argv) == 0
    assert seen["energy_per_token"] == "h100_8b_batch64"


def test_rank_missing_price_file_exits_2_before_ranking(monkeypatch, capsys):
    import computeatlas.ranking

    monkeypatch.setattr(computeatlas.ranking, "rank_sites", _no_ranking)
    assert main(["rank", "--metros", "Madrid", "--prices", "/nonexistent.csv"]) == 2
    assert "--prices" in capsys.readouterr().err


def test_rank_progress_on_stderr_unless_quiet(monkeypatch, capsys):
    _capture_rank(monkeypatch)
    assert main(["rank", "--metros", "Madrid", "--progress"]) == 0
    err = capsys.readouterr().err
    assert "1/2" in err and "2/2 done" in err and "#" in err
    assert main(["rank", "--metros", "Madrid"]) == 0  # stderr is not a terminal here
    assert capsys.readouterr().err == ""
    assert main(["rank", "--metros", "Madrid", "--quiet", "--progress"]) == 0
    assert capsys.readouterr().err == ""


def test_progress_redraws_in_place_on_a_terminal():
    import io

    from computeatlas.progress import Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    stream = Tty()
    with Progress(2, stream=stream) as bar:
        bar.step("a")
        bar.step("b")
    text = stream.getvalue()
    assert text.count("\r\x1b[2K") >= 3 and text.endswith("2/2 done    0.0 s\n")
    stream = Tty()
    with pytest.raises(ValueError), Progress(2, stream=stream) as bar:
        bar.step("a")
        raise ValueError("boom")
    assert stream.getvalue().endswith("\r\x1b[2K")  # the error message gets a clean line


def test_presets_lists_every_preset_with_source(capsys):
    from computeatlas import presets

    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    for family in ("cooling", "ashrae", "routes", "token_energy", "heat_prices"):
        for name in presets.names(family):
            assert f"  {name}: " in out, name
    assert out.count("\n      source: ") == sum(
        len(presets.names(f))
        for f in ("cooling", "ashrae", "routes", "token_energy", "heat_prices")
    )
    assert "A1: supply air 15-32 degC" in out


def test_presets_one_kind(capsys):
    assert main(["presets", "route"]) == 0
    out = capsys.readouterr().out
    assert "cloud_backbone" in out and "air_side_fleet" not in out
    assert main(["presets", "nonsense"]) == 2
    assert "technology, " in capsys.readouterr().err


def test_help_is_plain_text(capsys):
    for argv in (["--help"], ["rank", "--help"], ["presets", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        out = capsys.readouterr().out
        assert "``" not in out and "usage: computeatlas" in out


def test_rank_draws_print_the_band(capsys):
    base = ["rank", "--bbox", "110,38,116,42", "--metros", "Beijing", "--max-rtt", "20"]
    argv = [*base, "--draws", "16", "--seed", "2", "--quiet", "--show", "3"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "cost_usd_per_mwh_it_p05" in out and "p_top" in out
    assert main([*base, "--draws=-1", "--quiet"]) == 2
    assert "draws" in capsys.readouterr().err
