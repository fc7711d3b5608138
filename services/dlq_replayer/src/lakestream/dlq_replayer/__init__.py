"""lakestream DLQ replayer: browse the dead letter queue and replay rows after a config fix."""

__version__ = "0.1.0"
