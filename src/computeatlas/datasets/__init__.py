"""Default layers shipped with computeatlas, readers for users' own data, and fetchers.

Shipped layers (offline, see ``grids/README.md`` for provenance):
:func:`climate`, :func:`humidity`, :func:`elevation`, :func:`countries`,
:func:`admin1`, :func:`metros`, :func:`heat_sinks`, :func:`electricity_prices`,
:func:`exchange_rates`,
:func:`carbon_intensity`, :func:`district_heating`, :func:`bidding_zones`,
:func:`latency_pairs`.
"""

from computeatlas.datasets._shipped import (
    admin1,
    bidding_zones,
    carbon_intensity,
    climate,
    coordinate,
    countries,
    data_path,
    district_heating,
    electricity_prices,
    elevation,
    exchange_rates,
    find_metro,
    heat_sinks,
    humidity,
    latency_pairs,
    manifest,
    metros,
    permanent_ice,
    read_block,
    read_block_array,
    region_attributes,
)
from computeatlas.datasets.prices import price_table, resolve_carbon, resolve_prices
from computeatlas.datasets.readers import (
    read_climate_geotiff,
    read_era5,
    read_price_table,
    read_regions,
)

__all__ = [
    "admin1",
    "bidding_zones",
    "carbon_intensity",
    "climate",
    "coordinate",
    "countries",
    "data_path",
    "district_heating",
    "electricity_prices",
    "elevation",
    "exchange_rates",
    "find_metro",
    "heat_sinks",
    "humidity",
    "latency_pairs",
    "manifest",
    "metros",
    "permanent_ice",
    "price_table",
    "read_block",
    "read_block_array",
    "read_climate_geotiff",
    "read_era5",
    "read_price_table",
    "read_regions",
    "region_attributes",
    "resolve_carbon",
    "resolve_prices",
]
