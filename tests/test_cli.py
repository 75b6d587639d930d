import subprocess
import sys

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
