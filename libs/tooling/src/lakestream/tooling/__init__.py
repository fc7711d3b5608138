"""lakestream tooling for people, never installed by a deployed job: the ``lakestream`` command
line, the demo, the benchmark and the HTML reports with their plots."""
