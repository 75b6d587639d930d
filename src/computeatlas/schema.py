"""The output variables of computeatlas, declared once.

Every output (the ranking grid, the site table, the site report, the docs
table) is built from :data:`VARIABLES`: a name with its units in it, a
``long_name``, ``units`` (UDUNITS spelling) and which outputs carry it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BANDED",
    "REACH_THRESHOLDS_MS",
    "VARIABLES",
    "Variable",
    "attrs",
    "for_output",
    "markdown_table",
    "reach_name",
]

#: Round-trip budgets at which the reachable demand is reported [ms].
REACH_THRESHOLDS_MS = (30.0, 50.0)


def reach_name(threshold_ms: float) -> str:
    """Variable name of the demand weight within a round-trip budget."""
    return f"reachable_population_{threshold_ms:g}ms"


@dataclass(frozen=True)
class Variable:
    """One output variable.

    Attributes
    ----------
    name : str
        Column / variable name (units in the name where it has any).
    long_name : str
        CF ``long_name``.
    units : str
        CF ``units`` (``"1"`` for dimensionless).
    outputs : tuple of str
        Where it appears: ``grid`` (``SiteRanking.grid``), ``sites``
        (``SiteRanking.sites``), ``report`` (``site_report``).
    draws : bool
        Only with Monte Carlo draws (``draws > 0``).
    """

    name: str
    long_name: str
    units: str
    outputs: tuple[str, ...] = ("grid", "sites", "report")
    draws: bool = False


_ALL = ("grid", "sites", "report")
VARIABLES: tuple[Variable, ...] = (
    Variable("temperature_mean_c", "annual mean 2 m air temperature", "degC", ("report",)),
    Variable("dew_point_mean_c", "median dew point (50 % exceedance)", "degC", ("report",)),
    Variable("pue", "annual power usage effectiveness", "1"),
    Variable("free_cooling_hours", "hours per year without compressor cooling", "h yr-1"),
    Variable("free_cooling_days", "days per year without any compressor hour", "d yr-1"),
    Variable("hours_free", "hours per year cooled by outdoor air or water alone", "h yr-1"),
    Variable("hours_adiabatic", "hours per year with evaporative assist, no compressor", "h yr-1"),
    Variable("hours_partial_mechanical", "hours per year with compressor trim", "h yr-1"),
    Variable("hours_full_mechanical", "hours per year with full compressor cooling", "h yr-1"),
    Variable("water_l_per_kwh_it", "water evaporated per kWh of IT energy", "L kWh-1"),
    Variable("price_usd_per_mwh", "electricity price", "USD MWh-1"),
    Variable("heat_credit_usd_per_mwh_it", "waste-heat credit", "USD MWh-1"),
    Variable(
        "heat_delivered_mwh_per_mw_it",
        "waste heat delivered to district heating per MW of IT load (sold or donated)",
        "MWh MW-1 yr-1",
    ),
    Variable(
        "heat_delivered_gj_per_mw_it",
        "waste heat delivered to district heating per MW of IT load (sold or donated)",
        "GJ MW-1 yr-1",
    ),
    Variable(
        "heat_season_share",
        "share of the year a district-heating network takes the heat",
        "1",
    ),
    Variable("cost_usd_per_mwh_it", "cost of IT energy (price x PUE - heat credit)", "USD MWh-1"),
    Variable("cost_usd_per_mtoken", "electricity cost per million tokens", "USD Mtoken-1"),
    Variable("carbon_kg_per_mwh_it", "grid CO2 per MWh of IT energy", "kg MWh-1"),
    Variable(
        "score_usd_per_mwh_it",
        "all-in cost of IT energy incl. carbon price (lower is better)",
        "USD MWh-1",
        _ALL,
    ),
    Variable("min_rtt_ms", "fibre round-trip time to the nearest demand metro", "ms"),
    Variable(
        "rtt_mean_ms",
        "demand-weighted mean fibre round-trip time to the metros (ranked cells on a grid)",
        "ms",
    ),
    *(
        Variable(reach_name(t), f"demand weight within {t:g} ms round trip", "1")
        for t in REACH_THRESHOLDS_MS
    ),
)

#: Variables reported as 5th/50th/95th percentiles over Monte Carlo draws; each band
#: takes the units and long name of the variable it bands.
BANDED = ("pue", "cost_usd_per_mwh_it", "cost_usd_per_mtoken")
_PCT = (("p05", "5th"), ("p50", "50th"), ("p95", "95th"))
_BASE = {v.name: v for v in VARIABLES}
VARIABLES += (
    *(
        Variable(
            f"{name}_{key}",
            f"{word} percentile over the draws: {_BASE[name].long_name}",
            _BASE[name].units,
            draws=True,
        )
        for name in BANDED
        for key, word in _PCT
    ),
    Variable(
        "p_top",
        "share of the draws in which the cell is among the top cells",
        "1",
        ("grid", "sites"),
        draws=True,
    ),
)

_BY_NAME = {v.name: v for v in VARIABLES}


def for_output(output: str, *, draws: bool = False) -> list[Variable]:
    """Return the variables one output carries, in declaration order.

    Parameters
    ----------
    output : {"grid", "sites", "report"}
        Which output.
    draws : bool, default False
        Include the variables that exist only with Monte Carlo draws.

    Returns
    -------
    list of Variable
    """
    return [v for v in VARIABLES if output in v.outputs and (draws or not v.draws)]


def attrs(name: str) -> dict[str, str]:
    """CF attributes (``long_name``, ``units``) of a declared variable."""
    v = _BY_NAME[name]
    return {"long_name": v.long_name, "units": v.units}


def markdown_table() -> str:
    """Return the variables as a Markdown table (for the docs)."""
    rows = ["| name | long_name | units | in |", "|---|---|---|---|"]
    for v in VARIABLES:
        where = ", ".join(v.outputs) + (" (with `draws`)" if v.draws else "")
        rows.append(f"| `{v.name}` | {v.long_name} | `{v.units}` | {where} |")
    return "\n".join(rows)
