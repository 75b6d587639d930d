"""Cited presets (cooling technologies, ASHRAE classes, fibre routes, token energy, heat prices).

Each preset family lives in a TOML file beside this module with a source for
every number; :func:`cooling`, :func:`ashrae_class`, :func:`route`,
:func:`token_energy` and :func:`heat_price` load them into frozen, validated
dataclasses. An unknown name raises :class:`~computeatlas.errors.UnknownNameError`
listing the known ones.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from computeatlas.errors import InputError, UnknownNameError

__all__ = [
    "AshraeClass",
    "CoolingTechnology",
    "Corridors",
    "HeatPrice",
    "HeatingSeason",
    "Route",
    "TokenEnergy",
    "ashrae_class",
    "cooling",
    "corridors",
    "heat_price",
    "heating_seasons",
    "names",
    "route",
    "route_from_attrs",
    "token_energy",
    "uncertainty_table",
]


@cache
def _load(name: str) -> dict[str, Any]:
    text = (files("computeatlas.presets") / f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _pick(family: str, key: str, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    table = {k: v for k, v in _load(family).items() if isinstance(v, dict) and k not in skip}
    if not isinstance(key, str) or key not in table:
        close = difflib.get_close_matches(str(key), list(table), n=3, cutoff=0.5)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UnknownNameError(
            f"unknown {family} preset {key!r}; known: {', '.join(sorted(table))}.{hint}"
        )
    return table[key]


def _is_number(value: Any) -> bool:
    """Tell whether ``value`` is a Python or NumPy real number (not a bool)."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def names(family: str) -> list[str]:
    """List the names of the presets of one family.

    Parameters
    ----------
    family : str
        ``cooling``, ``ashrae``, ``routes``, ``token_energy`` or ``heat_prices``.

    Returns
    -------
    list of str
    """
    table = _load(family).items()
    return sorted(k for k, v in table if isinstance(v, dict) and k not in ("common", "aliases"))


@dataclass(frozen=True)
class AshraeClass:
    """An ASHRAE TC 9.9 (2021) IT inlet envelope.

    Attributes
    ----------
    name : str
    t_min_c, t_max_c : float
        Supply-air dry-bulb limits [degC].
    dp_min_c, dp_max_c : float
        Supply-air dew-point limits [degC].
    rh_max_pct : float
        Upper relative-humidity limit [%].
    """

    name: str
    t_min_c: float
    t_max_c: float
    dp_min_c: float
    dp_max_c: float
    rh_max_pct: float
    source: str = ""

    def __post_init__(self) -> None:
        values = (self.t_min_c, self.t_max_c, self.dp_min_c, self.dp_max_c, self.rh_max_pct)
        if not all(_is_number(v) and math.isfinite(float(v)) for v in values):
            raise InputError(f"ashrae_class {self.name!r}: every limit must be a finite number")
        ok = (
            self.t_min_c < self.t_max_c
            and self.dp_min_c < self.dp_max_c <= self.t_max_c
            and 0.0 < self.rh_max_pct <= 100.0
        )
        if not ok:
            raise InputError(
                f"ashrae_class {self.name!r} (envelope): need t_min_c < t_max_c, "
                f"dp_min_c < dp_max_c <= t_max_c and 0 < rh_max_pct <= 100, got {values}"
            )


def ashrae_class(name: str | AshraeClass = "A1") -> AshraeClass:
    """Return an IT inlet envelope (or pass one through).

    ASHRAE TC 9.9 classes ``recommended``, ``A1`` .. ``A4``, and the
    operator envelope ``ocp_forest_city`` (Facebook/OCP, 2012).

    Parameters
    ----------
    name : str or AshraeClass, default "A1"
        Class name.

    Returns
    -------
    AshraeClass
    """
    if isinstance(name, AshraeClass):
        return name
    return AshraeClass(name=name, **_pick("ashrae", name))


