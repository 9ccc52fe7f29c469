"""Charities, donations of points, auto-donation settings and impact totals."""
