"""Write the example notebooks (stored without outputs; CI executes them with nbmake).

Run ``python notebooks/make_notebooks.py`` after editing the cells below.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat as nbf

HERE = Path(__file__).resolve().parent


def _cell_id(text: str) -> str:
    # Ids derived from the content, so regenerating an unchanged notebook gives the same file.
    return hashlib.sha1(text.strip().encode()).hexdigest()[:8]


def md(text: str):
    return nbf.v4.new_markdown_cell(text.strip(), id=_cell_id(text))


def code(text: str):
    return nbf.v4.new_code_cell(text.strip(), id=_cell_id(text))


NOTEBOOKS = {
    "01_quickstart.ipynb": [
        md("""
# Quick start: a global ranking in five minutes

computeatlas scores every 0.25 deg cell of the globe by the electricity cost of IT energy
(price x PUE - waste-heat credit) and keeps the cells within a round-trip budget of the
metros that use the tokens. Everything below runs offline on the data shipped with the
package (ERA5 climate, ITU-R humidity, cited electricity prices; see `grids/README.md`).
"""),
        code("""
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import computeatlas
"""),
        md("""
Four demand metros. A name resolves to its **metro area** (GeoNames places agglomerated
within 50 km, see `grids/README.md`), and by default each metro is weighted by the area's
population. The weights decide what a `share` question means, so look at them first:
"""),
        code("""
from computeatlas.demand import resolve_metros

metros = ["New York", "London", "Tokyo", "Sao Paulo"]
demand = resolve_metros(metros)
demand.assign(share=demand["weight"] / demand["weight"].sum())[
    ["label", "name", "population", "share"]]
"""),
        md("""
Rank the world, asking that a quarter of the demand is within 50 ms of round trip on the
default route (measured cloud-backbone round trips over corridor paths: 50 ms reach about
2,800 km of path, so no place on Earth is within 50 ms of half of these four metros'
people):
"""),
        code("""
ranking = computeatlas.rank_sites("world", metros, max_rtt_ms=50, mode="share", min_share=0.25)
ranking.grid
"""),
        md("""
**What this answer means.** Tokyo's area holds about 40 % of the four areas' population,
more than the 25 % asked for, so any cell within 50 ms of Tokyo qualifies on its own; São
Paulo (about 24 %), New York (19 %) and London (17 %) each fall short alone and need a
second metro within reach. The winner is therefore "the cheapest power within 50 ms of
Tokyo" (eastern Gansu in China, at the edge of the budget: 49.6-50 ms from Tokyo and
200-300 ms from the other three, on a price row flagged `doubtful_source`): a site for
Tokyo's users, not for all four. Weights change the question: with equal
weights every metro holds 25 % and the cheapest cell near *any one* of them wins.
"""),
        code("""
equal = computeatlas.rank_sites("world", metros, max_rtt_ms=50, mode="share",
                                min_share=0.25, weight="equal")
rtt = [c for c in ranking.sites.columns if c.startswith("rtt_ms_")]
cols = ["rank", "country", "admin1", "cost_usd_per_mwh_it", *rtt]
print("population weights:", int(ranking.grid["eligible"].sum()), "eligible cells")
print("equal weights:     ", int(equal.grid["eligible"].sum()), "eligible cells")
equal.sites[cols].head(3)
"""),
        md("""
Other weights: a column of your own table (`weight="users"`), a callable
(`weight=lambda t: ...` returning one number per metro), or named tuples
`("Frankfurt office", 50.11, 8.68, 120.0)`. For one site serving all four metros, ask
`mode="all"` instead (no cell qualifies at 50 ms; that is an answer too).
"""),
        md("The best cells, with the full cost breakdown (units in the column names):"),
        code("""
cols = ["rank", "country", "admin1", "pue", "price_usd_per_mwh", "cost_usd_per_mwh_it",
        "cost_usd_per_mtoken"]
