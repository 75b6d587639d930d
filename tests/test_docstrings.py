"""numpydoc validation of the public API (every documented name, every parameter)."""

import inspect

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

import computeatlas  # noqa: E402
from computeatlas import datasets, export, models, presets  # noqa: E402
from computeatlas.export import atlas, geometry, qgis  # noqa: E402

#: Checks that must pass (numpydoc codes): docstring present, summary, parameters
#: documented and none unknown, returns documented, section order.
CHECKS = {"GL08", "SS01", "SS03", "PR01", "PR02", "PR06", "RT01", "GL06", "GL07"}


def _public():
    names = [
        "computeatlas.rank_sites",
        "computeatlas.site_report",
        "computeatlas.latency_field",
        "computeatlas.ranking.SiteRanking.regions",
        "computeatlas.ranking.SiteRanking.plot",
        "computeatlas.ranking.SiteRanking.to_gpkg",
        "computeatlas.ranking.SiteRanking.supply_curve",
        "computeatlas.plot.plot_ranking",
        "computeatlas.plot.supply_curve",
        "computeatlas.plot.plot_supply_curve",
        "computeatlas.cli.preset_rows",
        "computeatlas.scenario.Scenario.build",
        "computeatlas.pipeline.evaluate",
        "computeatlas.regions.resolve",
        "computeatlas.grid.Window.from_bbox",
        "computeatlas.grid.Window.at_points",
        "computeatlas.grid.parse_bbox",
        "computeatlas.grid.parse_points",
    ]
    for mod in (models, datasets, presets, export, atlas, geometry, qgis):
        for name in mod.__all__:
            obj = getattr(mod, name)
            if inspect.isfunction(obj):
                names.append(f"{obj.__module__}.{obj.__qualname__}")
    return sorted(set(names))


@pytest.mark.parametrize("name", _public())
def test_numpydoc(name):
    result = numpydoc_validate.validate(name)
    errors = [(code, msg) for code, msg in result["errors"] if code in CHECKS]
    assert not errors, errors


def test_the_validator_sees_a_bad_docstring():
    def bad(x, y):
        """no summary period"""

    bad.__module__ = __name__
    globals()["_bad"] = bad
    result = numpydoc_validate.validate(f"{__name__}._bad")
    codes = {c for c, _ in result["errors"]}
    assert {"SS03", "PR01"} <= codes


def test_public_names_exist():
    assert callable(computeatlas.rank_sites) and callable(computeatlas.site_report)
