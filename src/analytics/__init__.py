"""Pure analytics: indicators, composite index, spatial access. Never imports Django."""