ranking.sites[cols].head(10)
"""),
        md("The best regions (provinces, states) by their cheapest eligible cell:"),
        code("""
ranking.regions("admin1")[["country_name", "name", "best_cost_usd_per_mwh_it",
                           "mean_cost_usd_per_mwh_it", "eligible_area_km2"]].head(10)
"""),
        code("""
ax = ranking.plot("score_usd_per_mwh_it", vmax=250)  # eligible cells; other land grey
plt.show()
"""),
        md("""
## Export for QGIS

`to_geojson` writes RFC 7946 GeoJSON and a graduated QGIS style (`.qml`) with the same
name. In QGIS, *Layer > Add Layer > Add Vector Layer* and pick the `.geojson`: the style
is applied automatically because the `.qml` sits beside it.
"""),
        code("""
out = Path(tempfile.mkdtemp()) / "best_sites.geojson"
ranking.to_geojson(out)
sorted(p.name for p in out.parent.iterdir())
"""),
        md("""
The GeoPackage is the fuller QGIS product: sites, every eligible cell, regions, metros and
their service areas, each layer with its default style embedded (`docs/qgis.md`).
"""),
        code("""
import pyogrio

gpkg = ranking.to_gpkg(Path(tempfile.mkdtemp()) / "atlas.gpkg")
[name for name, _ in pyogrio.list_layers(gpkg)]
"""),
    ],
    "02_east_asia.ipynb": [
        md("""
# East Asia: can cheap northern power serve Beijing, Shanghai, Seoul and Tokyo?

Inner Mongolia, Hebei, Northeast China and Guizhou have cheap power and (mostly) cool air;
Guangdong, Japan and Korea are close to the users. Where does a token cost least within
50 ms of all four metros?
"""),
        code("""
import matplotlib.pyplot as plt
import pandas as pd
import computeatlas
"""),
        code("""
metros = ["Beijing", "Shanghai", "Seoul", "Tokyo"]
ranking = computeatlas.rank_sites((95, 18, 150, 55), metros, max_rtt_ms=50)
ranking.sites[["rank", "admin1", "pue", "price_usd_per_mwh", "cost_usd_per_mwh_it",
               "rtt_ms_tokyo_jp", "rtt_ms_beijing_cn"]].head(10)
"""),
        md("Provinces side by side (best eligible cell of each):"),
        code("""
regions = ranking.regions("admin1")
regions[["country_name", "name", "best_cost_usd_per_mwh_it", "best_pue",
         "eligible_area_km2"]].head(15)
"""),
        md("""
Specific places through `site_report`: cost per million tokens, latency to each metro, and
where each price comes from (`price_source`; see `docs/data.md` for the fallback rule).
"""),
        code("""
places = pd.DataFrame({
    "place": ["Ulanqab (Inner Mongolia)", "Zhangjiakou (Hebei)", "Harbin (Heilongjiang)",
              "Gui'an (Guizhou)", "Shenzhen (Guangdong)", "Inzai (Japan)", "Chuncheon (Korea)"],
    "lat": [41.03, 40.77, 45.75, 26.40, 22.54, 35.83, 37.88],
    "lon": [113.13, 114.88, 126.65, 106.45, 114.06, 140.15, 127.73],
})
report = computeatlas.site_report(places[["lat", "lon"]], demand_metros=metros)
report.insert(0, "place", places["place"])
report[["place", "pue", "price_usd_per_mwh", "price_source", "cost_usd_per_mwh_it",
        "cost_usd_per_mtoken", "rtt_ms_beijing_cn", "rtt_ms_tokyo_jp"]]
"""),
        code("""
ax = ranking.plot("cost_usd_per_mwh_it", vmax=200)
plt.show()
"""),
        md("Ranks as classes, and the round trip to one metro:"),
        code("""
