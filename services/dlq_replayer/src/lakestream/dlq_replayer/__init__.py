"""lakestream DLQ replayer: on-demand replay of dead-lettered events (built in its own issue)."""

__version__ = "0.1.0"
