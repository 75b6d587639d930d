"""Data files shipped with computeatlas (built by the recipes in ``grids/``)."""