fig, (left, right) = plt.subplots(1, 2, figsize=(16, 6))
ranking.plot("rank", ax=left)
ranking.plot("rtt_ms", metro="Tokyo", ax=right, where="land")
plt.show()
"""),
        md("""
The supply curve: how much eligible land is there at each cost? (Whole 0.25 deg cells;
pass `mw_per_km2=` or a `capacity_mw=` table for megawatts.)
"""),
        code("""
from computeatlas.plot import plot_supply_curve

curve = ranking.supply_curve()
plot_supply_curve(curve, x="area")
plt.show()
curve.head()
"""),
    ],
    "03_europe.ipynb": [
        md("""
# Europe: the Nordics and Ireland against Frankfurt, London, Paris and Amsterdam demand

The "FLAP" metros hold most of Europe's data-centre demand. The Nordics offer cool air and
hydro power, Ireland a mild climate. Which wins within 30 ms and within 50 ms?
"""),
        code("""
import computeatlas
"""),
        code("""
flap = ["Frankfurt", "London", "Paris", "Amsterdam"]
results = {}
for budget in (30, 50):
    r = computeatlas.rank_sites((-12, 35, 35, 72), flap, max_rtt_ms=budget)
    results[budget] = r
    print(f"{budget} ms: {int(r.grid['eligible'].sum())} eligible cells")
results[50].regions("admin0")[["name", "best_cost_usd_per_mwh_it", "best_pue",
                               "eligible_area_km2"]].head(12)
"""),
        md("How much of the FLAP demand each Nordic and Irish site reaches, and at what cost:"),
        code("""
places = [(65.58, 22.15), (60.67, 17.15), (59.91, 10.75), (60.17, 24.94), (55.68, 12.57),
          (53.35, -6.26)]
names = ["Lulea", "Gavle", "Oslo", "Helsinki", "Copenhagen", "Dublin"]
rep = computeatlas.site_report(places, demand_metros=flap, technology="direct_liquid_warm_water",
                          heat_price="sold")
rep.insert(0, "site", names)
rep[["site", "pue", "price_usd_per_mwh", "price_source", "heat_credit_usd_per_mwh_it",
     "cost_usd_per_mwh_it"] + [c for c in rep.columns if c.startswith("rtt_ms_")]]
"""),
    ],
    "04_bring_your_own_data.ipynb": [
        md("""
# Bring your own data: hourly ERA5, your prices, your regions

The notebook makes small sample files itself (no download), in the formats you would get
from the Copernicus Climate Data Store, a price spreadsheet and a GIS layer.
"""),
        code("""
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr
from shapely.geometry import box

import computeatlas
from computeatlas import datasets
from computeatlas.models import annual_cooling

work = Path(tempfile.mkdtemp())
"""),
        md("""
## 1. An hourly ERA5 file

ERA5 from the CDS has `t2m` and `d2m` in kelvin, latitude from north to south and
longitude from 0 to 360; `read_era5` normalises all of that (see
`docs/grid-conventions.md`). Here: one synthetic year for a 1 x 1.25 deg box over
southern Sweden, built from a seasonal and a daily cycle.
"""),
        code("""
time = pd.date_range("2023-01-01", periods=8760, freq="h")
lat = np.arange(60.0, 58.99, -0.25)           # north to south, like ERA5
lon = np.arange(15.0, 16.26, 0.25)
doy = time.dayofyear.values[:, None, None]
hour = time.hour.values[:, None, None]
t = 6 - 10 * np.cos(2 * np.pi * (doy - 15) / 365) + 4 * np.cos(2 * np.pi * (hour - 15) / 24)
t = t + np.zeros((1, lat.size, lon.size)) + 273.15
ds = xr.Dataset({"t2m": (("valid_time", "latitude", "longitude"), t, {"units": "K"}),
                 "d2m": (("valid_time", "latitude", "longitude"), t - 4.0, {"units": "K"})},
                coords={"valid_time": time, "latitude": lat, "longitude": lon})
