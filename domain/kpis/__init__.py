"""Program KPIs for marketers: pure definitions, and the aggregate queries that feed them."""
