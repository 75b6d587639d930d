"""Every output variable is declared once, with units and long_name, and appears where declared."""

import computeatlas
from computeatlas import schema


def test_every_variable_has_units_and_long_name():
    names = [v.name for v in schema.VARIABLES]
    assert len(names) == len(set(names))
    for v in schema.VARIABLES:
        assert v.long_name and v.units, v.name
        assert set(v.outputs) <= {"grid", "sites", "report"}, v.name


def test_outputs_carry_what_the_schema_declares():
    r = computeatlas.rank_sites((100, 30, 104, 33), ["Chengdu"], max_rtt_ms=30)
    rep = computeatlas.site_report([(31.0, 102.0)], demand_metros=["Chengdu"])
    for v in schema.for_output("grid"):
        assert r.grid[v.name].attrs == schema.attrs(v.name), v.name
    for v in schema.for_output("sites"):
        assert v.name in r.sites.columns, v.name
    for v in schema.for_output("report"):
        assert v.name in rep.columns, v.name
    # every (lat, lon) float variable of the grid has units and a long_name
    for name, da in r.grid.data_vars.items():
        if da.dtype.kind == "f":
            assert da.attrs.get("units") and da.attrs.get("long_name"), name


def test_docs_table_is_current():
    from pathlib import Path

    page = Path(__file__).resolve().parents[1] / "docs" / "_variables_table.md"
    assert page.read_text(encoding="utf-8").strip() == schema.markdown_table().strip()