ds.to_netcdf(work / "era5_hourly.nc")
era5 = datasets.read_era5(work / "era5_hourly.nc")
era5
"""),
        code("""
cool = annual_cooling(era5, technology="water_side_economiser")
cool["pue"].round(3).to_pandas()
"""),
        md("""
## 2. Your own price table

Prices as published (price, currency, unit, year), converted with the exchange rates you
give (`fx={"EUR": 1.08}`) or, as here, with the shipped annual average of each row's year
(`fx="shipped"`: ECB reference rates, see `datasets.exchange_rates()`). Region codes are
ISO 3166-1 (`SE`), ISO 3166-2 (`US-TX`) or Nordic zones (`SE3`). The numbers below are
an example of a user's own table, not shipped data. Your rows replace the shipped rows of
the same regions and every other region keeps its shipped price (`prices_mode="replace"`
uses your table alone); `price_flags` says `user_table` where your row was used.
"""),
        code("""
prices = pd.DataFrame({"region_code": ["SE3", "SE4", "NO1", "DK", "DE"],
                       "price": [38.0, 55.0, 40.0, 0.12, 0.15],
                       "currency": ["EUR", "EUR", "EUR", "EUR", "EUR"],
                       "unit": ["per_MWh", "per_MWh", "per_MWh", "per_kWh", "per_kWh"],
                       "year": [2024] * 5})
prices.to_csv(work / "my_prices.csv", index=False)
table = datasets.read_price_table(work / "my_prices.csv", fx="shipped")
eur_2024 = datasets.exchange_rates().query("currency == 'EUR' and year == 2024")
print(f"USD per EUR, 2024 (ECB annual mean): {eur_2024['usd_per_unit'].item():.4f}")
table[["region_code", "level", "price_usd_per_mwh"]]
"""),
        code("""
ranking = computeatlas.rank_sites((5, 53, 25, 63), ["Stockholm", "Copenhagen", "Oslo"],
                             max_rtt_ms=15, prices=table)
ranking.sites[["rank", "country", "admin1", "price_usd_per_mwh", "price_flags",
               "cost_usd_per_mwh_it"]].head()
"""),
        md("""
## 3. Your own regions

Any polygon layer (GeoPackage, Shapefile, GeoJSON, GeoParquet) in any CRS: `read_regions`
checks it and reprojects it to EPSG:4326, and `ranking.regions(...)` aggregates the
ranking over it exactly as over countries and provinces (a cell belongs to the polygon
containing its centre; the labels are cached per layer). Here two made-up planning zones.
"""),
        code("""
zones = gpd.GeoDataFrame({"zone": ["west", "east"]},
                         geometry=[box(5, 53, 15, 63), box(15, 53, 25, 63)], crs="EPSG:4326")
zones.to_crs(3006).to_file(work / "zones.gpkg")       # stored in SWEREF99 TM
mine = datasets.read_regions(work / "zones.gpkg", name_column="zone")
ranking.regions(mine)[["name", "best_cost_usd_per_mwh_it", "mean_cost_usd_per_mwh_it",
                       "eligible_area_km2", "best_lat", "best_lon"]]
"""),
        md("""
A GeoDataFrame in any CRS works as well (`name=` picks the column of names); polygons
crossing 180 deg, as a reprojection leaves them, are split at the antimeridian.
"""),
        code("""
ranking.regions(zones.to_crs(3006), name="zone")[["name", "eligible_area_km2"]]
"""),
        md("""
## 4. A climatology at its own resolution (WorldClim-style GeoTIFFs)

WorldClim 2.1 (`datasets.fetch.fetch_worldclim_tavg()`, network) ships monthly mean
temperature as 12 single-band GeoTIFFs at 10 arc-minutes in degC, cell edges on multiples
of 1/6 deg, ocean as nodata. The files below only imitate that layout so that the notebook
runs offline: the shipped ERA5 climatology, regridded onto 10 arc-min cells and masked to
land. They are not WorldClim data.
"""),
        code("""
