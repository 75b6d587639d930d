"""Recipe: grid carbon intensity by country and sub-national region.

Source: the data files of the PyPI wheel ``codecarbon==3.3.2`` (MIT):

* ``private_infra/global_energy_mix.json``: per country (ISO alpha-3)
  ``carbon_intensity`` [gCO2eq/kWh] and its ``year`` (Our World in Data
  energy dataset, built from Ember and the Energy Institute; CC BY 4.0);
* ``private_infra/2023/usa_emissions.json``: US states, EPA eGRID2023
  annual CO2-equivalent total output emission rate (field STC2ERTA)
  [lb/MWh], converted with 1 lb = 0.45359237 kg (US public domain);
* ``private_infra/2023/china_provincial_emissions.json``: Chinese
  provinces, MEE/NBS announcement 2025 No. 47, 2023 provincial average
  electricity CO2 emission factors [gCO2/kWh] (CO2 only);
* ``private_infra/2023/canada_energy_mix.json``: Canadian provinces,
  2023 generation shares by source [%]; the intensity is the share-weighted
  mean of the per-source life-cycle factors in
  ``private_infra/carbon_intensity_per_source.json`` (the method codecarbon
  itself uses);
* ``private_infra/nordic_emissions.json``: Nordic bidding zones SE1-SE4,
  NO1-NO5 (ENTSO-E generation mix 2025) and FI.

Output: ``src/computeatlas/data/carbon_intensity.csv`` with ``region_code``
(ISO 3166-1 alpha-2, ISO 3166-2 or bidding zone), ``level``, ``name``,
``kg_co2_per_mwh`` [kgCO2(eq)/MWh = gCO2(eq)/kWh], ``year``, ``basis``,
``source`` and ``source_url``.
"""

from __future__ import annotations

import json

import pandas as pd

from _common import OUT, read_member
from _writers import write_csv

WHEEL = "codecarbon==3.3.2"
BASE = "codecarbon/data/private_infra/"
FILENAME = "carbon_intensity.csv"
LB_TO_KG = 0.45359237

CANADA_CODES = {
    "alberta": "CA-AB",
    "british columbia": "CA-BC",
    "manitoba": "CA-MB",
    "new brunswick": "CA-NB",
    "newfoundland and labrador": "CA-NL",
    "northwest territories": "CA-NT",
    "nova scotia": "CA-NS",
    "nunavut": "CA-NU",
    "ontario": "CA-ON",
    "prince edward island": "CA-PE",
    "quebec": "CA-QC",
    "saskatchewan": "CA-SK",
    "yukon": "CA-YT",
}
#: codecarbon's Canada mix keys -> keys of carbon_intensity_per_source.json
CANADA_SOURCES = {
    "naturalGas": "natural_gas",
    "nuclear": "nuclear",
    "petroleum": "petroleum",
    "biomass": "biomass",
    "coal": "coal",
    "solar": "solar",
    "wind": "wind",
    "hydro": "hydroelectricity",
    "tidal": "hydroelectricity",
    "other": None,
}


def _json(name: str):
    return json.loads(read_member(WHEEL, BASE + name))


def build(out_dir=OUT):
    import pycountry

    rows = []
    for iso3, rec in sorted(_json("global_energy_mix.json").items()):
        country = pycountry.countries.get(alpha_3=iso3)
        if country is None or rec.get("carbon_intensity") is None:
            continue
        rows.append(
            (
                country.alpha_2,
                "country",
                rec["country_name"],
                float(rec["carbon_intensity"]),
                int(rec["year"]),
                "life-cycle gCO2eq/kWh of generation",
                "Our World in Data energy dataset (Ember, Energy Institute) via codecarbon",
                "https://github.com/owid/energy-data",
            )
        )
    us = _json("2023/usa_emissions.json")
    src = us["_source"]
    for name, rec in sorted(us.items()):
        if name.startswith("_"):
            continue
        rows.append(
            (
                f"US-{rec['regionCode']}",
                "admin1",
                name.title(),
                round(rec["emissions"] * LB_TO_KG, 3),
                int(src["year"]),
                "direct CO2eq of generation (eGRID total output emission rate)",
                src["name"],
                src["url"],
            )
        )
    cn = _json("2023/china_provincial_emissions.json")
    meta = cn["metadata"]
    for code, rec in sorted(cn["data"].items()):
        rows.append(
            (
                code,
                "admin1",
                rec["description"],
                float(rec["emission_factor"]),
                int(rec["year"]),
                "CO2 only, average of electricity consumed (MEE)",
                "MEE/NBS China, announcement " + meta["announcement"],
                meta["source_url"],
            )
        )
    factors = _json("carbon_intensity_per_source.json")
    for name, mix in sorted(_json("2023/canada_energy_mix.json").items()):
        weighted = total = 0.0
        for key, share in mix.items():
            if key == "total" or not share:
                continue
            factor_key = CANADA_SOURCES[key]
            total += share
            if factor_key is not None:
                weighted += share * factors[factor_key]
        rows.append(
            (
                CANADA_CODES[name],
                "admin1",
                name.title(),
                round(weighted / total, 2),
                2023,
                "life-cycle gCO2eq/kWh, share-weighted per-source factors",
                "Canada Energy Regulator 2023 provincial generation mix via codecarbon; "
                "per-source factors from codecarbon carbon_intensity_per_source.json",
                "https://www.cer-rec.gc.ca/en/data-analysis/energy-markets/"
                "provincial-territorial-energy-profiles/",
            )
        )
    nordic = _json("nordic_emissions.json")
    for code, rec in sorted(nordic["data"].items()):
        zone = "FI-ZONE" if code == "FI" else code
        rows.append(
            (
                zone,
                "bidding_zone",
                rec["description"],
                float(rec["emission_factor"]),
                int(rec["year"]),
                "gCO2eq/kWh of zone generation (lower bound where coverage < 100 %)",
                "ENTSO-E generation per type via codecarbon nordic_emissions.json",
                "https://doi.org/10.5281/zenodo.22285397",
            )
        )
    df = pd.DataFrame(
        rows,
        columns=[
            "region_code",
            "level",
            "name",
            "kg_co2_per_mwh",
            "year",
            "basis",
            "source",
            "source_url",
        ],
    )
    if df["region_code"].duplicated().any():
        raise RuntimeError("duplicate region codes in carbon intensity table")
    df = df.sort_values(["level", "region_code"]).reset_index(drop=True)
    return write_csv(df, out_dir / FILENAME)


if __name__ == "__main__":
    print(build())
