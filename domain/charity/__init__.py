"""Charity and sustainability: charities, donations of points, auto-donation and impact."""