import rasterio
from rasterio.transform import from_origin

from computeatlas.regrid import regrid

step = 1 / 6                                          # 10 arc-min
west, south, east, north = 4, 52, 26, 64
lat10 = south + step * (np.arange(round((north - south) / step)) + 0.5)
lon10 = west + step * (np.arange(round((east - west) / step)) + 0.5)
shipped = datasets.climate().sel(lat=slice(51.5, 64.5), lon=slice(3.5, 26.5))
t10 = regrid(shipped["t2m"], lat10, lon10, step)       # conservative, 0.25 -> 1/6 deg
land = regrid(datasets.elevation()["land_fraction"].sel(lat=slice(51.5, 64.5),
                                                        lon=slice(3.5, 26.5)).fillna(0),
              lat10, lon10, step) > 0.5
nodata = -3.4e38
for m in range(12):
    band = np.where(land, t10.isel(month=m).values, nodata)[::-1]     # north up
    with rasterio.open(work / f"wc2.1_10m_tavg_{m + 1:02d}.tif", "w", driver="GTiff",
                       width=lon10.size, height=lat10.size, count=1, dtype="float32",
                       crs="EPSG:4326", transform=from_origin(west, north, step, step),
                       nodata=nodata) as dst:
        dst.write(band.astype("float32"), 1)
sorted(p.name for p in work.glob("wc2.1_*.tif"))[:3]
"""),
        md("""
Read the 12 files with `read_climate_geotiff` (GeoTIFF has no units field, so `units=`
is required and checked) and stack them on `month`. `rank_sites` regrids the climatology
onto its 0.25 deg cells by **area-conservative means** (the area-weighted mean of the 10'
cells each 0.25 deg cell overlaps; nodata cells are left out, so a coastal cell takes the
mean of its land part) and records how in `grid.attrs["climate_regrid"]`. A climate whose
cell centres are already the ranking's (ERA5-Land at 0.1 deg with `resolution=0.1`) is used
as it is; `computeatlas.regrid.regrid(..., method="nearest")` is there for categorical layers.
"""),
        code("""
months = [datasets.read_climate_geotiff(work / f"wc2.1_10m_tavg_{m:02d}.tif", units="degC")
          for m in range(1, 13)]
worldclim_style = xr.concat(months, dim=pd.Index(range(1, 13), name="month"))
mine_clim = computeatlas.rank_sites((5, 53, 25, 63), ["Stockholm", "Copenhagen", "Oslo"],
                                    max_rtt_ms=15, prices=table, climate=worldclim_style)
print(mine_clim.grid.attrs["climate_regrid"])
both = pd.DataFrame({"shipped ERA5": ranking.grid["pue"].values.ravel(),
                     "10' file": mine_clim.grid["pue"].values.ravel()}).dropna()
both.describe().loc[["count", "mean", "min", "max"]].round(4)
"""),
        md("""
The two PUE fields agree closely because the 10' file was made from the same ERA5
climatology; the small differences come from regridding twice and from the land mask
(coastal cells now average their land part only). With the real WorldClim files the
differences are the information: a 1 km or 10' climatology resolves valleys, coasts and
mountains that a 0.25 deg reanalysis smooths.
"""),
    ],
    "05_sensitivity.ipynb": [
        md("""
# Sensitivity: technology, ASHRAE class, heat price, route factor, energy per token

How much does each assumption move the answer? All inputs are presets with cited sources
(`docs/models.md`) or plain numbers.
"""),
        code("""
import matplotlib.pyplot as plt
import pandas as pd
import computeatlas
from computeatlas import presets
"""),
        code("""
sites = {"Lulea": (65.58, 22.15), "Frankfurt": (50.11, 8.68), "Phoenix": (33.45, -112.07),
         "Singapore": (1.35, 103.82)}
