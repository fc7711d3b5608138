"""lakestream development tooling: test doubles for local runs, never deployed."""