@dataclass(frozen=True)
class CoolingTechnology:
    """Parameters of a cooling technology (see ``cooling.toml`` for each source).

    Temperatures in degC, temperature differences in K, pressures in Pa,
    efficiencies and fractions dimensionless (per unit of IT power).
    ``chw_supply_c`` None means the chilled water follows the envelope's
    supply-air limit through ``coil_effectiveness``; ``envelope`` names a
    design envelope (:func:`ashrae_class`) that replaces the scenario's class.
    """

    name: str
    description: str
    economiser: str
    adiabatic: bool
    evap_effectiveness: float
    ups_efficiency: float
    distribution_loss: float
    lighting: float
    fan_pressure_pa: float
    fan_efficiency: float
    air_delta_t_k: float
    chiller_rated_cop: float
    chiller_rated_cond_c: float
    chiller_rated_evap_c: float
    pump_fraction: float
    heat_recovery_fraction: float
    heat_source_c: float
    chw_supply_c: float | None = None
    coil_effectiveness: float = 0.8
    envelope: str = ""
    chw_delta_t_k: float = 6.0
    tower_approach_k: float = 4.75
    hx_approach_k: float = 2.0
    evaporative_fraction: float = 0.0
    liquid_fraction: float = 0.0
    facility_supply_c: float = 40.0
    dry_cooler_approach_k: float = 5.0

    def __post_init__(self) -> None:
        numbers = [f.name for f in fields(self) if f.type in ("float", "float | None")]
        for name in numbers:
            value = getattr(self, name)
            if value is None and name == "chw_supply_c":  # follows the envelope
                continue
            if isinstance(value, (bool, np.bool_)) or not isinstance(
                value, (int, float, np.integer, np.floating)
            ):
                raise InputError(
                    f"cooling preset {self.name!r}: {name} must be a number, got {value!r}"
                )
            if not math.isfinite(float(value)):
                raise InputError(
                    f"cooling preset {self.name!r}: {name} must be finite, got {value!r}"
                )
            object.__setattr__(self, name, float(value))
        self._check_ranges()

    def _check_ranges(self) -> None:
        fractions = ("distribution_loss", "lighting", "pump_fraction")
        checks = {
            **{k: 0.0 <= getattr(self, k) < 1.0 for k in fractions},
            "evaporative_fraction": 0.0 <= self.evaporative_fraction <= 1.0,
            "fan_pressure_pa": self.fan_pressure_pa >= 0.0,
            "chw_delta_t_k": self.chw_delta_t_k > 0.0,
            **{
                k: getattr(self, k) >= 0.0
                for k in ("tower_approach_k", "hx_approach_k", "dry_cooler_approach_k")
            },
            "ups_efficiency": 0.5 < self.ups_efficiency <= 1.0,
            "fan_efficiency": 0.1 < self.fan_efficiency <= 1.0,
            "evap_effectiveness": 0.0 <= self.evap_effectiveness <= 1.0,
            "liquid_fraction": 0.0 <= self.liquid_fraction <= 1.0,
            "heat_recovery_fraction": 0.0 <= self.heat_recovery_fraction <= 1.0,
            "air_delta_t_k": self.air_delta_t_k > 0.0,
            "chiller_rated_cop": self.chiller_rated_cop > 0.0,
            "economiser": self.economiser in ("air", "water", "none", "liquid"),
            "coil_effectiveness": 0.0 < self.coil_effectiveness <= 1.0,
        }
        bad = [k for k, ok in checks.items() if not ok]
        if bad:
            values = {k: getattr(self, k) for k in bad}
            raise InputError(
                f"cooling preset {self.name!r} has invalid values {values} (fractions "
                "in [0, 1], losses per unit IT power in [0, 1), temperature differences >= 0)"
            )

    def replace(self, **changes: Any) -> CoolingTechnology:
        """Return a copy with some parameters changed (validated again)."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise InputError(f"unknown cooling parameter(s) {unknown}; known: {sorted(known)}")
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return CoolingTechnology(**values)


def cooling(name: str | CoolingTechnology = "air_side_fleet") -> CoolingTechnology:
    """Return a cooling technology preset (or pass one through).

    Archetypes: ``air_side_fleet`` (default), ``water_side_best_practice``,
    ``water_side_economiser``, ``direct_evaporative_wide_envelope``,
    ``air_cooled_chiller``, ``direct_liquid_warm_water``. Former names in
    the ``[aliases]`` table of ``cooling.toml`` (``hyperscale_air_economiser``
    = ``air_side_fleet``) return the preset they stand for, under its name.

    Parameters
    ----------
    name : str or CoolingTechnology, default "air_side_fleet"
        Preset name (:func:`names` ``("cooling")`` lists them).

    Returns
    -------
    CoolingTechnology
    """
    if isinstance(name, CoolingTechnology):
        return name
    aliases = _load("cooling").get("aliases", {})
    key = aliases.get(name, name) if isinstance(name, str) else name
    return CoolingTechnology(name=key, **_pick("cooling", key, skip=("common", "aliases")))


def common_constants() -> dict[str, float]:
    """Physical constants used by the cooling model (``[common]`` of ``cooling.toml``)."""
    return dict(_load("cooling")["common"])


@dataclass(frozen=True)
class Route:
    """A fibre-route preset: ``rtt = floor + (fixed - floor) min(d / ramp, 1) + 2 d k / v``.

    Attributes
    ----------
    name : str
    route_factor : float
        Fibre path length over great-circle distance [1], >= 1.
    fixed_ms : float
        Fixed round-trip overhead of a long route [ms], >= 0: the part of the round
        trip that does not shrink with distance once the route leaves the metro.
    description, source : str
    geographic : bool
        Whether ``d`` is the corridor path length of :func:`corridors` (paths
        over land within a continent, along submarine-cable corridors between
        continents) instead of the great circle; any preset can be made
        geographic with ``dataclasses.replace(route, geographic=True)``.
    access_ms : float, optional
        Round trip at zero distance [ms], 0 <= access_ms <= fixed_ms (two sites in
        one metro). With it the fixed part rises linearly from ``access_ms`` at
        ``d = 0`` to ``fixed_ms`` at ``d = ramp_km``; without it the fixed part is
        ``fixed_ms`` at every distance.
    ramp_km : float
        Distance over which the fixed part reaches ``fixed_ms`` [km]; > 0 with
        ``access_ms``, 0 without.
    """

    name: str
    route_factor: float
    fixed_ms: float
    description: str = ""
    source: str = ""
    geographic: bool = False
    access_ms: float | None = None
    ramp_km: float = 0.0

    @property
    def floor_ms(self) -> float:
        """Round trip at zero distance [ms]: ``access_ms``, or ``fixed_ms`` without a ramp."""
        return self.fixed_ms if self.access_ms is None else float(self.access_ms)

    def __post_init__(self) -> None:
        finite = all(
            _is_number(v) and math.isfinite(float(v)) for v in (self.route_factor, self.fixed_ms)
        )
        if not finite or not (self.route_factor >= 1.0) or not (self.fixed_ms >= 0.0):
            raise InputError(
                f"route {self.name!r}: route_factor must be a finite number >= 1 and fixed_ms "
                "a finite number >= 0, got "
                f"{self.route_factor} and {self.fixed_ms}"
            )
        if self.access_ms is not None:
            ok = _is_number(self.access_ms) and _is_number(self.ramp_km)
            ok = ok and 0.0 <= float(self.access_ms) <= self.fixed_ms
            ok = ok and math.isfinite(float(self.ramp_km)) and float(self.ramp_km) > 0.0
            if not ok:
                raise InputError(
                    f"route {self.name!r}: access_ms must be a number between 0 and fixed_ms "
                    f"({self.fixed_ms}) and ramp_km a finite number > 0, got "
                    f"{self.access_ms!r} and {self.ramp_km!r}"
                )
        elif self.ramp_km != 0.0:
            raise InputError(
                f"route {self.name!r}: ramp_km needs access_ms (the round trip at zero "
                f"distance), got ramp_km={self.ramp_km!r} without it"
            )
        if not isinstance(self.geographic, (bool, np.bool_)):
            raise InputError(
                f"route {self.name!r}: geographic must be True or False, got {self.geographic!r}"
            )


def route_from_attrs(attrs: Mapping[str, Any]) -> Route:
    """Rebuild the route of a result from its flat attributes (``Scenario.attrs``).

    Parameters
    ----------
    attrs : mapping
        With ``route``, ``route_factor``, ``fixed_ms`` and optionally
        ``route_geographic``, ``access_ms`` and ``ramp_km``.

    Returns
    -------
    Route

    Raises
    ------
    KeyError
        When one of the three required attributes is missing.
    """
    ramp = float(attrs.get("ramp_km", 0.0))
    return Route(
        str(attrs["route"]),
        float(attrs["route_factor"]),
        float(attrs["fixed_ms"]),
        geographic=bool(int(attrs.get("route_geographic", 0))),
        access_ms=float(attrs["access_ms"]) if ramp > 0.0 else None,
        ramp_km=ramp,
    )


def route(name: str | Route = "geographic") -> Route:
    """Return a route preset.

    Known: ``geographic`` (default; fitted to measured Azure inter-region round
    trips over corridor paths, see :func:`corridors`), ``cloud_backbone`` (the same
    kind of fit over great circles), ``public_internet``, ``leased_line``, ``conduit_bound`` (the
    1.3 conduit lower bound, not a measured latency) and ``line_of_sight`` (the
    physical floor).

    Parameters
    ----------
    name : str or Route, default "geographic"
        Preset name (:func:`names` ``("routes")`` lists them).

    Returns
    -------
    Route
    """
    if isinstance(name, Route):
        return name
    return Route(name=name, **_pick("routes", name))


@dataclass(frozen=True)
class Corridors:
    """The coarse fibre-corridor geography of ``corridors.toml``.

    Attributes
    ----------
    zone_names : tuple of str
        Zones in lookup order (the first whose box holds a point wins).
    boxes : numpy.ndarray
        ``(k, 5)``: zone index, lon_min, lat_min, lon_max, lat_max [deg].
    adjacent : numpy.ndarray of bool
        ``(z, z)``: whether two zones are joined by land or short sea crossings.
    hub_names : tuple of str
    hub_zone : numpy.ndarray of int
    hub_lat, hub_lon : numpy.ndarray
        Hub positions [deg].
    links : tuple of (int, int, numpy.ndarray)
        Sea edges: hub indices and the ``(n, 2)`` lat/lon points of the path,
        ends included [deg].
    source : str
    """

    zone_names: tuple[str, ...]
    boxes: np.ndarray
    adjacent: np.ndarray
    hub_names: tuple[str, ...]
    hub_zone: np.ndarray
    hub_lat: np.ndarray
    hub_lon: np.ndarray
    links: tuple[tuple[int, int, np.ndarray], ...]
    source: str


@cache
def corridors() -> Corridors:
    """Return the fibre-corridor geography used by geographic routes.

    Returns
    -------
    Corridors
        Zones (unions of lat/lon boxes), cable hubs and sea links, each link with
        the cable systems and source it stands for in ``corridors.toml``.
    """
    raw = _load("corridors")
    zones = tuple(z["name"] for z in raw["zone"])
    zi = {n: i for i, n in enumerate(zones)}
    boxes = np.array([[zi[z["name"]], *b] for z in raw["zone"] for b in z["boxes"]], float)
    adjacent = np.eye(len(zones), dtype=bool)
    for a, b in raw["adjacent"]:
        adjacent[zi[a], zi[b]] = adjacent[zi[b], zi[a]] = True
    hubs = tuple(h["name"] for h in raw["hub"])
    hi = {n: i for i, n in enumerate(hubs)}
    links = []
    for link in raw["link"]:
        a, b = raw["hub"][hi[link["a"]]], raw["hub"][hi[link["b"]]]
        pts = [[a["lat"], a["lon"]], *link.get("via", []), [b["lat"], b["lon"]]]
        links.append((hi[link["a"]], hi[link["b"]], np.array(pts, float)))
    return Corridors(
        zone_names=zones,
        boxes=boxes,
        adjacent=adjacent,
        hub_names=hubs,
        hub_zone=np.array([zi[h["zone"]] for h in raw["hub"]], int),
        hub_lat=np.array([h["lat"] for h in raw["hub"]], float),
        hub_lon=np.array([h["lon"] for h in raw["hub"]], float),
        links=tuple(links),
        source=raw["source"],
    )


@dataclass(frozen=True)
class TokenEnergy:
    """IT energy per million tokens [MWh_IT / Mtoken] with its source."""

    name: str
    mwh_per_mtoken: float
    description: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.mwh_per_mtoken) and self.mwh_per_mtoken > 0.0):
            raise InputError(
                f"energy per token must be a positive, finite number [MWh_IT/Mtoken], "
                f"got {self.mwh_per_mtoken}"
            )


def token_energy(name: str | float | TokenEnergy = "h100_8b_batch64") -> TokenEnergy:
    """Return an energy-per-token preset, or wrap a number.

    Parameters
    ----------
    name : str, float or TokenEnergy, default "h100_8b_batch64"
        Preset name, or IT energy [MWh_IT per million tokens].

    Returns
    -------
    TokenEnergy
    """
    if isinstance(name, TokenEnergy):
        return name
    if _is_number(name):
        return TokenEnergy(name="custom", mwh_per_mtoken=float(name), source="user value")
    return TokenEnergy(name=str(name), **_pick("token_energy", str(name)))


@dataclass(frozen=True)
class HeatPrice:
    """A waste-heat price scenario [USD per MWh of heat delivered].

    Attributes
    ----------
    name : str
        Scenario name.
    usd_per_mwh_heat : float
        Price [USD/MWh_heat]; for a per-country scenario, the price where the
        country has no row (0 for ``market``: no credit is counted there).
    description, source : str
        What the price is and where it comes from.
    by_country : tuple of (str, float)
        ISO 3166-1 alpha-2 code and price [USD/MWh_heat] of each country with
        its own row (``market``); empty for a single price.
    """

    name: str
    usd_per_mwh_heat: float
    description: str = ""
    source: str = ""
    by_country: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        prices = [self.usd_per_mwh_heat, *(p for _, p in self.by_country)]
        if not all(math.isfinite(p) and p >= 0.0 for p in prices):
            raise InputError(
                f"heat price must be a finite number >= 0 [USD/MWh_heat], got {prices}"
            )

    @property
    def sells(self) -> bool:
        """Whether heat earns anything anywhere under this scenario."""
        return self.usd_per_mwh_heat > 0 or any(p > 0 for _, p in self.by_country)

    def by_country_text(self) -> str:
        """Return the per-country prices as ``"DK:57.46"`` pairs [USD/MWh_heat] ("" if none)."""
        return ";".join(f"{c}:{p:.2f}" for c, p in self.by_country)

    def for_countries(self, iso_a2: ArrayLike) -> np.ndarray:
        """Price of each sample's country [USD/MWh_heat].

        Parameters
        ----------
        iso_a2 : array_like of str
            ISO 3166-1 alpha-2 code per sample ("" for none).

        Returns
        -------
        numpy.ndarray
            The country's row where it has one, else :attr:`usd_per_mwh_heat`.
        """
        codes = np.asarray(iso_a2, dtype=object)
        out = np.full(codes.shape, self.usd_per_mwh_heat, dtype=float)
        for code, price in self.by_country:
            out[codes == code] = price
        return out


#: Units a per-country heat price may be published in -> MWh per unit. ``per_MW_year``: a
#: yearly payment for 1 MW delivered, spread over all 8760 h (a lower bound per MWh when
#: the heat flows fewer hours).
_HEAT_UNIT_MWH = {"per_MWh": 1.0, "per_GJ": 1.0 / 3.6, "per_kWh": 1e-3, "per_MW_year": 8760.0}


def heat_price(name: str | float | HeatPrice = "donated") -> HeatPrice:
    """Return a heat-price scenario: ``donated`` (default), ``sold``, ``avoided_cost``, ``market``.

    Parameters
    ----------
    name : str, float or HeatPrice, default "donated"
        Scenario name, or a price [USD per MWh of heat].

    Returns
    -------
    HeatPrice

    Notes
    -----
    ``market`` prices heat by country on an offtake basis (what a network pays a
    supplier), from the published rows of ``presets/heat_prices.toml``; a
    country without a row earns no credit. Each row is converted as
    ``price / (MWh per unit) x USD per unit`` with the shipped annual-average rate
    of its year (:func:`computeatlas.datasets.exchange_rates`).
    """
    if isinstance(name, HeatPrice):
        return name
    if _is_number(name):
        return HeatPrice(name="custom", usd_per_mwh_heat=float(name), source="user value")
    raw = dict(_pick("heat_prices", str(name)))
    eur = raw.pop("eur_per_mwh_heat")
    rate = _usd_per_eur(int(raw.pop("fx_year")))
    rows = raw.pop("countries", {})
    by_country = tuple(
        (code, _heat_row_usd_per_mwh(code, row)) for code, row in sorted(rows.items())
    )
    return HeatPrice(name=str(name), usd_per_mwh_heat=eur * rate, by_country=by_country, **raw)


def _heat_row_usd_per_mwh(code: str, row: dict[str, Any]) -> float:
    """One per-country heat-price row in USD/MWh_heat (shipped rate of the row's year)."""
    from computeatlas.datasets import exchange_rates

    unit = row["unit"]
    if unit not in _HEAT_UNIT_MWH:
        raise InputError(f"heat price row {code}: unit must be one of {sorted(_HEAT_UNIT_MWH)}")
    fx = exchange_rates()
    hit = fx[(fx["currency"] == row["currency"]) & (fx["year"] == int(row["year"]))]
    if hit.empty:
        raise InputError(
            f"heat price row {code}: no shipped {row['currency']} rate for {row['year']}"
        )
    return float(row["price"]) / _HEAT_UNIT_MWH[unit] * float(hit["usd_per_unit"].iloc[0])


def uncertainty_table(family: str) -> dict[str, Any]:
    """Parameter ranges for Monte Carlo draws (``presets/uncertainty.toml``).

    Parameters
    ----------
    family : {"cooling", "route", "heat_price", "price"}
        Table of the file.

    Returns
    -------
    dict
        Preset name (or price table) -> parameter -> ``[low, high]``, with a
        ``source`` per preset; empty for an unknown family. Heat-price ranges come
        converted to USD at the preset's exchange rate (``usd_per_mwh_heat``).
    """
    table = {k: dict(v) for k, v in _load("uncertainty").get(family, {}).items()}
    if family == "heat_price":
        for name, spec in table.items():
            raw = _load("heat_prices")[name]
            rate = _usd_per_eur(int(raw["fx_year"]))
            spec["usd_per_mwh_heat"] = [rate * float(v) for v in spec.pop("eur_per_mwh_heat")]
    return table


def _usd_per_eur(year: int) -> float:
    """Shipped annual-average USD per EUR of a year (ECB reference rates)."""
    from computeatlas.datasets import exchange_rates

    fx = exchange_rates()
    row = fx[(fx["currency"] == "EUR") & (fx["year"] == year)]
    if row.empty:
        raise InputError(f"no shipped EUR exchange rate for {year}")
    return float(row["usd_per_unit"].iloc[0])


@dataclass(frozen=True)
class HeatingSeason:
    """An administrative heating season: the dates a province's networks run.

    Attributes
    ----------
    code : str
        ISO 3166-2 province code (``CN-BJ``).
    name : str
        Province (and city whose dates are used).
    start, end : tuple of int
        (month, day) of the first and last heating day, both inclusive.
    source : str
        The published notice.
    """

    code: str
    name: str
    start: tuple[int, int]
    end: tuple[int, int]
    source: str

    def __post_init__(self) -> None:
        for label, (month, day) in (("start", self.start), ("end", self.end)):
            if not (1 <= month <= 12 and 1 <= day <= _MONTH_DAYS[month - 1]):
                raise InputError(
                    f"heating season {self.code}: {label} is not a date, got {month}-{day}"
                )


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _month_day(text: str, where: str) -> tuple[int, int]:
    try:
        month, day = (int(p) for p in str(text).split("-"))
    except ValueError:
        raise InputError(f"{where}: dates are 'MM-DD', got {text!r}") from None
    return month, day


def heating_seasons() -> dict[str, HeatingSeason]:
    """Administrative heating seasons by ISO 3166-2 province code (``heating_seasons.toml``).

    Returns
    -------
    dict of str to HeatingSeason
        A fresh dict on every call.
    """
    out = {}
    for code, row in _load("heating_seasons").items():
        out[code] = HeatingSeason(
            code=code,
            name=str(row["name"]),
            start=_month_day(row["start"], code),
            end=_month_day(row["end"], code),
            source=str(row["source"]),
        )
    return out