points = list(sites.values())
rows = []
for tech in presets.names("cooling"):
    for cls in ("recommended", "A1", "A3"):
        rep = computeatlas.site_report(points, technology=tech, ashrae_class=cls)
        for name, pue in zip(sites, rep["pue"], strict=True):
            rows.append({"site": name, "technology": tech, "ashrae_class": cls, "pue": pue})
pue = pd.DataFrame(rows).pivot_table(index=["technology", "ashrae_class"], columns="site",
                                     values="pue")
pue.round(3)
"""),
        code("""
ax = pue.xs("A1", level="ashrae_class").T.plot.bar(figsize=(8, 4))
ax.set_ylabel("annual PUE [1]")
ax.set_title("PUE by cooling technology, ASHRAE A1")
plt.show()
"""),
        md("""
Waste heat is worth something only with a heat price, a heating season and a town. The
default hall recovers 80 % of its heat through 27 degC water coils (the Meta Odense design);
an ammonia heat pump (`heat_pump="industrial"`, Jensen et al. 2018, the default) lifts it
to a 70 degC network, and its electricity is charged at the site's price. `market` prices
heat by country on an offtake basis (Denmark: the 2024 surplus-heat price cap, 110 DKK/GJ;
Sweden: a lower bound from Stockholm Exergi's payment) and counts nothing where no offtake
price is published. Hohhot (a Hohhot-type northern
Chinese city on its published 15 October - 15 April season) and Hamina (an Odense-type
Nordic town network fed by an air-cooled hall) earn a credit when heat is sold. Odense
(Danish electricity at Eurostat's 2025 business price excl. VAT, 137 USD/MWh) earns a
credit at `avoided_cost` and under `market` (the Danish cap) but not at `sold`: its
electricity costs more than the `sold` break-even shown below.
"""),
        code("""
cases = {"Odense": (55.40, 10.39), "Hohhot": (40.84, 111.75), "Hamina": (60.57, 27.20)}
cols = ["price_usd_per_mwh", "heat_season_share", "heat_delivered_mwh_per_mw_it",
        "heat_delivered_gj_per_mw_it", "heat_credit_usd_per_mwh_it", "cost_usd_per_mwh_it"]
rows = []
for hp in ("donated", "sold", "avoided_cost", "market"):
    for pump in ("industrial", "ground"):
        r = computeatlas.site_report(list(cases.values()), heat_price=hp, heat_pump=pump)
        r.insert(0, "site", list(cases))
        r.insert(1, "heat_price", hp)
        r.insert(2, "heat_pump", pump)
        rows.append(r[["site", "heat_price", "heat_pump"] + cols])
heat_table = pd.concat(rows).set_index(["site", "heat_price", "heat_pump"]).sort_index()
heat_table.round(2)
"""),
        md("""
The credit is positive only where electricity costs less than `heat price x COP` (the heat
pump's margin per MWh of recovered heat, `models.heat.heat_credit`). Break-even
electricity prices at 27 -> 70 degC for each heat price, with both COP models:
"""),
        code("""
from computeatlas.models import heat_pump_cop

prices_heat = {hp: presets.heat_price(hp) for hp in ("sold", "avoided_cost", "market")}
prices_heat = {hp: (p.for_countries(["DK"])[0] if p.by_country else p.usd_per_mwh_heat)
               for hp, p in prices_heat.items()}
pd.DataFrame({pump: {hp: round(p * float(heat_pump_cop(27.0, 70.0, kind=pump)), 1)
                     for hp, p in prices_heat.items()}
              for pump in ("industrial", "ground")}).rename_axis("heat price (DK row for market)")
"""),
        md("The route factor sets how far a site may be: service radius for 30 and 50 ms:"),
        code("""
from computeatlas.models import service_radius_km
pd.DataFrame({r: service_radius_km([30, 50], route=r).round(0)
              for r in presets.names("routes")}, index=["30 ms [km]", "50 ms [km]"])
"""),
        md("""
Every preset but `geographic` measures distance along the great circle. `geographic`
follows a coarse corridor graph of cited submarine cables (`presets/corridors.toml`):
Europe - Asia runs via Suez and Singapore, not over Russia; Israel - Gulf via the
Mediterranean. The same fit on measured Azure round trips gives it 8.1 % median error on
held-back pairs against 13.4 % for the great-circle default (docs/models.md):
"""),
        code("""
from computeatlas.models import corridors, great_circle_km, rtt_ms
pairs = {"London - Tokyo": (51.51, -0.13, 35.68, 139.69),
         "Frankfurt - Mumbai": (50.11, 8.68, 19.08, 72.88),
         "Tel Aviv - Doha": (32.08, 34.78, 25.29, 51.53),
         "Paris - Berlin": (48.85, 2.35, 52.52, 13.40)}
pd.DataFrame({name: {"great circle [km]": float(great_circle_km(*p)),
                     "corridor path [km]": float(corridors.path_km(*p)),
                     "cloud_backbone [ms]": float(rtt_ms(*p, route="cloud_backbone")),
                     "geographic (default) [ms]": float(rtt_ms(*p))}
              for name, p in pairs.items()}).T.round(1)
"""),
        md("""
The essay's latency claims under every preset (modelled round trip [ms]; the claim in the
column header). Sites in mainland China reaching Seoul or Tokyo cross the mainland border:
`site_report` flags those metros (`china_border_metros`), their round trips are lower bounds.
"""),
        code("""
from computeatlas.datasets import find_metro
hohhot = find_metro("Hohhot", kind="places")
quebec = find_metro("Quebec", kind="places")
reykjavik = find_metro("Reykjavik", kind="places")
claims = {"Hohhot - Beijing (<= 5)": (hohhot, "Beijing"),
          "Hohhot - Shanghai (<= 18)": (hohhot, "Shanghai"),
          "Hohhot - Seoul (<= 25)": (hohhot, "Seoul"),
          "Hohhot - Tokyo (<= 38)": (hohhot, "Tokyo"),
          "Quebec - New York (<= 30)": (quebec, "New York"),
          "Reykjavik - London (> 50)": (reykjavik, "London")}
table = {}
for label, (a, city) in claims.items():
    b = find_metro(city, kind="places")
    table[label] = {r: float(rtt_ms(a["lat"], a["lon"], b["lat"], b["lon"], route=r))
                    for r in presets.names("routes")}
pd.DataFrame(table).T.round(1)
"""),
        md("Energy per token scales the cost per million tokens linearly:"),
        code("""
rep = computeatlas.site_report(points)
for e in (presets.token_energy().mwh_per_mtoken, 1e-4, 3e-4):
    costs = rep["cost_usd_per_mwh_it"] * e
    print(f"{e:.2e} MWh/Mtoken: " + ", ".join(f"{n} {c:.4f}" for n, c in zip(sites, costs,
                                                                         strict=True)))
"""),
    ],
    "06_how_sure.ipynb": [
        md("""
# How sure is it? Bands, p_top and p_best

Every cost computeatlas reports rests on parameters that are uncertain: the UPS and fan
efficiencies of a hall, the set points its operator runs, the basis and age of an
electricity price row, the route a fibre takes, the price of heat. With `draws=N`
computeatlas redoes the whole pipeline `N` times over the cited parameter ranges of
`presets/uncertainty.toml` (docs/uncertainty.md), with the *same* draw for every cell and
site (paired draws), and reports

* `*_p05`, `*_p50`, `*_p95` for `pue`, `cost_usd_per_mwh_it` and `cost_usd_per_mtoken`;
* `p_top`: the share of draws in which a cell is among the `top` cells;
* `p_best` per region: the share of draws in which the region holds the cheapest eligible cell.
"""),
        code("""
import matplotlib.pyplot as plt
import computeatlas
"""),
        md("## East Asia: within 50 ms of Beijing, Shanghai, Seoul and Tokyo"),
        code("""
metros = ["Beijing", "Shanghai", "Seoul", "Tokyo"]
east = computeatlas.rank_sites((95, 18, 150, 55), metros, max_rtt_ms=50, draws=64, seed=0)
cols = ["rank", "admin1", "cost_usd_per_mwh_it", "cost_usd_per_mwh_it_p05",
        "cost_usd_per_mwh_it_p50", "cost_usd_per_mwh_it_p95", "p_top"]
east.sites[cols].head(10).round(3)
"""),
        md("""
The point ranking's top cells are close to ties; `p_top` says how often each one stays in
the top 100 when the parameters move. Per province, the chance of holding the cheapest
cell (`p_best`, summing to 1) and the ranking by the median cost of the best cell:
"""),
        code("""
reg = east.regions("admin1")
reg[reg["p_best"] > 0][["name", "best_cost_usd_per_mwh_it", "best_cost_p50_usd_per_mwh_it",
                        "p_best", "rank_by_p_best", "rank_by_median_cost",
                        "price_basis", "price_flags"]].sort_values("rank_by_p_best")
"""),
        md("## Europe: within 30 ms of Frankfurt, London, Paris and Amsterdam"),
        code("""
flap = ["Frankfurt", "London", "Paris", "Amsterdam"]
europe = computeatlas.rank_sites((-12, 35, 35, 72), flap, max_rtt_ms=30, draws=64, seed=0)
reg = europe.regions("admin0")
reg[reg["p_best"] > 0][["name", "best_cost_usd_per_mwh_it", "best_cost_p50_usd_per_mwh_it",
                        "p_best", "rank_by_p_best", "price_basis", "price_flags"]]
"""),
        code("""
top = europe.regions("admin0").sort_values("best_cost_usd_per_mwh_it").head(8)
fig, ax = plt.subplots(figsize=(8, 3.5))
g = europe.grid
for k, row in enumerate(top.itertuples()):
    cell = dict(lat=row.best_lat, lon=row.best_lon)
    lo, mid, hi = (float(g[f"cost_usd_per_mwh_it_{q}"].sel(**cell)) for q in ("p05", "p50", "p95"))
    ax.errorbar(k, mid, yerr=[[mid - lo], [hi - mid]], fmt="o", capsize=4)
ax.set_xticks(range(len(top)), top["name"], rotation=30, ha="right")
ax.set_ylabel("cost of IT energy [USD/MWh_IT]")
ax.set_title("best cell per country: median and 5-95 % band over 64 draws")
plt.tight_layout()
plt.show()
"""),
        md("""
## What drives a site's spread?

`computeatlas.sensitivity` estimates first-order indices (the share of a site's variance
explained by each parameter alone) from the same paired draws:
"""),
        code("""
sites = [(40.84, 111.75), (50.11, 8.68), (33.45, -112.07)]  # Hohhot, Frankfurt, Phoenix
s = computeatlas.sensitivity(sites, draws=256, seed=0)
s.groupby("site").head(3).round(3)
"""),
        code("""
computeatlas.sensitivity(sites, variable="pue", draws=256, seed=0).groupby("site").head(3).round(3)
"""),
        md("""
Where the price row is on an uncertain basis (a 2022 crisis-year price, a tariff without
its network charges, a fallback median), the price factor drives the cost; the PUE's spread
comes from the UPS efficiency and the fans in cool places and from the supply-air limit in
hot ones (Lei & Masanet 2020 also find climate and UPS efficiency the most important).
"""),
    ],
}


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        nb = nbf.v4.new_notebook()
        nb["cells"] = cells
        nb["metadata"] = {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        }
        nbf.write(nb, HERE / name)
        print(HERE / name)


if __name__ == "__main__":
    main()
