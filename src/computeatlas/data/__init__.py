"""Data files shipped with wattlas (built by the recipes in ``grids/``)."""
