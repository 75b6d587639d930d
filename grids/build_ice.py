"""Recipe: permanent ice that cannot host a data centre (the Greenland ice sheet).

Input: ``sources/ne_110m_glaciated_areas_greenland.geojson``, the three features
of Natural Earth's 1:110m glaciated areas north of 60 N (the Greenland ice sheet
and two ice caps of its north coast), copied verbatim from
``geojson/ne_110m_glaciated_areas.geojson`` of github.com/nvkelso/natural-earth-vector
at commit 693f11422f4e08d2da4566b854dda53eb7c39fb3. Natural Earth is public domain.
Antarctica needs no mask: it is the admin-0 country ``AQ`` and is never priced.

Output (``src/computeatlas/data/``): ``permanent_ice.geojson`` (the polygons,
validated, with their source and licence in the collection's properties).
"""

from __future__ import annotations

import json

from shapely.geometry import shape

from _common import OUT, SOURCES_DIR

SOURCE = SOURCES_DIR / "ne_110m_glaciated_areas_greenland.geojson"
COMMIT = "693f11422f4e08d2da4566b854dda53eb7c39fb3"


def build(out_dir=OUT):
    src = json.loads(SOURCE.read_text(encoding="utf-8"))
    features = []
    for f in src["features"]:
        geom = shape(f["geometry"])
        if not geom.is_valid or geom.bounds[1] < 59.0:
            raise RuntimeError(f"unexpected glaciated-area feature {geom.bounds}")
        features.append({"type": "Feature", "properties": {}, "geometry": f["geometry"]})
    out = {
        "type": "FeatureCollection",
        "name": "permanent_ice",
        "source": "Natural Earth 1:110m glaciated areas (Greenland features), "
        f"nvkelso/natural-earth-vector@{COMMIT}",
        "licence": "public domain (Natural Earth)",
        "features": features,
    }
    path = out_dir / "permanent_ice.geojson"
    path.write_text(json.dumps(out, separators=(",", ":")) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    print(build())
