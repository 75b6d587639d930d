"""Open a computeatlas GeoPackage in QGIS, report each layer's style and render a map.

Runs with the Python that has QGIS's bindings (on Debian: ``/usr/bin/python3`` with
``python3-qgis``), not the one computeatlas is installed in::

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 docs/scripts/qgis_render.py atlas.gpkg map.png

Every layer is opened the way QGIS's browser opens it (``<file>|layername=<layer>``,
provider ``ogr``), so the default style embedded in the GeoPackage's ``layer_styles``
table is applied by QGIS itself. The script prints a JSON report (one entry per
layer: validity, feature count, renderer type, classes or symbol) and renders the
layers, first listed on top, to a PNG with QGIS's map renderer. It exits with
status 1 when a layer is invalid or the image is blank.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

LAYERS = ("sites", "metros", "service_areas", "cells", "regions_admin1", "regions_admin0")


def _describe(layer):
    """Return what QGIS made of a layer: renderer type, classes or symbol colour."""
    renderer = layer.renderer()
    info = {
        "valid": layer.isValid(),
        "features": int(layer.featureCount()),
        "geometry": layer.geometryType(),
        "renderer": renderer.type() if renderer else None,
        "opacity": layer.opacity(),
    }
    if renderer is not None and renderer.type() == "graduatedSymbol":
        info["attribute"] = renderer.classAttribute()
        info["classes"] = [
            {"lower": r.lowerValue(), "upper": r.upperValue(), "label": r.label()}
            for r in renderer.ranges()
        ]
        info["colours"] = [r.symbol().color().name() for r in renderer.ranges()]
    elif renderer is not None and renderer.type() == "singleSymbol":
        symbol = renderer.symbol()
        info["colour"] = symbol.color().name()
        info["symbol_layer"] = symbol.symbolLayer(0).layerType()
        props = symbol.symbolLayer(0).properties()
        info["properties"] = {
            k: str(props[k]) for k in ("name", "style", "outline_style") if k in props
        }
    return info


def _blank(image, background) -> dict:
    """Count the pixels that differ from the background colour (and the colours used)."""
    w, h = image.width(), image.height()
    differ, colours = 0, set()
    step = max(1, min(w, h) // 200)  # sample a grid of about 200 x 200 pixels
    total = 0
    for y in range(0, h, step):
        for x in range(0, w, step):
            rgb = image.pixel(x, y) & 0xFFFFFF
            total += 1
            colours.add(rgb)
            if rgb != background & 0xFFFFFF:
                differ += 1
    return {"sampled": total, "non_background": differ, "colours": len(colours)}


def _render(layers, extent, size, png):
    from qgis.core import (
        QgsCoordinateReferenceSystem,
        QgsMapRendererParallelJob,
        QgsMapSettings,
        QgsRectangle,
    )
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    settings = QgsMapSettings()
    settings.setLayers(layers)  # first listed is drawn on top
    settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setOutputSize(QSize(*size))
    if extent is None:
        box = QgsRectangle()
        for layer in layers:
            box.combineExtentWith(layer.extent())
        box.scale(1.05)
    else:
        box = QgsRectangle(*extent)
    settings.setExtent(box)
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    if not image.save(png, "PNG"):
        raise OSError(f"QGIS could not write {png}")
    return image, QColor(255, 255, 255).rgb()


def _layout_png(layers, extent, size, png, title):
    """Render a print layout (map, legend and title) to ``png`` with QGIS's exporter."""
    from qgis.core import (
        QgsLayoutExporter,
        QgsLayoutItemLabel,
        QgsLayoutItemLegend,
        QgsLayoutItemMap,
        QgsLayoutPoint,
        QgsLayoutSize,
        QgsPrintLayout,
        QgsProject,
        QgsRectangle,
        QgsUnitTypes,
    )
    from qgis.PyQt.QtGui import QFont

    project = QgsProject.instance()
    for layer in reversed(layers):
        project.addMapLayer(layer)
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    mm = QgsUnitTypes.LayoutMillimeters
    width, height = 297.0, 297.0 * size[1] / size[0]
    layout.pageCollection().page(0).setPageSize(QgsLayoutSize(width, height, mm))
    label = QgsLayoutItemLabel(layout)
    label.setText(title)
    label.setFont(QFont("DejaVu Sans", 14))
    label.attemptMove(QgsLayoutPoint(6, 3, mm))
    label.attemptResize(QgsLayoutSize(width - 12, 10, mm))
    layout.addLayoutItem(label)
    item = QgsLayoutItemMap(layout)
    item.attemptMove(QgsLayoutPoint(6, 14, mm))
    item.attemptResize(QgsLayoutSize(width - 90, height - 20, mm))
    item.setLayers(layers)
    box = QgsRectangle()
    for layer in layers:
        box.combineExtentWith(layer.extent())
    item.setExtent(QgsRectangle(*extent) if extent else box)
    item.setFrameEnabled(True)
    layout.addLayoutItem(item)
    legend = QgsLayoutItemLegend(layout)
    legend.setLinkedMap(item)
    legend.setAutoUpdateModel(False)
    root = legend.model().rootGroup()
    root.clear()
    for layer in layers:
        root.addLayer(layer)
    legend.attemptMove(QgsLayoutPoint(width - 82, 14, mm))
    layout.addLayoutItem(legend)
    settings = QgsLayoutExporter.ImageExportSettings()
    settings.dpi = size[0] / (width / 25.4)
    result = QgsLayoutExporter(layout).exportToImage(png, settings)
    if result != QgsLayoutExporter.Success:
        raise OSError(f"QGIS could not export the layout to {png} (code {result})")


def main(argv: list[str] | None = None) -> int:
    """Open, describe and render the layers; print the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gpkg")
    parser.add_argument("png")
    parser.add_argument("--layers", default=",".join(LAYERS), help="comma-separated, top first")
    parser.add_argument("--extent", help="west,south,east,north [deg]; default all layers")
    parser.add_argument("--size", default="1200x800", help="image size WIDTHxHEIGHT [px]")
    parser.add_argument("--title", help="draw a print layout with this title and a legend")
    args = parser.parse_args(argv)

    from qgis.core import Qgis, QgsApplication, QgsVectorLayer

    app = QgsApplication([], False)
    app.initQgis()
    report = {"qgis": Qgis.QGIS_VERSION, "layers": {}}
    layers = []
    for name in args.layers.split(","):
        layer = QgsVectorLayer(f"{args.gpkg}|layername={name}", name, "ogr")
        report["layers"][name] = _describe(layer)
        layers.append(layer)
    extent = None if args.extent is None else tuple(float(v) for v in args.extent.split(","))
    size = tuple(int(v) for v in args.size.lower().split("x"))
    valid = [la for la in layers if la.isValid()]
    image, background = _render(valid, extent, size, args.png)
    if args.title:  # the layout (map, legend, title) replaces the plain map
        from qgis.PyQt.QtGui import QImage

        _layout_png(valid, extent, size, args.png, args.title)
        image = QImage(args.png)
    report["image"] = {"path": args.png, "size": list(size), **_blank(image, background)}
    print(json.dumps(report, indent=1), flush=True)
    ok = all(v["valid"] for v in report["layers"].values())
    return 0 if ok and report["image"]["colours"] > 2 else 1


if __name__ == "__main__":
    code = main()
    sys.stderr.flush()
    # Leave without QGIS's teardown (QgsApplication.exitQgis can crash at exit in
    # offscreen mode); the PNG is written and the report printed by now.
    os._exit(code)
