"""Command-line interfaces: the ``lakestream`` umbrella CLI and the per-service job entry points."""
